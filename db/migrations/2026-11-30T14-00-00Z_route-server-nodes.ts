import { sql, type Kysely } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  // A route server is a ZeroTier node of its LAN: ztix authorizes it with the route server's addresses.
  await db.schema.alterTable("route_servers").addColumn("zt_node_id", "text", (col) => col.check(sql`zt_node_id ~ '^[0-9a-f]{10}$'`)).execute();
  // Whether ztix last left the node authorized (so a disabled route server is deauthorized once).
  await db.schema.alterTable("route_servers").addColumn("zt_authorized", "boolean", (col) => col.notNull().defaultTo(false)).execute();
  await sql`create unique index route_servers_lan_node_key on route_servers (lan_id, zt_node_id) where zt_node_id is not null`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index route_servers_lan_node_key`.execute(db);
  await db.schema.alterTable("route_servers").dropColumn("zt_authorized").execute();
  await db.schema.alterTable("route_servers").dropColumn("zt_node_id").execute();
}
