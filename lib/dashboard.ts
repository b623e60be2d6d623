import "server-only";
import type { ExpressionBuilder } from "kysely";
import type { Db } from "@/db";
import type { DB } from "@/db/schema.generated";
import { countJobs, listJobs } from "./jobs-admin";

/** What operators see at a glance: connections by state, failed jobs, drift, recent deployments. */
export async function dashboardData(db: Db) {
  const [states, jobs, failedJobs, drift, deployments, routeServers] = await Promise.all([
    db.selectFrom("connections").select((eb) => ["state", eb.fn.countAll<number>().as("count")]).groupBy("state").execute(),
    countJobs(db),
    listJobs(db, "failed", 5),
    db
      .selectFrom("drift_items")
      .innerJoin("lans", "lans.id", "drift_items.lan_id")
      .select(["drift_items.id", "drift_items.kind", "drift_items.subject", "drift_items.details", "drift_items.first_seen_at", "lans.name as lan"])
      .where("drift_items.resolved_at", "is", null)
      // A route server's node is known to ztix, never drift (an item from before it was set is stale).
      .where(({ not, exists, selectFrom }) =>
        not(exists(selectFrom("route_servers").select("route_servers.id").whereRef("route_servers.lan_id", "=", "drift_items.lan_id").whereRef("route_servers.zt_node_id", "=", "drift_items.subject"))),
      )
      .orderBy("drift_items.id")
      .execute(),
    db
      .selectFrom("deployments")
      .innerJoin("route_servers", "route_servers.id", "deployments.route_server_id")
      .select(["deployments.id", "deployments.status", "deployments.error", "deployments.started_at", "route_servers.name", "route_servers.id as route_server_id"])
      .orderBy("deployments.id", "desc")
      .limit(5)
      .execute(),
    db
      .selectFrom("route_servers")
      .innerJoin("lans", "lans.id", "route_servers.lan_id")
      .select((eb) => [
        "route_servers.id",
        "route_servers.name",
        "route_servers.rtr_states",
        "lans.name as lan",
        "route_servers.zt_node_id",
        "route_servers.read_at",
        "route_servers.read_error",
        "route_servers.read_error_since",
        eb.selectFrom("bgp_sessions").select((sub) => sub.fn.countAll<number>().as("n")).whereRef("bgp_sessions.route_server_id", "=", "route_servers.id").as("sessions"),
        eb.selectFrom("bgp_sessions").select((sub) => sub.fn.countAll<number>().as("n")).whereRef("bgp_sessions.route_server_id", "=", "route_servers.id").where("bgp_sessions.info", "like", "Established%").as("established"),
        eb.selectFrom("deployments").select("status").whereRef("deployments.route_server_id", "=", "route_servers.id").orderBy("id", "desc").limit(1).as("last_status"),
      ])
      .where("route_servers.enabled", "=", true)
      .orderBy("lans.name")
      .orderBy("route_servers.deploy_order")
      .execute(),
  ]);
  return {
    states: Object.fromEntries(states.map((row) => [row.state, Number(row.count)])) as Record<string, number>,
    jobs,
    failedJobs,
    // The one action on drift, deauthorizing, is offered only for routers nobody at ztix knows.
    drift: drift.map((item) => ({ ...item, deauthorizable: item.kind === "unknown_member" })),
    deployments,
    routeServers,
  };
}

/** A connection's sessions on its LAN's enabled route servers (a disabled one's rows say nothing of now). */
function sessionsOf(eb: ExpressionBuilder<DB, "connections" | "lans">) {
  return eb
    .selectFrom("bgp_sessions")
    .innerJoin("route_servers", "route_servers.id", "bgp_sessions.route_server_id")
    .select((sub) => sub.fn.countAll<number>().as("n"))
    .whereRef("bgp_sessions.connection_id", "=", "connections.id")
    .where("route_servers.enabled", "=", true);
}

/** A member's home: its connections with addresses and how many of their sessions are up. */
export async function memberOverview(db: Db, asns: number[]) {
  if (asns.length === 0) return [];
  return db
    .selectFrom("connections")
    .innerJoin("lans", "lans.id", "connections.lan_id")
    .select((eb) => [
      "connections.id",
      "connections.asn",
      "lans.name as lan",
      "connections.state",
      "connections.ipv4_address",
      "connections.ipv6_address",
      "connections.reason",
      sessionsOf(eb).as("sessions"),
      sessionsOf(eb).where("bgp_sessions.info", "like", "Established%").as("established"),
      // Of those, the ones only known as last read: their route server cannot be read now.
      sessionsOf(eb).where("route_servers.read_error", "is not", null).as("unreadable"),
    ])
    .where("connections.asn", "in", asns)
    .where("connections.state", "not in", ["removed", "rejected"])
    .orderBy("connections.id", "desc")
    .execute();
}
