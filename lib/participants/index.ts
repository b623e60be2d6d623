import "server-only";
import { sql } from "kysely";
import type { Db } from "@/db";
import { connectionSearchConditions } from "@/lib/connections/queries";
import type { TEnvironment } from "@/lib/config";
import { offsetOf, type ListParams } from "@/lib/lists/list-params";
import { direction } from "@/lib/lists/order";

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

function participantsQuery(db: Db) {
  return db
    .selectFrom("connections")
    .innerJoin("lans", "lans.id", "connections.lan_id")
    .leftJoin("networks", "networks.asn", "connections.asn")
    .where("connections.state", "in", LISTED_STATES);
}

/** When a participant's connection went live (older rows may lack the provisioning time). */
const sinceColumn = sql<Date>`coalesce(connections.provisioned_at, connections.decided_at, connections.created_at)`;

const participantColumns = [
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
] as const;

type ParticipantRow = {
  id: number;
  asn: number;
  name: string | null;
  peeringdb_id: number | null;
  irr_as_set: string | null;
  info_prefixes4: number | null;
  info_prefixes6: number | null;
  max_prefix4_override: number | null;
  max_prefix6_override: number | null;
  lan_id: number;
  lan_name: string;
  route_server_peering: boolean;
  ipv4_address: string | null;
  ipv6_address: string | null;
  state: string;
  since: Date | string;
};

function participantOf(row: ParticipantRow): Participant {
  return {
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
    since: new Date(row.since),
  };
}

/** The exchange's participants: every provisioned or active connection, by ASN then LAN. */
export async function listParticipants(db: Db): Promise<Participant[]> {
  const rows = await participantsQuery(db)
    .select(participantColumns)
    .select(sinceColumn.as("since"))
    .orderBy("connections.asn")
    .orderBy("lans.name")
    .orderBy("connections.id")
    .execute();
  return rows.map(participantOf);
}

/** The participants page's sort names, each mapped to a column (never SQL from the URL). */
export const PARTICIPANT_SORTS = ["asn", "name", "lan", "address", "since"] as const;
export type ParticipantSort = (typeof PARTICIPANT_SORTS)[number];
const PARTICIPANT_SORT_COLUMNS = {
  asn: sql.ref("connections.asn"),
  name: sql.ref("networks.name"),
  lan: sql.ref("lans.name"),
  address: sql.ref("connections.ipv4_address"),
  since: sinceColumn,
} as const satisfies Record<ParticipantSort, unknown>;

export function participantListSpec(lanIds: number[]) {
  return { sorts: PARTICIPANT_SORTS, defaultSort: "asn", defaultDir: "asc", filters: { lan: lanIds.map(String) } } as const;
}

/**
 * One page of the participants, sorted by a known column (ties by ASN, then connection). The
 * search text matches an ASN, part of a network's name or the start of an address; never a
 * node id, which the page does not show.
 */
export async function pageParticipants(db: Db, params: ListParams<ParticipantSort, "lan">) {
  let query = participantsQuery(db);
  if (params.filters.lan) query = query.where("connections.lan_id", "=", Number(params.filters.lan));
  if (params.q) query = query.where((eb) => eb.or(connectionSearchConditions(eb, params.q, { nodeId: false })));
  const [rows, count] = await Promise.all([
    query
      .select(participantColumns)
      .select(sinceColumn.as("since"))
      .orderBy(PARTICIPANT_SORT_COLUMNS[params.sort], direction(params.dir, params.sort === "name" || params.sort === "address"))
      .orderBy("connections.asn", params.dir)
      .orderBy("connections.id", params.dir)
      .limit(params.size)
      .offset(offsetOf(params))
      .execute(),
    query.select((eb) => eb.fn.countAll<number>().as("total")).executeTakeFirstOrThrow(),
  ]);
  return { rows: rows.map(participantOf), total: Number(count.total) };
}

/** How many networks are on the exchange (an ASN with several connections counts once). */
export async function countParticipantNetworks(db: Db) {
  const row = await participantsQuery(db).select((eb) => eb.fn.count<number>("connections.asn").distinct().as("networks")).executeTakeFirstOrThrow();
  return Number(row.networks);
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
