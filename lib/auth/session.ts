import "server-only";
import { cache } from "react";
import { getServerSession } from "next-auth";
import { getDb } from "@/db";
import { AuthenticationError } from "@/lib/errors";
import { loadSessionUser, type SessionUser } from "./users";
import { getAuthOptions } from "./options";
import { validateSession } from "./sessions";
import { twoFactorRequiredFor } from "./two-factor";

/**
 * The signed-in user, re-read from the database on every request (cached per request): a
 * disabled user, a removed affiliation or an ended session (signed out everywhere, idle, past
 * its lifetime) loses access on the next request, not at token expiry.
 */
export const getCurrentUser = cache(async (): Promise<SessionUser | null> => {
  const session = await getServerSession(getAuthOptions());
  const claims = session?.user as { id?: unknown; sid?: unknown } | undefined;
  const id = Number(claims?.id);
  if (!Number.isSafeInteger(id) || id <= 0 || typeof claims?.sid !== "string") return null;
  if (!(await validateSession(getDb(), claims.sid, id))) return null;
  const user = await loadSessionUser(getDb(), id);
  if (!user) return null;
  return { ...user, mustEnrolTwoFactor: !user.twoFactorEnabled && twoFactorRequiredFor({ role: user.role, localAccount: Boolean(user.localAccount) }) };
});

/** The session id of this request (for "sign out everywhere else" and the like). */
export async function currentSessionId() {
  const session = await getServerSession(getAuthOptions());
  const sid = (session?.user as { sid?: unknown } | undefined)?.sid;
  return typeof sid === "string" ? sid : null;
}

export async function requireUser(): Promise<SessionUser> {
  const user = await getCurrentUser();
  if (!user) throw new AuthenticationError();
  return user;
}
