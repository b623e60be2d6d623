import "server-only";
import { ZeroTierError } from "./errors";

/** A member (node) id: 10 hex digits, always sent lower-case (the controller keeps the URL's case). */
export function normalizeNodeId(value: string): string {
  const id = value.trim().toLowerCase();
  if (!/^[0-9a-f]{10}$/.test(id)) throw new ZeroTierError("invalid_id", `"${value}" is not a ZeroTier node id (10 hexadecimal digits)`, false);
  return id;
}

export function normalizeNetworkId(value: string): string {
  const id = value.trim().toLowerCase();
  if (!/^[0-9a-f]{16}$/.test(id)) throw new ZeroTierError("invalid_id", `"${value}" is not a ZeroTier network id (16 hexadecimal digits)`, false);
  return id;
}
