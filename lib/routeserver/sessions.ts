import "server-only";
import { sql } from "kysely";
import type { Db } from "@/db";
import { recordAudit } from "@/lib/audit";
import { parseShowProtocolsAll, sessionOf } from "./birdc";
import type { Transport } from "./transport";

const SESSION_BATCH = 500;

type Server = { id: number; name: string; lan_id: number; ipv4_address: string | null; ipv6_address: string | null; config_path: string; control_socket: string; birdc_path: string; transport: string; ssh_host: string | null; ssh_port: number; ssh_user: string; host_key_fingerprint: string | null };

/** The config file on the host against the last successful deployment: a difference is drift. */
async function checkConfigDrift(db: Db, server: Server, transport: Transport) {
  const last = await db.selectFrom("deployments").select(["id", "sha256"]).where("route_server_id", "=", server.id).where("status", "=", "succeeded").orderBy("id", "desc").executeTakeFirst();
  if (!last) return;
  const result = await transport.exec(["sha256sum", server.config_path]);
  const onHost = result.code === 0 ? result.stdout.trim().split(/\s+/)[0] : `unreadable: ${result.stderr.trim()}`;
  if (onHost === last.sha256) {
    await db.updateTable("drift_items").set({ resolved_at: sql<Date>`now()`, resolution: "matches the last deployment again" }).where("kind", "=", "route_server_config").where("subject", "=", server.name).where("lan_id", "=", server.lan_id).where("resolved_at", "is", null).execute();
    return;
  }
  await sql`
    insert into drift_items (lan_id, kind, subject, details)
    values (${server.lan_id}, 'route_server_config', ${server.name}, ${JSON.stringify({ expected: last.sha256, onHost, deployment: last.id })}::jsonb)
    on conflict (lan_id, kind, subject) where resolved_at is null do update set last_seen_at = now(), details = excluded.details
  `.execute(db);
}

/** Why a route server could not be read, and which look failed. */
export type ReadProblem = { routeServerId: number; routeServer: string; look: "sessions" | "RTR sessions"; message: string };

/** One route server's sessions, stored as its current set; a problem (why it could not be read) or null. */
async function readSessions(db: Db, server: Server, connect: (server: Server) => Promise<Transport>, live: Set<number>): Promise<ReadProblem | null> {
  let output: string;
  try {
    const transport = await connect(server);
    try {
      await checkConfigDrift(db, server, transport);
      const result = await transport.exec([server.birdc_path, "-s", server.control_socket, "show", "protocols", "all", '"pb_*"']);
      // A route server without member sessions yet answers "No protocols match": that is no error.
      if (result.code !== 0 && !result.stdout.includes("No protocols match")) throw new Error(result.stdout.trim() || result.stderr.trim());
      output = result.stdout;
    } finally {
      await transport.close();
    }
  } catch (error) {
    return { routeServerId: server.id, routeServer: server.name, look: "sessions", message: error instanceof Error ? error.message : String(error) };
  }
  const current: { connectionId: number; family: number }[] = [];
  const rows = [];
  for (const protocol of parseShowProtocolsAll(output)) {
    const session = sessionOf(protocol.name);
    if (!session || !live.has(session.connectionId)) continue;
    current.push(session);
    rows.push({
      route_server_id: server.id,
      connection_id: session.connectionId,
      family: session.family,
      state: protocol.state,
      info: protocol.info,
      since: protocol.since,
      imported: protocol.routes?.imported ?? null,
      filtered: protocol.routes?.filtered ?? null,
      exported: protocol.routes?.exported ?? null,
    });
  }
  // A statement per 500 sessions, not per session: 2,000 members are 4,000 sessions a look.
  for (let start = 0; start < rows.length; start += SESSION_BATCH) {
    await db
      .insertInto("bgp_sessions")
      .values(rows.slice(start, start + SESSION_BATCH))
      .onConflict((oc) =>
        oc.columns(["route_server_id", "connection_id", "family"]).doUpdateSet((eb) => ({
          state: eb.ref("excluded.state"),
          info: eb.ref("excluded.info"),
          since: eb.ref("excluded.since"),
          imported: eb.ref("excluded.imported"),
          filtered: eb.ref("excluded.filtered"),
          exported: eb.ref("excluded.exported"),
          updated_at: sql`now()`,
        })),
      )
      .execute();
  }
  // What the route server no longer lists is gone (a removed connection, a dropped family).
  await sql`
    delete from bgp_sessions
     where route_server_id = ${server.id}
       and (connection_id, family) not in (select * from unnest(${current.map((session) => session.connectionId)}::int[], ${current.map((session) => session.family)}::int[]))
  `.execute(db);
  return null;
}

