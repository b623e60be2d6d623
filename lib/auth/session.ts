import "server-only";
import { cache } from "react";
import { getServerSession } from "next-auth";
import { getDb } from "@/db";
import { AuthenticationError } from "@/lib/errors";
import type { SessionUser } from "./users";
import { getAuthOptions } from "./options";
import { requestSessionClaims, type SessionClaims } from "./session-token";
import { resumeSession } from "./sessions";
import { twoFactorRequiredFor } from "./two-factor";

/**
 * The signed-in user, re-read from the database on every request (cached per request): a
 * disabled user, a removed affiliation or an ended session (signed out everywhere, idle, past
 * its lifetime) loses access on the next request, not at token expiry.
 */
export const getCurrentUser = cache(async (): Promise<SessionUser | null> => {
  const claims = await sessionClaims();
  if (!claims) return null;
  const user = await resumeSession(getDb(), claims.sessionId, claims.userId);
  if (!user) return null;
  return { ...user, mustEnrolTwoFactor: !user.twoFactorEnabled && twoFactorRequiredFor({ role: user.role, localAccount: Boolean(user.localAccount) }) };
});

/** Who the session cookie names; next-auth's own (slower) reading when it runs on a fallback secret (`next dev`). */
async function sessionClaims(): Promise<SessionClaims | null> {
  if (process.env.NEXTAUTH_SECRET) return requestSessionClaims();
  const session = await getServerSession(getAuthOptions());
  const claims = session?.user as { id?: unknown; sid?: unknown } | undefined;
  const userId = Number(claims?.id);
  return Number.isSafeInteger(userId) && userId > 0 && typeof claims?.sid === "string" ? { userId, sessionId: claims.sid } : null;
}

/** The server-side session this request runs in: kept when the user's other sessions end. */
export async function currentSessionId(): Promise<string | null> {
  return (await sessionClaims())?.sessionId ?? null;
}

export async function requireUser(): Promise<SessionUser> {
  const user = await getCurrentUser();
  if (!user) throw new AuthenticationError();
  return user;
}
