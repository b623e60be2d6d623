"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { getDb } from "@/db";
import { requirePlainConfirmation, ZConfirm } from "@/lib/actions/confirmation";
import { formAction } from "@/lib/actions/form-action";
import { createApiKey, revokeApiKey, ZApiScope } from "@/lib/api/keys";

export const createApiKeyAction = formAction(
  {
    name: "createApiKey",
    roles: ["admin"],
    schema: z.object({
      name: z.string().trim().min(2, "2 to 100 characters").max(100, "2 to 100 characters"),
      scope: ZApiScope,
      expires: z
        .string()
        .trim()
        .optional()
        .refine((value) => !value || !Number.isNaN(new Date(value).getTime()), "not a date"),
    }),
  },
  async ({ user, input }) => {
    const created = await createApiKey(getDb(), { name: input.name, scope: input.scope, expiresAt: input.expires ? new Date(input.expires) : null }, { type: "user", id: user.id, label: user.username });
    revalidatePath("/admin/api-keys");
    // The key itself travels once, in this answer; it is never stored or shown again.
    return { status: "ok", message: created.key };
  },
);

export const revokeApiKeyAction = formAction({ name: "revokeApiKey", roles: ["admin"], schema: z.object({ id: z.coerce.number().int().positive() }).extend(ZConfirm.shape) }, async ({ user, input }) => {
  requirePlainConfirmation(input.confirm);
  await revokeApiKey(getDb(), String(input.id), { type: "user", id: user.id, label: user.username });
  revalidatePath("/admin/api-keys");
  return { status: "ok", message: "Revoked." };
});
