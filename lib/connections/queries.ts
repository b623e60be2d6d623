import "server-only";
import { expressionBuilder, sql, type Expression, type ExpressionBuilder, type SqlBool } from "kysely";
import type { Db } from "@/db";
import type { DB } from "@/db/schema.generated";
import { isStaff } from "@/lib/auth/roles";
import { isRecordId, likePattern, type ListParams } from "@/lib/lists/list-params";
import { direction } from "@/lib/lists/order";
import { countOf, pagedQuery, type Beside } from "@/lib/lists/paged-query";
import type { SessionUser } from "@/lib/auth/users";
import { CONNECTION_STATES, type ConnectionState } from "./state";

export type ConnectionFilters = { state?: ConnectionState; asn?: number; lanId?: number; search?: string };

/** The connections list's sort names, each mapped to a column below (never SQL from the URL). */
export const CONNECTION_SORTS = ["id", "asn", "network", "lan", "node", "address", "state", "created"] as const;
export type ConnectionSort = (typeof CONNECTION_SORTS)[number];
const SORT_COLUMNS = {
  id: "connections.id",
  asn: "connections.asn",
  network: "networks.name",
  lan: "lans.name",
  node: "connections.zt_node_id",
  address: "connections.ipv4_address",
  state: "connections.state",
  created: "connections.created_at",
} as const satisfies Record<ConnectionSort, string>;

export type ConnectionListParams = ListParams<ConnectionSort, "state" | "lan">;

/** The list's URL state; a LAN filter names a LAN by id (one that does not exist matches nothing). */
export const connectionListSpec = { sorts: CONNECTION_SORTS, defaultSort: "id", defaultDir: "desc", filters: { state: CONNECTION_STATES, lan: isRecordId } } as const;

export function parseConnectionFilters(params: Record<string, string | undefined>): ConnectionFilters {
  const state = CONNECTION_STATES.find((candidate) => candidate === params.state);
  const asn = Number(params.asn?.replace(/^as/i, ""));
  const lanId = Number(params.lan);
  return {
    state,
    asn: Number.isInteger(asn) && asn > 0 ? asn : undefined,
    lanId: Number.isInteger(lanId) && lanId > 0 ? lanId : undefined,
  };
}

/** The list view's filters: its search text and state/LAN selections. */
export function connectionFiltersOf(params: ConnectionListParams): ConnectionFilters {
  return {
    state: CONNECTION_STATES.find((candidate) => candidate === params.filters.state),
    lanId: params.filters.lan ? Number(params.filters.lan) : undefined,
    search: params.q || undefined,
  };
}

/**
 * What a list's search text matches on a connection, by the text's
 * shape: an ASN ("64500", "AS64500"), part of the network's name, the start of an IPv4/IPv6
 * address, and with `nodeId` the start of a ZeroTier node id. For `eb.or`.
 */
export function connectionSearchConditions(eb: ExpressionBuilder<DB, "connections">, search: string, { nodeId }: { nodeId: boolean }) {
  const lower = search.toLowerCase();
  const asn = /^(as)?\d{1,10}$/i.test(search) ? Number(search.replace(/^as/i, "")) : null;
  return [
    // A subquery, not the joined name: a count can then run on connections alone.
    eb("connections.asn", "in", eb.selectFrom("networks").select("networks.asn").where("networks.name", "ilike", likePattern(search))),
    ...(asn !== null && asn <= 4294967295 ? [eb("connections.asn", "=", asn)] : []),
    ...(nodeId && /^[0-9a-f]{1,10}$/.test(lower) ? [eb("connections.zt_node_id", "like", `${lower}%`)] : []),
    // A whole address matches exactly (10.0.0.1 is not 10.0.0.10), a part by its start.
    ...(/^\d{1,3}(\.\d{1,3}){3}$/.test(search)
      ? [eb(sql<string>`host(connections.ipv4_address)`, "=", search)]
      : /^[0-9.]+$/.test(search) && search.includes(".")
        ? [eb(sql<string>`host(connections.ipv4_address)`, "like", `${search}%`)]
        : []),
    ...(/^[0-9a-f:]+$/.test(lower) && lower.includes(":") ? [eb(sql<string>`host(connections.ipv6_address)`, "like", `${lower}%`)] : []),
  ];
}

