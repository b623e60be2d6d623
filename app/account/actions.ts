"use server";

import { redirect } from "next/navigation";
import { z } from "zod";
import { getDb } from "@/db";
import { requirePlainConfirmation, ZConfirm } from "@/lib/actions/confirmation";
import { formAction } from "@/lib/actions/form-action";
import { currentSessionId } from "@/lib/auth/session";
import { endAllSessions } from "@/lib/auth/sessions";
import { changeOwnPassword } from "@/lib/auth/users";
import { AuthenticationError } from "@/lib/errors";
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

export const changePasswordAction = formAction(
  {
    name: "changePassword",
    schema: z
      .object({
        currentPassword: z.string().min(1, "enter your current password").max(1024),
        newPassword: z.string().min(1, "enter a new password").max(1024),
        repeatPassword: z.string().max(1024),
      })
      .refine((input) => input.newPassword === input.repeatPassword, { message: "the two new passwords differ", path: ["repeatPassword"] }),
  },
  async ({ user, input }) => {
    if (!user.localAccount) return { status: "error", message: "You sign in with PeeringDB: change your password there." };
    const sessionId = await currentSessionId();
    if (!sessionId) throw new AuthenticationError();
    const { otherSessionsEnded } = await changeOwnPassword(getDb(), user, { current: input.currentPassword, next: input.newPassword }, sessionId, actorOf(user));
    return { status: "ok", message: `Password changed.${otherSessionsEnded > 0 ? ` Your ${otherSessionsEnded} other session(s) ended;` : ""} this browser stays signed in.` };
  },
);
