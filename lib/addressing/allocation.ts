import "server-only";
import { sql } from "kysely";
import type { Db } from "@/db";
import { ConflictError, DomainError } from "@/lib/errors";
import { formatAddress, normalizeAddress, parseAddress, parsePrefix, prefixContains, prefixSize, type Family, type Prefix } from "./ip";

/**
 * Peering-LAN address assignment.
 *
 * IPv4: the lowest free host address of the LAN prefix, after the network address and the
 * LAN's `reserved_host_count` first hosts (kept for route servers and monitoring), never the
 * broadcast address, never an address that is assigned, reserved or in quarantine.
 *
 * IPv6, per LAN (`ipv6_scheme`):
 * - `asn` (default): the ASN in decimal, read as hex digits, after the marker `a5`, then a
 *   router number: AS64500 on 2001:db8:ffff::/64 gets 2001:db8:ffff:0:a500:6:4500:1 (its second
 *   router ...:4500:2). Readable in `show bgp` output; needs a prefix of /64 or shorter.
 * - `sequential`: like IPv4, the lowest free host after the reserved ones (2001:db8:ffff::b, ...).
 *
 * Deterministic for a given database state, and collision-free under concurrency: the LAN row
 * is locked while assigning, and a partial unique index on live addresses backs it up.
 *
 * A released address is quarantined for the LAN's `quarantine_days` before it can be handed out
 * again: peers' ARP/ND caches and BGP sessions may still point at it.
 */

type LanAddressing = {
  id: number;
  ipv4_prefix: string;
  ipv6_prefix: string;
  ipv6_scheme: string;
  reserved_host_count: number;
  quarantine_days: number;
};

export type AssignedAddresses = { ipv4: string; ipv6: string };

async function lockLan(db: Db, lanId: number): Promise<LanAddressing> {
  const lan = await db
    .selectFrom("lans")
    .select(["id", "ipv4_prefix", "ipv6_prefix", "ipv6_scheme", "reserved_host_count", "quarantine_days"])
    .where("id", "=", lanId)
    .forUpdate()
    .executeTakeFirst();
  if (!lan) throw new DomainError(`peering LAN ${lanId} does not exist`);
  return lan;
}

/** Every address in use on the LAN, in one canonical spelling, with who holds it. */
async function liveAddresses(db: Db, lanId: number): Promise<Map<string, string>> {
  // Quarantine that ran out frees the address.
  await db
    .updateTable("address_allocations")
    .set({ state: "released" })
    .where("lan_id", "=", lanId)
    .where("state", "=", "quarantined")
    .where("quarantine_until", "<=", sql<Date>`now()`)
    .execute();
  const rows = await db
    .selectFrom("address_allocations")
    .select(["address", "state", "connection_id", "note"])
    .where("lan_id", "=", lanId)
    .where("state", "in", ["assigned", "reserved", "quarantined"])
    .execute();
  return new Map(rows.map((row) => [normalizeAddress(row.address) ?? row.address, holderOf(row)]));
}

function holderOf(row: { state: string; connection_id: number | string | null; note: string | null }) {
  if (row.state === "quarantined") return "in quarantine after a removal";
  if (row.connection_id !== null) return `assigned to connection ${row.connection_id}`;
  return row.note ?? "reserved";
}

function prefixOf(text: string): Prefix {
  const prefix = parsePrefix(text);
  if (!prefix) throw new Error(`stored LAN prefix ${text} does not parse`);
  return prefix;
}

function lowestFreeHost(prefix: Prefix, reserved: number, taken: Map<string, string>): string | null {
  const size = prefixSize(prefix);
  // IPv4 keeps the network and broadcast addresses out; IPv6 only the subnet-router anycast (::0).
  const last = prefix.family === 4 ? size - 2n : size - 1n;
  for (let offset = BigInt(1 + reserved); offset <= last; offset++) {
    const address = formatAddress(prefix.family, prefix.network + offset);
    if (!taken.has(address)) return address;
  }
  return null;
}

export function asnEmbeddedAddress(prefix: Prefix, asn: number, router: number): string {
  const digits = String(asn).padStart(10, "0");
  // "a5" + ten decimal digits + router number, as 16-bit groups: a5DD:DDDD:DDDD:RRRR.
  const iid = BigInt(`0x${`a5${digits}`}`) << 16n | BigInt(router);
  return formatAddress(6, prefix.network | iid);
}

function freeIpv6(lan: LanAddressing, asn: number, taken: Map<string, string>): string | null {
  const prefix = prefixOf(lan.ipv6_prefix);
  if (lan.ipv6_scheme === "sequential") return lowestFreeHost(prefix, lan.reserved_host_count, taken);
  if (prefix.length > 64) throw new DomainError(`the ASN-based IPv6 scheme needs a /64 or shorter, not ${prefix.text}`);
  for (let router = 1; router <= 0xffff; router++) {
    const address = asnEmbeddedAddress(prefix, asn, router);
    if (!taken.has(address)) return address;
  }
  return null;
}

/** Checks an address an operator chose by hand: inside the LAN prefix, a host, and free. */
function checkManualAddress(text: string, family: Family, lan: LanAddressing, taken: Map<string, string>, field: string): string {
  const prefix = prefixOf(family === 4 ? lan.ipv4_prefix : lan.ipv6_prefix);
  const parsed = parseAddress(text);
  const fail = (message: string) => new DomainError(message, { [field]: [message] });
  if (!parsed || parsed.family !== family) throw fail(`${text} is not an IPv${family} address`);
  if (!prefixContains(prefix, parsed)) throw fail(`${text} is outside the LAN prefix ${prefix.text}`);
  const offset = parsed.value - prefix.network;
  if (offset === 0n || (family === 4 && offset === prefixSize(prefix) - 1n)) throw fail(`${text} is the network or broadcast address of ${prefix.text}`);
  const normalized = formatAddress(family, parsed.value);
  const holder = taken.get(normalized);
  if (holder) throw fail(`${normalized} is already in use on this LAN (${holder})`);
  if (offset <= BigInt(lan.reserved_host_count)) {
    throw fail(`${text} is one of the first ${lan.reserved_host_count} hosts of ${prefix.text}, which the exchange keeps for route servers`);
  }
  return normalized;
}

