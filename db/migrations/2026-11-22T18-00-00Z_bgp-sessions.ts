import { sql, type Kysely } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  // The last seen state of each member session on each route server (from birdc).
  await db.schema
    .createTable("bgp_sessions")
    .addColumn("route_server_id", "bigint", (col) => col.notNull().references("route_servers.id").onDelete("cascade"))
    .addColumn("connection_id", "bigint", (col) => col.notNull().references("connections.id"))
    .addColumn("family", "integer", (col) => col.notNull().check(sql`family in (4, 6)`))
    .addColumn("state", "text", (col) => col.notNull())
    .addColumn("info", "text", (col) => col.notNull())
    .addColumn("since", "text")
    .addColumn("imported", "integer")
    .addColumn("filtered", "integer")
    .addColumn("exported", "integer")
    .addColumn("updated_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint("bgp_sessions_pkey", ["route_server_id", "connection_id", "family"])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("bgp_sessions").execute();
}
