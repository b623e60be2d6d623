import "server-only";
import { formatAddress, parseAddress, parsePrefix } from "@/lib/addressing/ip";
import { ZeroTierError } from "./errors";

const invalid = (message: string) => new ZeroTierError("invalid_input", message, false);

/**
 * A member (node) id: 10 hexadecimal digits, returned lower-case. The controller stores the id in
 * the case of the URL (recordings #34-#39), so every id is lower-cased before any request.
 */
export function normalizeNodeId(value: string): string {
  const id = String(value).trim().toLowerCase();
  if (!/^[0-9a-f]{10}$/.test(id)) throw invalid(`"${value}" is not a ZeroTier node id (10 hexadecimal digits, as zerotier-cli info shows)`);
  return id;
}

/** A network id: 16 hexadecimal digits (controller id + 6 digits), returned lower-case. */
export function normalizeNetworkId(value: string): string {
  const id = String(value).trim().toLowerCase();
  if (!/^[0-9a-f]{16}$/.test(id)) throw invalid(`"${value}" is not a ZeroTier network id (16 hexadecimal digits)`);
  return id;
}

/**
 * A node id a router can really have. Address 0 is answered but never stored by the controller
 * (recordings #75/#76) and addresses starting with ff are reserved by ZeroTier.
 */
export function normalizeAssignableNodeId(value: string): string {
  const id = normalizeNodeId(value);
  if (id === "0000000000") throw invalid(`"${value}" is not a usable ZeroTier node id: address 0000000000 is reserved (the controller never stores it)`);
  if (id.startsWith("ff")) throw invalid(`"${value}" is not a usable ZeroTier node id: addresses starting with ff are reserved`);
  return id;
}

/**
 * One `ipAssignments` entry, canonical (RFC 5952 for IPv6). The controller never rejects a bad
 * address: it stores garbage with a dot as 0.0.0.0 and answers 500 to a non-string (recordings
 * #44, #46, #74), so addresses are checked here, before anything is sent.
 */
export function normalizeAssignment(value: string): string {
  const parsed = typeof value === "string" && !value.includes("/") ? parseAddress(value) : null;
  if (!parsed) throw invalid(`"${String(value)}" is not an IP address for ipAssignments (a bare IPv4 or IPv6 address, no /length)`);
  if (parsed.value === 0n) throw invalid(`"${value}" cannot be assigned to a member (unspecified address)`);
  return formatAddress(parsed.family, parsed.value);
}

/** Canonical form of an address as the controller returns it; null when it is not one. */
export function canonicalAddress(value: string): string | null {
  const parsed = parseAddress(value);
  return parsed ? formatAddress(parsed.family, parsed.value) : null;
}

/**
 * A route target in canonical form. The controller turns a target without /bits into /0 and keeps
 * host bits (recording #65), so only proper prefixes are accepted here.
 */
export function normalizeRouteTarget(value: string): string {
  const prefix = parsePrefix(value);
  if (!prefix) throw invalid(`"${value}" is not a route target: use a prefix with its length and host bits zero, such as 192.0.2.0/24`);
  return prefix.text;
}

/** Canonical form of a route target as stored (host bits kept); the input when unparsable. */
export function canonicalTarget(value: string): string {
  const [address, bits] = value.split("/");
  const parsed = address ? parseAddress(address) : null;
  return parsed && bits !== undefined ? `${formatAddress(parsed.family, parsed.value)}/${bits}` : value;
}
