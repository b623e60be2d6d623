"use server";

import { redirect } from "next/navigation";
import { z } from "zod";
import { getDb } from "@/db";
import { requirePlainConfirmation, ZConfirm } from "@/lib/actions/confirmation";
import { formAction } from "@/lib/actions/form-action";
import { endAllSessions } from "@/lib/auth/sessions";
import { confirmEnrolment } from "@/lib/auth/two-factor";
import { actorOf } from "@/lib/connections/service";

export const confirmTwoFactorAction = formAction(
  { name: "confirmTwoFactor", schema: z.object({ code: z.string().trim().min(1, "enter the 6-digit code from the app").max(20) }), allowBeforeTwoFactorEnrolment: true },
  async ({ user, input }) => {
    if (!user.localAccount) return { status: "error", message: "Accounts that sign in with PeeringDB use PeeringDB's own two-factor sign-in." };
    const codes = await confirmEnrolment(getDb(), user.id, input.code, actorOf(user));
    // The recovery codes travel once, in this answer; only their hashes are kept.
    return { status: "ok", message: codes.join("\n") };
  },
);

export const signOutEverywhereAction = formAction({ name: "signOutEverywhere", schema: ZConfirm, allowBeforeTwoFactorEnrolment: true }, async ({ user, input }) => {
  requirePlainConfirmation(input.confirm);
  await endAllSessions(getDb(), user.id, actorOf(user));
  redirect("/login");
});
