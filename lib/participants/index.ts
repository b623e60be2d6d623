import "server-only";
import type { Db } from "@/db";
import type { TEnvironment } from "@/lib/config";

/** A router on the LAN, authorized with its addresses: listed whether or not it peers with the route servers. */
export const LISTED_STATES = ["provisioned", "active"] as const;

/** The exchange's identity, from operator configuration (ZTIX_IX_*). */
export type IxIdentity = { name?: string; shortname?: string; ixfId?: number; peeringDbIxId?: number; country?: string; url?: string; supportEmail?: string };

export function ixIdentityFrom(config: TEnvironment): IxIdentity {
  return {
    name: config.ZTIX_IX_NAME,
    shortname: config.ZTIX_IX_SHORTNAME,
    ixfId: config.ZTIX_IXF_ID,
    peeringDbIxId: config.ZTIX_PEERINGDB_IX_ID,
    country: config.ZTIX_IX_COUNTRY,
    url: config.ZTIX_IX_URL,
    supportEmail: config.ZTIX_IX_SUPPORT_EMAIL,
  };
}

/** What the export cannot be made without, as the variables to set (empty when complete). */
export function missingIdentity(identity: IxIdentity): string[] {
  return [...(identity.shortname ? [] : ["ZTIX_IX_SHORTNAME"]), ...(identity.ixfId ? [] : ["ZTIX_IXF_ID"])];
}

export type Participant = {
  connectionId: number;
  asn: number;
  name: string | null;
  peeringDbId: number | null;
  irrAsSet: string | null;
  maxPrefix4: number | null;
  maxPrefix6: number | null;
  lanId: number;
  lanName: string;
  routeServerPeering: boolean;
  ipv4: string | null;
  ipv6: string | null;
  state: string;
  since: Date;
};

/** The exchange's participants: every provisioned or active connection, by ASN then LAN. */
export async function listParticipants(db: Db): Promise<Participant[]> {
  const rows = await db
    .selectFrom("connections")
    .innerJoin("lans", "lans.id", "connections.lan_id")
    .leftJoin("networks", "networks.asn", "connections.asn")
    .select([
      "connections.id",
      "connections.asn",
      "networks.name",
      "networks.peeringdb_id",
      "networks.irr_as_set",
      "networks.info_prefixes4",
      "networks.info_prefixes6",
      "connections.max_prefix4_override",
      "connections.max_prefix6_override",
      "lans.id as lan_id",
      "lans.name as lan_name",
      "connections.route_server_peering",
      "connections.ipv4_address",
      "connections.ipv6_address",
      "connections.state",
      "connections.provisioned_at",
      "connections.decided_at",
      "connections.created_at",
    ])
    .where("connections.state", "in", LISTED_STATES)
    .orderBy("connections.asn")
    .orderBy("lans.name")
    .orderBy("connections.id")
    .execute();
  return rows.map((row) => ({
    connectionId: row.id,
    asn: row.asn,
    name: row.name,
    peeringDbId: row.peeringdb_id,
    irrAsSet: row.irr_as_set,
    maxPrefix4: row.max_prefix4_override ?? row.info_prefixes4,
    maxPrefix6: row.max_prefix6_override ?? row.info_prefixes6,
    lanId: row.lan_id,
    lanName: row.lan_name,
    routeServerPeering: row.route_server_peering,
    ipv4: row.ipv4_address,
    ipv6: row.ipv6_address,
    state: row.state,
    since: new Date(row.provisioned_at ?? row.decided_at ?? row.created_at),
  }));
}

/** PeeringDB's page of a network: by its PeeringDB id when known, else by ASN. */
export function peeringDbLink(participant: Pick<Participant, "asn" | "peeringDbId">): string {
  return participant.peeringDbId ? `https://www.peeringdb.com/net/${participant.peeringDbId}` : `https://www.peeringdb.com/asn/${participant.asn}`;
}

/** The ixp_id of the exchange inside its own export: one exchange per ztix installation. */
export const EXPORT_IXP_ID = 1;

const prefixParts = (cidr: string) => {
  const [prefix, length] = cidr.split("/");
  return { prefix: prefix!, mask_length: Number(length) };
};
const definedOnly = <T extends Record<string, unknown>>(object: T) => Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined && value !== null)) as Partial<T>;

/**
 * The IX-F Member Export, schema version 1.0: the exchange (with each peering LAN as a VLAN)
 * and its members with their connections' addresses and route-server peering.
 */
export async function buildIxfExport(db: Db, identity: IxIdentity, now: Date = new Date()) {
  const missing = missingIdentity(identity);
  if (missing.length > 0) throw new Error(`the IX-F export needs ${missing.join(" and ")}`);
  const [lans, participants] = await Promise.all([
    db.selectFrom("lans").select(["id", "name", "ipv4_prefix", "ipv6_prefix"]).orderBy("id").execute(),
    listParticipants(db),
  ]);
  const byAsn = new Map<number, Participant[]>();
  for (const participant of participants) byAsn.set(participant.asn, [...(byAsn.get(participant.asn) ?? []), participant]);
  return {
    version: "1.0",
    timestamp: now.toISOString().replace(/\.\d{3}Z$/, "Z"),
    ixp_list: [
      definedOnly({
        ixp_id: EXPORT_IXP_ID,
        ixf_id: identity.ixfId!,
        shortname: identity.shortname!,
        name: identity.name,
        url: identity.url,
        country: identity.country,
        peeringdb_id: identity.peeringDbIxId,
        support_email: identity.supportEmail,
        vlan: lans.map((lan) => ({ id: lan.id, name: lan.name, ipv4: prefixParts(lan.ipv4_prefix), ipv6: prefixParts(lan.ipv6_prefix) })),
      }),
    ],
    member_list: [...byAsn.entries()].map(([asn, connections]) =>
      definedOnly({
        asnum: asn,
        member_type: "peering",
        name: connections[0]!.name ?? undefined,
        member_since: new Date(Math.min(...connections.map((connection) => connection.since.getTime()))).toISOString().replace(/\.\d{3}Z$/, "Z"),
        connection_list: connections.map((connection) => ({
          ixp_id: EXPORT_IXP_ID,
          state: "active",
          connected_since: connection.since.toISOString().replace(/\.\d{3}Z$/, "Z"),
          vlan_list: [
            definedOnly({
              vlan_id: connection.lanId,
              ipv4: connection.ipv4
                ? definedOnly({ address: connection.ipv4, routeserver: connection.routeServerPeering, as_macro: connection.irrAsSet ?? undefined, max_prefix: connection.maxPrefix4 ?? undefined })
                : undefined,
              ipv6: connection.ipv6
                ? definedOnly({ address: connection.ipv6, routeserver: connection.routeServerPeering, as_macro: connection.irrAsSet ?? undefined, max_prefix: connection.maxPrefix6 ?? undefined })
                : undefined,
            }),
          ],
        })),
      }),
    ),
  };
}
