import "server-only";
import type { Db } from "@/db";

/** Route servers by LAN with their last deployment, for the operators' overview. */
export async function routeServerOverview(db: Db) {
  const servers = await db
    .selectFrom("route_servers")
    .innerJoin("lans", "lans.id", "route_servers.lan_id")
    .select(["route_servers.id", "route_servers.name", "route_servers.lan_id", "lans.name as lan", "route_servers.transport", "route_servers.ssh_host", "route_servers.ssh_port", "route_servers.ipv4_address", "route_servers.ipv6_address", "route_servers.deploy_order", "route_servers.enabled", "route_servers.zt_node_id", "route_servers.zt_authorized"])
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
  const sessions = await db
    .selectFrom("bgp_sessions")
    .innerJoin("connections", "connections.id", "bgp_sessions.connection_id")
    .select(["bgp_sessions.connection_id", "connections.asn", "bgp_sessions.family", "bgp_sessions.state", "bgp_sessions.info", "bgp_sessions.imported", "bgp_sessions.filtered", "bgp_sessions.exported", "bgp_sessions.updated_at"])
    .where("bgp_sessions.route_server_id", "=", id)
    .orderBy("connections.asn")
    .execute();
  return { server, deployments, sessions };
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