/**
 * Assigns (or returns the already assigned) IPv4 and IPv6 addresses of a connection. Run it
 * inside the transaction that moves the connection forward.
 */
export async function assignAddresses(
  db: Db,
  input: { lanId: number; connectionId: number; asn: number; manual?: { ipv4?: string | null; ipv6?: string | null } },
): Promise<AssignedAddresses> {
  const lan = await lockLan(db, input.lanId);
  const existing = await db
    .selectFrom("address_allocations")
    .select(["address"])
    .where("connection_id", "=", input.connectionId)
    .where("state", "=", "assigned")
    .execute();
  const addresses = existing.map((row) => normalizeAddress(row.address) ?? row.address);
  const current = { ipv4: addresses.find((address) => address.includes(".")), ipv6: addresses.find((address) => address.includes(":")) };
  const taken = await liveAddresses(db, lan.id);

  const ipv4 =
    current.ipv4 ??
    (input.manual?.ipv4 ? checkManualAddress(input.manual.ipv4, 4, lan, taken, "ipv4") : lowestFreeHost(prefixOf(lan.ipv4_prefix), lan.reserved_host_count, taken));
  if (!ipv4) throw new DomainError(`no free IPv4 address is left in ${lan.ipv4_prefix}`, { lan: ["the LAN's IPv4 prefix is exhausted"] });
  const ipv6 = current.ipv6 ?? (input.manual?.ipv6 ? checkManualAddress(input.manual.ipv6, 6, lan, taken, "ipv6") : freeIpv6(lan, input.asn, taken));
  if (!ipv6) throw new DomainError(`no free IPv6 address is left in ${lan.ipv6_prefix}`, { lan: ["the LAN's IPv6 prefix is exhausted"] });

  const fresh = [ipv4, ipv6].filter((address) => address !== current.ipv4 && address !== current.ipv6);
  if (fresh.length > 0) {
    await db
      .insertInto("address_allocations")
      .values(fresh.map((address) => ({ lan_id: lan.id, address, state: "assigned", connection_id: input.connectionId })))
      .execute();
  }
  return { ipv4, ipv6 };
}

/** Checks hand-set addresses without assigning them (for the approval form's field errors). */
export async function validateManualAddresses(db: Db, lanId: number, manual: { ipv4?: string | null; ipv6?: string | null }) {
  const lan = await db
    .selectFrom("lans")
    .select(["id", "ipv4_prefix", "ipv6_prefix", "ipv6_scheme", "reserved_host_count", "quarantine_days"])
    .where("id", "=", lanId)
    .executeTakeFirstOrThrow();
  const taken = await liveAddresses(db, lanId);
  return {
    ipv4: manual.ipv4 ? checkManualAddress(manual.ipv4, 4, lan, taken, "ipv4") : null,
    ipv6: manual.ipv6 ? checkManualAddress(manual.ipv6, 6, lan, taken, "ipv6") : null,
  };
}

/** Moves a connection's addresses into quarantine; they return to the pool when it ends. */
export async function releaseAddresses(db: Db, connectionId: number) {
  const lan = await db
    .selectFrom("connections")
    .innerJoin("lans", "lans.id", "connections.lan_id")
    .select(["lans.id", "lans.quarantine_days"])
    .where("connections.id", "=", connectionId)
    .executeTakeFirstOrThrow();
  await db
    .updateTable("address_allocations")
    .set({
      state: "quarantined",
      released_at: sql<Date>`now()`,
      quarantine_until: sql<Date>`now() + make_interval(days => ${lan.quarantine_days})`,
    })
    .where("connection_id", "=", connectionId)
    .where("state", "=", "assigned")
    .execute();
}

/**
 * Refuses addresses already in use on the LAN (by a member, another route server, a reservation
 * or quarantine), with a field error naming the holder. PostgreSQL enforces the same rule
 * (migration one-address-space); this check only makes the message clear.
 */
export async function assertAddressesFree(db: Db, lanId: number, addresses: { ipv4?: string | null; ipv6?: string | null }) {
  const taken = await liveAddresses(db, lanId);
  const fieldErrors: Record<string, string[]> = {};
  for (const field of ["ipv4", "ipv6"] as const) {
    const address = addresses[field] ? normalizeAddress(addresses[field]!) : null;
    const holder = address ? taken.get(address) : undefined;
    if (address && holder) fieldErrors[field] = [`${address} is already in use on this LAN (${holder})`];
  }
  const messages = Object.values(fieldErrors).flat();
  if (messages.length > 0) throw new ConflictError(messages.join("; "), fieldErrors);
}

/** Holds an address for the exchange itself (e.g. a LAN's blackhole next hop): no member gets it. */
export async function reserveAddress(db: Db, lanId: number, address: string, note: string) {
  const parsed = parseAddress(address);
  if (!parsed) throw new DomainError(`${address} is not an IP address`);
  await db
    .insertInto("address_allocations")
    .values({ lan_id: lanId, address: formatAddress(parsed.family, parsed.value), state: "reserved", note })
    .onConflict((oc) => oc.doNothing())
    .execute();
}
