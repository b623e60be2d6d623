"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { getDb } from "@/db";
import { formAction } from "@/lib/actions/form-action";
import { kindsFor, saveNotificationSettings } from "@/lib/notifications";

const ZSettings = z
  .object({
    email: z.preprocess((value) => (typeof value === "string" && value.trim() === "" ? null : value), z.email("enter an e-mail address, or leave it empty for no mail").max(254).nullable()),
  })
  .catchall(z.string());

/** The signed-in user's own address and kinds: nobody else's can be changed here. */
export const saveNotificationSettingsAction = formAction({ name: "saveNotificationSettings", schema: ZSettings }, async ({ user, input }) => {
  const kinds = kindsFor(user.role);
  const on = kinds.filter((kind) => input[`kind_${kind}`] === "on");
  await saveNotificationSettings(getDb(), user.id, { email: input.email, on, kinds });
  revalidatePath("/account/notifications");
  return { status: "ok", message: input.email ? `Saved. Mail goes to ${input.email}.` : "Saved. Without an e-mail address you get no mail." };
});