/**
 * Reads every member session's state from a LAN's route servers and stores it as that route
 * server's current set (sessions it no longer lists are deleted), and moves
 * connections to `active` when all their sessions are Established (back to `provisioned` when
 * one is not). A route server that cannot be read leaves its stored states as they were.
 */
export async function collectSessionStates(db: Db, lanId: number, connect: (server: Server) => Promise<Transport>) {
  const servers = (await db.selectFrom("route_servers").selectAll().where("lan_id", "=", lanId).where("enabled", "=", true).orderBy("name").execute()) as unknown as Server[];
  // A disabled route server has no sessions anyone should count.
  await db.deleteFrom("bgp_sessions").where("route_server_id", "in", db.selectFrom("route_servers").select("id").where("lan_id", "=", lanId).where("enabled", "=", false)).execute();
  const live = new Set((await db.selectFrom("connections").select("id").where("lan_id", "=", lanId).where("state", "not in", ["removed", "rejected"]).execute()).map((row) => row.id));
  // Route servers side by side: one that hangs (until the SSH bounds end its call) holds up
  // only the activation below, which needs them all, not the reading of the others.
  const problems = (await Promise.all(servers.map((server) => readSessions(db, server, connect, live)))).filter((problem): problem is ReadProblem => problem !== null);

  // Only with every route server read: a partial view must not demote anyone.
  if (problems.length === 0 && servers.length > 0) {
    const connections = await db
      .selectFrom("connections")
      .select(["id", "state", "ipv4_address", "ipv6_address"])
      .where("lan_id", "=", lanId)
      .where("state", "in", ["provisioned", "active"])
      .where("route_server_peering", "=", true)
      .execute();
    // All their sessions in one query, not one per connection.
    const byConnection = new Map<number, { info: string }[]>();
    if (connections.length > 0) {
      const stored = await db.selectFrom("bgp_sessions").select(["connection_id", "info"]).where("connection_id", "in", connections.map((connection) => connection.id)).execute();
      for (const session of stored) byConnection.set(session.connection_id, [...(byConnection.get(session.connection_id) ?? []), session]);
    }
    for (const connection of connections) {
      const sessions = byConnection.get(connection.id) ?? [];
      // A session per family that both the route server and the member have an address in.
      const expected = servers.reduce(
        (sum, server) => sum + (server.ipv4_address && connection.ipv4_address ? 1 : 0) + (server.ipv6_address && connection.ipv6_address ? 1 : 0),
        0,
      );
      const established = sessions.filter((session) => session.info.startsWith("Established")).length;
      const next = established >= expected && expected > 0 ? "active" : "provisioned";
      if (next !== connection.state) {
        await db.updateTable("connections").set({ state: next, updated_at: sql`now()` }).where("id", "=", connection.id).execute();
        await recordAudit(db, {
          actor: { type: "job", label: "collect_session_states" },
          action: `connection.${next}`,
          subject: { type: "connection", id: connection.id },
          before: { state: connection.state },
          after: { state: next, established, expected },
        });
      }
    }
  }
  return { servers: servers.length, problems };
}
