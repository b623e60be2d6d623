import "server-only";
import { sql } from "kysely";
import type { Db } from "@/db";
import { notify } from "@/lib/notifications";

/**
 * Watches the BGP sessions of connections that have been active once: when one stays down
 * (not Established) for `minutes`, the member is mailed once; when all are up again, the watch
 * resets. Only sessions of enabled route servers that could be read count: no mail on a state
 * nobody could see. Returns the connections told this time.
 */
export async function checkSessionsDown(db: Db, lanId: number, minutes: number): Promise<number[]> {
  const rows = await db
    .selectFrom("connections")
    .innerJoin("router_states", "router_states.connection_id", "connections.id")
    .innerJoin("lans", "lans.id", "connections.lan_id")
    .select((eb) => [
      "connections.id",
      "connections.asn",
      "lans.name as lan_name",
      "router_states.bgp_down_since",
      "router_states.bgp_down_notified_at",
      eb
        .selectFrom("bgp_sessions")
        .innerJoin("route_servers", "route_servers.id", "bgp_sessions.route_server_id")
        .select(sql<string>`string_agg(route_servers.name || ' IPv' || bgp_sessions.family || ': ' || bgp_sessions.info, '; ' order by route_servers.name, bgp_sessions.family)`.as("down"))
        .whereRef("bgp_sessions.connection_id", "=", "connections.id")
        // A disabled route server's rows, or an unreadable one's last reading, say nothing of now.
        .where("route_servers.enabled", "=", true)
        .where("route_servers.read_error", "is", null)
        .where("bgp_sessions.info", "not like", "Established%")
        .as("down_sessions"),
    ])
    .where("connections.lan_id", "=", lanId)
    .where("connections.state", "in", ["provisioned", "active"])
    .where("connections.route_server_peering", "=", true)
    // Only sessions that were up once: a router still being set up is not "down".
    .where(({ exists, selectFrom }) => exists(selectFrom("audit_events").select(sql`1`.as("one")).where("audit_events.action", "=", "connection.active").where("audit_events.subject_type", "=", "connection").whereRef("audit_events.subject_id", "=", sql`connections.id::text`)))
    .execute();
  const told: number[] = [];
  for (const row of rows) {
    if (!row.down_sessions) {
      if (row.bgp_down_since) await db.updateTable("router_states").set({ bgp_down_since: null, bgp_down_notified_at: null }).where("connection_id", "=", row.id).execute();
      continue;
    }
    if (!row.bgp_down_since) {
      await db.updateTable("router_states").set({ bgp_down_since: sql<Date>`now()` }).where("connection_id", "=", row.id).execute();
      continue;
    }
    const downForMs = Date.now() - new Date(row.bgp_down_since).getTime();
    if (row.bgp_down_notified_at || downForMs < minutes * 60_000) continue;
    await db.transaction().execute(async (trx) => {
      // Claimed on the row, so two workers never mail twice.
      const claimed = await trx.updateTable("router_states").set({ bgp_down_notified_at: sql<Date>`now()` }).where("connection_id", "=", row.id).where("bgp_down_notified_at", "is", null).executeTakeFirst();
      if (Number(claimed.numUpdatedRows) === 0) return;
      await notify(trx, "session_down", { asn: row.asn }, {
        subject: `BGP session down: connection ${row.id}, AS${row.asn} on ${row.lan_name}`,
        text: `A BGP session of connection ${row.id} with the route servers of ${row.lan_name} has been down for more than ${minutes} minutes:\n\n${row.down_sessions}\n\nCheck that your router is online on the ZeroTier network and that its BGP daemon peers with the route servers; the connection page says what each state means and what to check.`,
      });
      told.push(row.id);
    });
  }
  return told;
}
