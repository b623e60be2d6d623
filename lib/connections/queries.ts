import "server-only";
import type { Db } from "@/db";
import { isStaff } from "@/lib/auth/roles";
import type { SessionUser } from "@/lib/users";
import { CONNECTION_STATES, type ConnectionState } from "./state";

export type ConnectionFilters = { state?: ConnectionState; asn?: number; lanId?: number };

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

/** Connections a user may see (members: their networks'), newest first, one page at a time. */
export async function listConnections(db: Db, user: SessionUser, filters: ConnectionFilters, page: { limit: number; offset: number }) {
  let query = db
    .selectFrom("connections")
    .innerJoin("lans", "lans.id", "connections.lan_id")
    .leftJoin("networks", "networks.asn", "connections.asn");
  if (!isStaff(user.role)) {
    const asns = user.networks.map((network) => network.asn);
    if (asns.length === 0) return { rows: [], total: 0 };
    query = query.where("connections.asn", "in", asns);
  }
  if (filters.state) query = query.where("connections.state", "=", filters.state);
  if (filters.asn) query = query.where("connections.asn", "=", filters.asn);
  if (filters.lanId) query = query.where("connections.lan_id", "=", filters.lanId);

  const [rows, count] = await Promise.all([
    query
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
        "connections.reason",
        "connections.created_at",
        "connections.updated_at",
      ])
      .orderBy("connections.id", "desc")
      .limit(page.limit)
      .offset(page.offset)
      .execute(),
    query.select((eb) => eb.fn.countAll<number>().as("total")).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(count.total) };
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