/**
 * Connections a user may see (members: their networks'), one page at a time, sorted by a known
 * column (ties broken by id). The search text matches what its shape can be: an ASN ("64500",
 * "AS64500"), the start of a node id, the start of an IPv4/IPv6 address, or part of the network's name.
 * `beside`: what the page shows next to the rows, read in the same statement (see pagedQuery).
 */
export async function listConnections<B extends Beside = Record<never, never>>(
  db: Db,
  user: SessionUser,
  filters: ConnectionFilters,
  page: { limit: number; offset: number },
  order: { sort: ConnectionSort; dir: "asc" | "desc" } = { sort: "id", dir: "desc" },
  beside?: B,
) {
  const conditions: Expression<SqlBool>[] = [];
  const eb = expressionBuilder<DB, "connections">();
  if (!isStaff(user.role)) {
    const asns = user.networks.map((network) => network.asn);
    // No network, no connections: the statement still reads what the page shows beside them.
    if (asns.length === 0) conditions.push(sql<SqlBool>`false`);
    else conditions.push(eb("connections.asn", "in", asns));
  }
  if (filters.state) conditions.push(eb("connections.state", "=", filters.state));
  if (filters.asn) conditions.push(eb("connections.asn", "=", filters.asn));
  if (filters.lanId) conditions.push(eb("connections.lan_id", "=", filters.lanId));
  const search = filters.search?.trim();
  if (search) conditions.push(eb.or(connectionSearchConditions(eb, search, { nodeId: true })));
  const where = eb.and(conditions);
  const query = db.selectFrom("connections").innerJoin("lans", "lans.id", "connections.lan_id").leftJoin("networks", "networks.asn", "connections.asn").where(where);

  const column = SORT_COLUMNS[order.sort];
  return pagedQuery(
    query,
    (filtered) =>
      filtered
        .select([
          "connections.id",
          "connections.asn",
          "networks.name as network_name",
          "lans.name as lan_name",
          "lans.zt_network_id",
          "connections.zt_node_id",
          "connections.state",
          "connections.ipv4_address",
          "connections.ipv6_address",
          "connections.created_at",
        ])
        .orderBy(column, direction(order.dir, order.sort === "network" || order.sort === "address"))
        .orderBy("connections.id", order.dir),
    page,
    // Staff without a search or an ASN see totals of whole LANs and states: the tallies have them.
    // Otherwise the count needs no joins (every connection has its LAN; the name search is a subquery).
    isStaff(user.role) && !search && !filters.asn ? connectionTally(db, filters) : countOf(db.selectFrom("connections").where(where)),
    beside,
  );
}

/** How many connections a LAN and/or state has, from the tallies PostgreSQL keeps (see foldConnectionTallies). */
function connectionTally(db: Db, filters: Pick<ConnectionFilters, "state" | "lanId">) {
  let query = db.selectFrom("connection_tallies").select(sql<string>`coalesce(sum(connection_tallies.n), 0)`.as("total"));
  if (filters.state) query = query.where("connection_tallies.state", "=", filters.state);
  if (filters.lanId) query = query.where("connection_tallies.lan_id", "=", filters.lanId);
  return query;
}

/**
 * Housekeeping: folds the tallies' changes into one row per LAN and state. Statement triggers on
 * connections only ever insert changes (+n / -n), so writers never wait on one another; this
 * keeps the rows a total sums few. One statement: rows a writer adds meanwhile stay as they are.
 */
export async function foldConnectionTallies(db: Db) {
  const result = await sql<{ folded: string }>`
    with gone as (delete from connection_tallies returning lan_id, state, n),
         kept as (insert into connection_tallies (lan_id, state, n)
                  select lan_id, state, sum(n) from gone group by lan_id, state having sum(n) <> 0 returning 1)
    select (select count(*) from gone) - (select count(*) from kept) as folded`.execute(db);
  return Number(result.rows[0]?.folded ?? 0);
}

export async function countPendingRequests(db: Db) {
  const row = await db.selectFrom("connections").select((eb) => eb.fn.countAll<number>().as("count")).where("state", "=", "requested").executeTakeFirstOrThrow();
  return Number(row.count);
}

/** The connection's story from the audit log, oldest first. */
export async function connectionHistory(db: Db, id: number) {
  return db
    .selectFrom("audit_events")
    .select(["id", "at", "actor_type", "actor_label", "action", "before", "after"])
    .where("subject_type", "=", "connection")
    .where("subject_id", "=", String(id))
    .orderBy("id")
    .execute();
}
