import { z } from "zod";

export const ROLES = ["admin", "operator", "member"] as const;
export const ZRole = z.enum(ROLES, { message: "role must be admin, operator or member" });
export type TRole = z.infer<typeof ZRole>;

/** Operators run the exchange; admins also manage people and keys. */
export function isStaff(role: TRole) {
  return role === "admin" || role === "operator";
}

export const PERM_READ = 1;
export const PERM_UPDATE = 2;
export const PERM_CREATE = 4;
export const PERM_DELETE = 8;
