import "server-only";
import { cache } from "react";
import { getServerSession } from "next-auth";
import { getDb } from "@/db";
import { AuthenticationError, AuthorizationError } from "@/lib/errors";
import { loadSessionUser, type SessionUser } from "@/lib/users";
import { getAuthOptions } from "./options";
import { isStaff, PERM_READ, PERM_UPDATE, type TRole } from "./roles";

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

export function requireRole(user: SessionUser, roles: TRole[]) {
  if (!roles.includes(user.role)) throw new AuthorizationError();
}

/** Whether the user may view (read) or act for (update, by default) an ASN. */
export function canAccessAsn(user: SessionUser, asn: number, need: "read" | "act" = "read") {
  if (isStaff(user.role)) return true;
  const network = user.networks.find((entry) => entry.asn === asn);
  if (!network) return false;
  const required = need === "read" ? PERM_READ : actPermission();
  return (network.perms & required) === required;
}

/** Acting for an ASN needs PeeringDB's "update" bit unless configured otherwise. */
function actPermission() {
  const configured = process.env.ZTIX_ACT_PERMISSION;
  return configured === "read" ? PERM_READ : PERM_UPDATE;
}

export function requireAsn(user: SessionUser, asn: number, need: "read" | "act" = "read") {
  if (!canAccessAsn(user, asn, need)) throw new AuthorizationError(`You are not allowed to ${need === "read" ? "view" : "act for"} AS${asn}.`);
}
