"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { getDb } from "@/db";
import { formAction } from "@/lib/actions/form-action";
import { ZRole } from "@/lib/auth/roles";
import { requirePlainConfirmation, requireTypedConfirmation, ZConfirm } from "@/lib/actions/confirmation";
import { endAllSessions } from "@/lib/auth/sessions";
import { setDisabled, setRole } from "@/lib/users";

const ZUserTarget = z.object({ username: z.string().min(1, "username is required") });

export const setUserDisabledAction = formAction(
  { name: "setUserDisabled", roles: ["admin"], schema: ZUserTarget.extend({ disabled: z.enum(["true", "false"]) }).extend(ZConfirm.shape) },
  async ({ user, input }) => {
    if (input.disabled === "true") requireTypedConfirmation(input.confirm, input.username, "the username");
    if (input.username === user.username && input.disabled === "true") {
      return { status: "error", message: "You cannot disable your own account." };
    }
    await setDisabled(getDb(), input.username, input.disabled === "true", { type: "user", id: user.id, label: user.username });
    revalidatePath("/admin/users");
    return { status: "ok", message: `${input.username} ${input.disabled === "true" ? "disabled" : "enabled"}.` };
  },
);

export const setUserRoleAction = formAction(
  { name: "setUserRole", roles: ["admin"], schema: ZUserTarget.extend({ role: ZRole }) },
  async ({ user, input }) => {
    if (input.username === user.username && input.role !== "admin") {
      return { status: "error", message: "You cannot remove your own admin role." };
    }
    await setRole(getDb(), input.username, input.role, { type: "user", id: user.id, label: user.username });
    revalidatePath("/admin/users");
    return { status: "ok", message: `${input.username} is now ${input.role}.` };
  },
);

export const signOutUserEverywhereAction = formAction({ name: "signOutUserEverywhere", roles: ["admin"], schema: ZUserTarget.extend(ZConfirm.shape) }, async ({ user, input }) => {
  requirePlainConfirmation(input.confirm);
  const target = await getDb().selectFrom("users").select(["id", "username"]).where("username", "=", input.username).executeTakeFirst();
  if (!target) return { status: "error", message: `No user named ${input.username}.` };
  const ended = await endAllSessions(getDb(), target.id, { type: "user", id: user.id, label: user.username });
  revalidatePath("/admin/users");
  return { status: "ok", message: `${target.username}: ${ended} session(s) ended.` };
});
