import { sql, type Kysely } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  // What the ZeroTier controller last said about each connection's router (one row per connection).
  await db.schema
    .createTable("router_states")
    .addColumn("connection_id", "bigint", (col) => col.primaryKey().references("connections.id").onDelete("cascade"))
    // The controller holds a member record for the router (pre-provisioned on approval, or joined).
    .addColumn("member_found", "boolean", (col) => col.notNull())
    // The router has asked the controller for its network config (`zerotier-cli join`).
    .addColumn("joined", "boolean", (col) => col.notNull())
    .addColumn("online", "boolean", (col) => col.notNull())
    .addColumn("version", "text")
    .addColumn("latency_ms", "integer")
    // [{"address": "203.0.113.5/9993", "preferred": true}], the physical paths the controller talks over.
    .addColumn("paths", "jsonb", (col) => col.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn("last_seen_at", "timestamptz")
    .addColumn("checked_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
    // Why the last check could not read the controller (the stored state is then older).
    .addColumn("error", "text")
    // Since when a BGP session of a connection that had been up is not Established, and when the member was told.
    .addColumn("bgp_down_since", "timestamptz")
    .addColumn("bgp_down_notified_at", "timestamptz")
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("router_states").execute();
}
