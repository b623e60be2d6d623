"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { getDb } from "@/db";
import { formAction } from "@/lib/actions/form-action";
import { ZRole } from "@/lib/auth/roles";
import { requirePlainConfirmation, requireTypedConfirmation, ZConfirm } from "@/lib/actions/confirmation";
import { endAllSessions } from "@/lib/auth/sessions";
import { createAccount, setDisabled, setRole } from "@/lib/auth/users";
import { SIGN_IN_LINK_HOURS } from "@/lib/auth/sign-in-links";
import { headers } from "next/headers";
import { getConfig } from "@/lib/config";

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

/**
 * The CLI's `users create` and `users affiliate` in one form: a role, networks, and either a
 * password or a one-time sign-in link shown once to the admin (valid SIGN_IN_LINK_HOURS, used once).
 */
export const createAccountAction = formAction(
  {
    name: "createAccount",
    roles: ["admin"],
    schema: z.object({
      username: z.string().max(200),
      displayName: z.string().trim().max(200).default(""),
      role: ZRole,
      asns: z.string().max(2000).default(""),
      credential: z.enum(["link", "password"], { message: "choose a sign-in link or a password" }),
      password: z.string().max(300).default(""),
    }),
  },
  async ({ user, input }) => {
    const created = await createAccount(
      getDb(),
      {
        username: input.username,
        displayName: input.displayName || undefined,
        role: input.role,
        asns: input.asns.split(/[\s,]+/).filter(Boolean),
        credential: input.credential === "password" ? { password: input.password } : { signInLink: true },
      },
      { type: "user", id: user.id, label: user.username },
    );
    revalidatePath("/admin/users");
    const networks = created.asns.length > 0 ? ` with ${created.asns.map((asn) => `AS${asn}`).join(", ")}` : "";
    if (!created.signInToken) return { status: "ok", message: `Created ${created.role} ${created.username}${networks}.` };
    const link = `${await publicOrigin()}/welcome/${created.signInToken}`;
    return {
      status: "ok",
      message: `Created ${created.role} ${created.username}${networks}. Send them this one-time sign-in link (shown only now, valid ${SIGN_IN_LINK_HOURS} hours):`,
      secret: link,
    };
  },
);

/** The portal's own address for links: NEXTAUTH_URL when set, else the request's host. */
async function publicOrigin() {
  const configured = getConfig().NEXTAUTH_URL;
  if (configured) return configured.replace(/\/$/, "");
  const requestHeaders = await headers();
  const host = requestHeaders.get("x-forwarded-host") ?? requestHeaders.get("host") ?? "localhost";
  return `${requestHeaders.get("x-forwarded-proto") ?? "http"}://${host}`;
}
