import { isIPv4, isIPv6 } from "node:net";

/** IP prefixes and addresses as integers (BigInt), for address assignment. */
export type Family = 4 | 6;
export type Prefix = { family: Family; network: bigint; length: number; text: string };

const BITS: Record<Family, number> = { 4: 32, 6: 128 };
const IPV6_GROUP = /^[0-9a-fA-F]{1,4}$/;

export function parseAddress(text: string): { family: Family; value: bigint } | null {
  const address = text.trim();
  if (isIPv4(address)) {
    const value = address.split(".").reduce((sum, octet) => (sum << 8n) + BigInt(Number(octet)), 0n);
    return { family: 4, value };
  }
  if (isIPv6(address) && !address.includes("%")) {
    let head = address;
    let tailV4: bigint | null = null;
    // An embedded IPv4 tail (::ffff:192.0.2.1) is two groups.
    const lastColon = head.lastIndexOf(":");
    if (head.slice(lastColon + 1).includes(".")) {
      const v4 = parseAddress(head.slice(lastColon + 1));
      if (!v4 || v4.family !== 4) return null;
      tailV4 = v4.value;
      head = `${head.slice(0, lastColon + 1)}0:0`;
    }
    const groups = ipv6Groups(head);
    if (!groups) return null;
    let value = groups.reduce((sum, group) => (sum << 16n) + BigInt(group), 0n);
    if (tailV4 !== null) value = (value & ~0xffffffffn) | tailV4;
    return { family: 6, value };
  }
  return null;
}

export function formatAddress(family: Family, value: bigint): string {
  if (family === 4) return [24n, 16n, 8n, 0n].map((shift) => String((value >> shift) & 255n)).join(".");
  const groups = Array.from({ length: 8 }, (_, index) => Number((value >> BigInt(112 - index * 16)) & 0xffffn));
  return formatIpv6Groups(groups);
}

/**
 * The eight groups of a plain IPv6 address (no embedded IPv4, no zone), or null. Cheap enough for
 * the route servers' configs (thousands of addresses) without going through BigInt.
 */
export function ipv6Groups(text: string): number[] | null {
  const halves = text.split("::");
  if (halves.length > 2) return null;
  const left = halves[0] ? halves[0].split(":") : [];
  const right = halves.length > 1 && halves[1] ? halves[1].split(":") : [];
  const missing = 8 - left.length - right.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return null;
  const parts = [...left, ...Array<string>(missing).fill("0"), ...right];
  if (!parts.every((part) => IPV6_GROUP.test(part))) return null;
  return parts.map((part) => parseInt(part, 16));
}

/** RFC 5952 text of eight IPv6 groups: the longest run (≥ 2) of zero groups compressed, lower case. */
export function formatIpv6Groups(groups: number[]): string {
  let bestStart = -1;
  let bestLength = 0;
  for (let start = 0; start < 8; ) {
    if (groups[start] !== 0) {
      start++;
      continue;
    }
    let end = start;
    while (end < 8 && groups[end] === 0) end++;
    if (end - start > bestLength && end - start >= 2) {
      bestStart = start;
      bestLength = end - start;
    }
    start = end;
  }
  const hex = groups.map((group) => group.toString(16));
  return bestStart < 0 ? hex.join(":") : `${hex.slice(0, bestStart).join(":")}::${hex.slice(bestStart + bestLength).join(":")}`;
}

export function parsePrefix(text: string): Prefix | null {
  const [addressText, lengthText, ...rest] = text.trim().split("/");
  if (rest.length > 0 || !addressText || lengthText === undefined || !/^\d{1,3}$/.test(lengthText)) return null;
  const address = parseAddress(addressText);
  if (!address) return null;
  const length = Number(lengthText);
  const bits = BITS[address.family];
  if (length > bits) return null;
  const hostMask = (1n << BigInt(bits - length)) - 1n;
  // A prefix must be written with its host bits zero (192.0.2.0/24, not 192.0.2.7/24).
  if ((address.value & hostMask) !== 0n) return null;
  return { family: address.family, network: address.value, length, text: `${formatAddress(address.family, address.value)}/${length}` };
}

export function prefixSize(prefix: Prefix): bigint {
  return 1n << BigInt(BITS[prefix.family] - prefix.length);
}

export function prefixContains(prefix: Prefix, address: { family: Family; value: bigint }) {
  return address.family === prefix.family && address.value >= prefix.network && address.value < prefix.network + prefixSize(prefix);
}

export function normalizeAddress(text: string): string | null {
  const parsed = parseAddress(text);
  return parsed ? formatAddress(parsed.family, parsed.value) : null;
}
