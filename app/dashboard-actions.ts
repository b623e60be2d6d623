"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { getDb } from "@/db";
import { requirePlainConfirmation, ZConfirm } from "@/lib/actions/confirmation";
import { formAction } from "@/lib/actions/form-action";
import { deauthorizeDrift } from "@/lib/reconciliation";
import { getZeroTierProvider } from "@/lib/zerotier/client";

export const deauthorizeDriftAction = formAction(
  { name: "deauthorizeDrift", roles: ["admin", "operator"], schema: z.object({ id: z.coerce.number().int().positive() }).extend(ZConfirm.shape) },
  async ({ user, input }) => {
    requirePlainConfirmation(input.confirm);
    const done = await deauthorizeDrift(getDb(), getZeroTierProvider(), input.id, { type: "user", id: user.id, label: user.username });
    revalidatePath("/");
    return done ? { status: "ok", message: "Deauthorized on the controller." } : { status: "error", message: "Already resolved." };
  },
);
