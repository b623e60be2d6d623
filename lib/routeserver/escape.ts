import "server-only";
import { isIPv4, isIPv6 } from "node:net";
import { formatAddress, formatIpv6Groups, ipv6Groups, parseAddress, parsePrefix } from "@/lib/addressing/ip";

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
  // Fast paths (a 2,000-member config has 4,000 addresses); anything unusual takes the full parser.
  // isIPv4 takes canonical dotted quads only (no leading zeros): such text is already canonical.
  if (family === 4 && isIPv4(text)) return text;
  if (family === 6) {
    const groups = ipv6Groups(text);
    if (groups) return formatIpv6Groups(groups);
  }
  const parsed = parseAddress(address);
  if (!parsed || parsed.family !== family || (family === 4 ? !isIPv4(text) : !isIPv6(text))) {
    throw new Error(`not an IPv${family} address: ${JSON.stringify(address)}`);
  }
  return formatAddress(family, parsed.value);
}

/** A prefix (host bits zero) in canonical text, without BigInt for the plain cases; else null. */
function prefixText(text: string, family: 4 | 6): string | null {
  const slash = text.indexOf("/");
  const length = Number(text.slice(slash + 1));
  const address = text.slice(0, slash);
  if (family === 4 && isIPv4(address) && length <= 32) {
    const value = address.split(".").reduce((sum, octet) => sum * 256 + Number(octet), 0);
    return value % 2 ** (32 - length) === 0 ? `${address}/${length}` : null;
  }
  const groups = family === 6 ? ipv6Groups(address) : null;
  if (groups && length <= 128) {
    for (let index = 0; index < 8; index++) {
      const hostBits = Math.min(16, Math.max(0, (index + 1) * 16 - length));
      if (groups[index]! % 2 ** hostBits !== 0) return null;
    }
    return `${formatIpv6Groups(groups)}/${length}`;
  }
  const prefix = parsePrefix(text);
  return prefix && prefix.family === family ? prefix.text : null;
}

/** A prefix-list entry as bgpq4 prints it for BIRD: P, P+, P{a,b}; anything else is refused. */
export function prefixListEntry(entry: string, family: 4 | 6): string {
  const match = /^([0-9a-fA-F:.]+\/(\d{1,3}))(\+|\{(\d{1,3}),(\d{1,3})\})?$/.exec(entry.trim());
  const prefix = match ? prefixText(match[1]!, family) : null;
  if (!match || !prefix) throw new Error(`not an IPv${family} prefix-list entry: ${JSON.stringify(entry)}`);
  const bits = family === 4 ? 32 : 128;
  if (match[4] !== undefined) {
    const low = Number(match[4]);
    const high = Number(match[5]);
    if (low < Number(match[2]) || high < low || high > bits) throw new Error(`bad length range in ${JSON.stringify(entry)}`);
    return `${prefix}{${low},${high}}`;
  }
  return `${prefix}${match[3] ?? ""}`;
}

/** TCP-MD5 keys: printable ASCII without quotes or backslashes, at most 80 bytes (Linux). */
export function passwordLiteral(password: string): string {
  if (!/^[\x21\x23-\x5b\x5d-\x7e]{1,80}$/.test(password)) throw new Error("BGP password must be 1-80 printable characters without quotes, backslashes or spaces");
  return password;
}

/** RTR cache host names: a host name or an address, nothing that could leave the string. */
export function hostLiteral(host: string): string {
  if (/^(?=.{1,253}$)([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)(\.[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/.test(host) || isIPv4(host) || isIPv6(host)) return host;
  throw new Error(`not a host name: ${JSON.stringify(host)}`);
}
