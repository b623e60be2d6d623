import "server-only";
import { AuthorizationError } from "@/lib/errors";
import type { SessionUser } from "./users";
import { isStaff, PERM_READ, PERM_UPDATE, type TRole } from "./roles";

/** Whether the user may view (read) or act for (update, by default) an ASN. */
export function canAccessAsn(user: SessionUser, asn: number, need: "read" | "act" = "read") {
  if (isStaff(user.role)) return true;
  const network = user.networks.find((entry) => entry.asn === asn);
  if (!network) return false;
  const required = need === "read" ? PERM_READ : actPermission();
  return (network.perms & required) === required;
}

/** Acting for an ASN needs PeeringDB's "update" bit, unless ZTIX_ACT_PERMISSION=read. */
function actPermission() {
  return process.env.ZTIX_ACT_PERMISSION === "read" ? PERM_READ : PERM_UPDATE;
}

export function requireAsn(user: SessionUser, asn: number, need: "read" | "act" = "read") {
  if (!canAccessAsn(user, asn, need)) throw new AuthorizationError(`You are not allowed to ${need === "read" ? "view" : "act for"} AS${asn}.`);
}

export function requireRole(user: SessionUser, roles: TRole[]) {
  if (!roles.includes(user.role)) throw new AuthorizationError();
}
