import "server-only";
import type { Db } from "@/db";
import { likePattern, offsetOf, type ListParams } from "@/lib/lists/list-params";
import { direction } from "@/lib/lists/order";
import { pagedQuery } from "@/lib/lists/paged-query";

/** Route servers by LAN with their last deployment, for the operators' overview. */
export async function routeServerOverview(db: Db) {
  const servers = await db
    .selectFrom("route_servers")
    .innerJoin("lans", "lans.id", "route_servers.lan_id")
    .select(["route_servers.id", "route_servers.name", "route_servers.lan_id", "lans.name as lan", "route_servers.transport", "route_servers.ssh_host", "route_servers.ssh_port", "route_servers.ipv4_address", "route_servers.ipv6_address", "route_servers.deploy_order", "route_servers.enabled", "route_servers.drained", "route_servers.zt_node_id", "route_servers.zt_authorized", "route_servers.read_error"])
    .orderBy("lans.name")
    .orderBy("route_servers.deploy_order")
    .execute();
  const last = await db
    .selectFrom("deployments")
    .select(["route_server_id", "status", "error", "started_at", "finished_at", "sha256"])
    .distinctOn("route_server_id")
    .orderBy("route_server_id")
    .orderBy("id", "desc")
    .execute();
  return servers.map((server) => ({ ...server, lastDeployment: last.find((row) => row.route_server_id === server.id) ?? null }));
}

export async function routeServerDetail(db: Db, id: number) {
  const server = await db.selectFrom("route_servers").innerJoin("lans", "lans.id", "route_servers.lan_id").selectAll("route_servers").select("lans.name as lan").where("route_servers.id", "=", id).executeTakeFirst();
  if (!server) return null;
  const deployments = await db
    .selectFrom("deployments")
    .select(["id", "status", "trigger", "sha256", "previous_sha256", "error", "log", "started_at", "finished_at"])
    .where("route_server_id", "=", id)
    .orderBy("id", "desc")
    .limit(50)
    .execute();
  return { server, deployments };
}

/** The route server page's deployments list (URL parameters prefixed "d"): sort, outcome filter, pages. */
export const DEPLOYMENT_SORTS = ["started", "status", "trigger"] as const;
const DEPLOYMENT_SORT_COLUMNS = { started: "id", status: "status", trigger: "trigger" } as const;
export const deploymentListSpec = {
  sorts: DEPLOYMENT_SORTS,
  defaultSort: "started",
  defaultDir: "desc",
  defaultSize: 25,
  filters: { status: ["running", "succeeded", "failed", "unchanged"] },
} as const;

export async function listDeployments(db: Db, routeServerId: number, params: ListParams<(typeof DEPLOYMENT_SORTS)[number], "status">) {
  let query = db.selectFrom("deployments").where("route_server_id", "=", routeServerId);
  if (params.filters.status) query = query.where("status", "=", params.filters.status);
  if (params.q) {
    const hex = /^[0-9a-f]+$/i.test(params.q) ? params.q.toLowerCase() : null;
    query = query.where((eb) => eb.or([eb("trigger", "ilike", likePattern(params.q)), ...(hex ? [eb("sha256", "like", `${hex}%`)] : [])]));
  }
  return pagedQuery(
    query,
    (filtered) =>
      filtered
        .select(["id", "status", "trigger", "sha256", "previous_sha256", "error", "log", "started_at", "finished_at"])
        .orderBy(DEPLOYMENT_SORT_COLUMNS[params.sort], params.dir)
        .orderBy("id", params.dir),
    { limit: params.size, offset: offsetOf(params) },
  );
}

/** The route server page's sessions list: sort names mapped to columns, filters by state and family. */
export const SESSION_SORTS = ["asn", "connection", "family", "state", "accepted", "updated"] as const;
export type SessionSort = (typeof SESSION_SORTS)[number];
const SESSION_SORT_COLUMNS = {
  asn: "connections.asn",
  connection: "bgp_sessions.connection_id",
  family: "bgp_sessions.family",
  state: "bgp_sessions.state",
  accepted: "bgp_sessions.imported",
  updated: "bgp_sessions.updated_at",
} as const satisfies Record<SessionSort, string>;
export const sessionListSpec = {
  sorts: SESSION_SORTS,
  defaultSort: "asn",
  defaultDir: "asc",
  filters: { state: ["established", "down"], family: ["4", "6"] },
} as const;

/** One page of a route server's BGP sessions; the search text matches an ASN, a network name or a node id. */
export async function listRouteServerSessions(db: Db, id: number, params: ListParams<SessionSort, "state" | "family">) {
  let query = db
    .selectFrom("bgp_sessions")
    .innerJoin("connections", "connections.id", "bgp_sessions.connection_id")
    .leftJoin("networks", "networks.asn", "connections.asn")
    .where("bgp_sessions.route_server_id", "=", id);
  if (params.filters.state === "established") query = query.where("bgp_sessions.info", "like", "Established%");
  if (params.filters.state === "down") query = query.where("bgp_sessions.info", "not like", "Established%");
  if (params.filters.family) query = query.where("bgp_sessions.family", "=", Number(params.filters.family));
  if (params.q) {
    const asn = /^(as)?\d{1,10}$/i.test(params.q) ? Number(params.q.replace(/^as/i, "")) : null;
    const lower = params.q.toLowerCase();
    query = query.where((eb) =>
      eb.or([
        eb("networks.name", "ilike", likePattern(params.q)),
        ...(asn !== null && asn <= 4294967295 ? [eb("connections.asn", "=", asn)] : []),
        ...(/^[0-9a-f]{1,10}$/.test(lower) ? [eb("connections.zt_node_id", "like", `${lower}%`)] : []),
      ]),
    );
  }
  return pagedQuery(
    query,
    (filtered) =>
      filtered
        .select(["bgp_sessions.connection_id", "connections.asn", "networks.name as network_name", "bgp_sessions.family", "bgp_sessions.state", "bgp_sessions.info", "bgp_sessions.imported", "bgp_sessions.filtered", "bgp_sessions.exported", "bgp_sessions.updated_at"])
        .orderBy(SESSION_SORT_COLUMNS[params.sort], direction(params.dir, params.sort === "accepted"))
        .orderBy("bgp_sessions.connection_id", params.dir)
        .orderBy("bgp_sessions.family"),
    { limit: params.size, offset: offsetOf(params) },
  );
}

export async function deploymentConfig(db: Db, id: number) {
  return db.selectFrom("deployments").select(["config"]).where("id", "=", id).executeTakeFirst();
}

export async function previousSucceededConfig(db: Db, routeServerId: number, beforeId: number) {
  return db
    .selectFrom("deployments")
    .select(["id", "config"])
    .where("route_server_id", "=", routeServerId)
    .where("status", "=", "succeeded")
    .where("id", "<", beforeId)
    .orderBy("id", "desc")
    .executeTakeFirst();
}
