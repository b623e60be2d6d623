import "server-only";
import { cache } from "react";
import { getServerSession } from "next-auth";
import { getDb } from "@/db";
import { AuthenticationError } from "@/lib/errors";
import { loadSessionUser, type SessionUser } from "@/lib/users";
import { getAuthOptions } from "./options";

/**
 * The signed-in user, re-read from the database on every request (cached per request): a
 * disabled user or a removed affiliation loses access on the next request, not at token expiry.
 */
export const getCurrentUser = cache(async (): Promise<SessionUser | null> => {
  const session = await getServerSession(getAuthOptions());
  const id = Number((session?.user as { id?: unknown } | undefined)?.id);
  if (!Number.isSafeInteger(id) || id <= 0) return null;
  return loadSessionUser(getDb(), id);
});

export async function requireUser(): Promise<SessionUser> {
  const user = await getCurrentUser();
  if (!user) throw new AuthenticationError();
  return user;
}

