import "server-only";
import { isIPv4, isIPv6 } from "node:net";
import { formatAddress, parseAddress, parsePrefix } from "@/lib/ip";

/**
 * BIRD strings have no escape sequences: `"` ends them and a newline is an error. Outside text
 * (PeeringDB names, descriptions) keeps only printable ASCII without `"` and `\`, shortened;
 * anything else becomes a space. It cannot end a string, a comment or a statement.
 */
export function safeText(value: string | null | undefined, maxLength = 64): string {
  if (!value) return "";
  return value
    .normalize("NFKD")
    .replace(/[^\x20-\x7e]/g, " ")
    .replace(/["\\]/g, " ")
    .replace(/\s+/g, " ")
    .trim()
    .slice(0, maxLength)
    .trim();
}

/** An IRR as-set (AS-FOO, RIPE::AS-FOO, AS64500:AS-BAR), or null when it is anything else. */
export function safeAsSet(value: string | null | undefined): string | null {
  if (!value) return null;
  const first = value.trim().split(/[\s,]+/)[0] ?? "";
  return /^([A-Z0-9-]{1,16}::)?(AS\d+|AS-[A-Z0-9_-]+)(:(AS\d+|AS-[A-Z0-9_-]+))*$/i.test(first) && first.length <= 100 ? first.toUpperCase() : null;
}

export function asnLiteral(asn: number): string {
  if (!Number.isInteger(asn) || asn < 1 || asn > 4294967295) throw new Error(`not an ASN: ${asn}`);
  return String(asn);
}

export function addressLiteral(address: string, family: 4 | 6): string {
  const text = address.trim();
  // Node's isIPv4 admits only canonical dotted quads (no leading zeros): already the literal.
  if (family === 4 && isIPv4(text)) return text;
  if (family === 6 && isIPv6(text)) {
    const canonical = canonicalIpv6(text);
    if (canonical) return canonical;
  }
  const parsed = parseAddress(address);
  if (!parsed || parsed.family !== family || (family === 4 ? !isIPv4(text) : !isIPv6(text))) {
    throw new Error(`not an IPv${family} address: ${JSON.stringify(address)}`);
  }
  return formatAddress(family, parsed.value);
}

/** RFC 5952 text of a plain IPv6 address (no embedded IPv4, no zone), without BigInt; else null. */
function canonicalIpv6(text: string): string | null {
  if (text.includes(".") || text.includes("%")) return null;
  const halves = text.split("::");
  const left = halves[0] ? halves[0].split(":") : [];
  const right = halves.length > 1 && halves[1] ? halves[1].split(":") : [];
  const groups = [...left, ...Array<string>(halves.length > 1 ? 8 - left.length - right.length : 0).fill("0"), ...right].map((group) => parseInt(group, 16));
  if (groups.length !== 8) return null;
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

/** A prefix-list entry as bgpq4 prints it for BIRD: P, P+, P{a,b}; anything else is refused. */
export function prefixListEntry(entry: string, family: 4 | 6): string {
  const match = /^([0-9a-fA-F:.]+\/\d{1,3})(\+|\{(\d{1,3}),(\d{1,3})\})?$/.exec(entry.trim());
  const prefix = match ? parsePrefix(match[1]!) : null;
  if (!match || !prefix || prefix.family !== family) throw new Error(`not an IPv${family} prefix-list entry: ${JSON.stringify(entry)}`);
  const bits = family === 4 ? 32 : 128;
  if (match[3] !== undefined) {
    const low = Number(match[3]);
    const high = Number(match[4]);
    if (low < prefix.length || high < low || high > bits) throw new Error(`bad length range in ${JSON.stringify(entry)}`);
    return `${prefix.text}{${low},${high}}`;
  }
  return `${prefix.text}${match[2] ?? ""}`;
}

/** TCP-MD5 keys: printable ASCII without quotes or backslashes, at most 80 bytes (Linux). */
export function passwordLiteral(password: string): string {
  if (!/^[\x21\x23-\x5b\x5d-\x7e]{1,80}$/.test(password)) throw new Error("BGP password must be 1-80 printable characters without quotes, backslashes or spaces");
  return password;
}

/** RTR cache host names: a host name or an address, nothing that could leave the string. */
export function hostLiteral(host: string): string {
  if (isIPv4(host) || isIPv6(host) || /^(?=.{1,253}$)([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)(\.[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/.test(host)) return host;
  throw new Error(`not a host name: ${JSON.stringify(host)}`);
}
