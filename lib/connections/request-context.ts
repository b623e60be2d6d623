import "server-only";
import type { Db } from "@/db";
import { normalizeAddress, parsePrefix, prefixSize } from "@/lib/addressing/ip";
import { effectiveAsSet } from "@/lib/irr/prefix-lists";

/** ASN ranges no network on an exchange should use (RFC 6996 private, RFC 5398 documentation, reserved). */
const SPECIAL_ASNS: { from: number; to: number; what: string }[] = [
  { from: 0, to: 0, what: "reserved (AS0)" },
  { from: 23456, to: 23456, what: "AS_TRANS (RFC 6793)" },
  { from: 64496, to: 64511, what: "documentation (RFC 5398)" },
  { from: 64512, to: 65534, what: "private (RFC 6996)" },
  { from: 65535, to: 65535, what: "reserved" },
  { from: 65536, to: 65551, what: "documentation (RFC 5398)" },
  { from: 65552, to: 131071, what: "reserved" },
  { from: 4200000000, to: 4294967294, what: "private (RFC 6996)" },
  { from: 4294967295, to: 4294967295, what: "reserved" },
];

export function specialAsn(asn: number) {
  return SPECIAL_ASNS.find((range) => asn >= range.from && asn <= range.to)?.what ?? null;
}

export type RequestContext = {
  network: { name: string | null; irrAsSet: string | null; asSet: ReturnType<typeof effectiveAsSet>; prefixes4: number | null; prefixes6: number | null; peeringDbUrl: string; knownToPeeringDb: boolean | null } | null;
  warnings: string[];
};

/**
 * What an operator needs to decide on requests: each network's PeeringDB record and warnings
 * (a private or bogon ASN, a LAN with no free IPv4 address, a network without an as-set).
 */
export async function requestContexts(db: Db, requests: { id: number; asn: number; lanName: string }[]) {
  const contexts = new Map<number, RequestContext>();
  if (requests.length === 0) return contexts;
  const asns = [...new Set(requests.map((request) => request.asn))];
  const lanNames = [...new Set(requests.map((request) => request.lanName))];
  const networks = await db.selectFrom("networks").select(["asn", "name", "irr_as_set", "irr_as_set_override", "info_prefixes4", "info_prefixes6", "peeringdb_id", "known_to_peeringdb"]).where("asn", "in", asns).execute();
  const lans = await db.selectFrom("lans").select(["id", "name", "ipv4_prefix", "reserved_host_count"]).where("name", "in", lanNames).execute();
  const lanIds = lans.map((lan) => lan.id);
  if (lanIds.length === 0) return contexts;
  const taken = await db
    .selectFrom("address_allocations")
    .select(["lan_id", "address"])
    .where("lan_id", "in", lanIds)
    .where("state", "in", ["assigned", "reserved", "quarantined"])
    .execute();
  const freeIpv4 = new Map(
    lans.map((lan) => {
      const prefix = parsePrefix(lan.ipv4_prefix)!;
      const usable = prefixSize(prefix) - 2n - BigInt(lan.reserved_host_count);
      const used = taken.filter((row) => row.lan_id === lan.id && (normalizeAddress(row.address) ?? row.address).includes(".")).length;
      return [lan.name, { name: lan.name, free: usable - BigInt(used) }];
    }),
  );
  for (const request of requests) {
    const record = networks.find((network) => network.asn === request.asn);
    const warnings: string[] = [];
    const special = specialAsn(request.asn);
    if (special) warnings.push(`AS${request.asn} is a ${special} ASN: it cannot be announced on the Internet.`);
    if (!record || record.known_to_peeringdb === false) warnings.push(`AS${request.asn} has no PeeringDB record.`);
    else if (effectiveAsSet(record).origin !== "PeeringDB" && !record.irr_as_set_override) {
      warnings.push(`The network has no as-set in PeeringDB: IRR filtering accepts only AS${request.asn}'s own route objects, not its customers' (an operator can set an as-set on its network page).`);
    }
    const lan = freeIpv4.get(request.lanName);
    if (lan && lan.free <= 0n) warnings.push(`LAN ${lan.name} has no free IPv4 address left: approving fails until one is released or the prefix grows.`);
    contexts.set(request.id, {
      network: record
        ? {
            name: record.name,
            irrAsSet: record.irr_as_set,
            asSet: effectiveAsSet(record),
            prefixes4: record.info_prefixes4,
            prefixes6: record.info_prefixes6,
            peeringDbUrl: record.peeringdb_id ? `https://www.peeringdb.com/net/${record.peeringdb_id}` : `https://www.peeringdb.com/asn/${request.asn}`,
            knownToPeeringDb: record.known_to_peeringdb,
          }
        : null,
      warnings,
    });
  }
  return contexts;
}
