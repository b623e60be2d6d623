import { sql, type Kysely } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("lans")
    .addColumn("id", "bigint", (col) => col.primaryKey().generatedAlwaysAsIdentity())
    .addColumn("name", "text", (col) => col.notNull().unique())
    .addColumn("zt_network_id", "text", (col) => col.notNull().unique().check(sql`zt_network_id ~ '^[0-9a-f]{16}$'`))
    .addColumn("ipv4_prefix", sql`cidr`, (col) => col.notNull().check(sql`family(ipv4_prefix) = 4`))
    .addColumn("ipv6_prefix", sql`cidr`, (col) => col.notNull().check(sql`family(ipv6_prefix) = 6`))
    .addColumn("mtu", "integer", (col) => col.notNull().defaultTo(2800).check(sql`mtu between 1280 and 10000`))
    .addColumn("rs_asn", "bigint", (col) => col.notNull().check(sql`rs_asn between 1 and 4294967295`))
    // How member IPv6 addresses are derived: 'asn' embeds the ASN, 'sequential' counts up.
    .addColumn("ipv6_scheme", "text", (col) => col.notNull().defaultTo("asn").check(sql`ipv6_scheme in ('asn', 'sequential')`))
    // The first host addresses of each prefix are kept for the exchange (route servers, monitoring).
    .addColumn("reserved_host_count", "integer", (col) => col.notNull().defaultTo(10).check(sql`reserved_host_count >= 0`))
    .addColumn("quarantine_days", "integer", (col) => col.notNull().defaultTo(7).check(sql`quarantine_days >= 0`))
    .addColumn("description", "text")
    .addColumn("created_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable("networks")
    .addColumn("asn", "bigint", (col) => col.primaryKey().check(sql`asn between 1 and 4294967295`))
    .addColumn("name", "text")
    .addColumn("irr_as_set", "text")
    .addColumn("info_prefixes4", "integer")
    .addColumn("info_prefixes6", "integer")
    .addColumn("peeringdb_id", "bigint")
    // null: never looked up; false: PeeringDB answered that it does not know the ASN.
    .addColumn("known_to_peeringdb", "boolean")
    .addColumn("fetched_at", "timestamptz")
    .addColumn("created_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable("connections")
    .addColumn("id", "bigint", (col) => col.primaryKey().generatedAlwaysAsIdentity())
    .addColumn("lan_id", "bigint", (col) => col.notNull().references("lans.id"))
    .addColumn("asn", "bigint", (col) => col.notNull().references("networks.asn"))
    .addColumn("zt_node_id", "text", (col) => col.notNull().check(sql`zt_node_id ~ '^[0-9a-f]{10}$'`))
    .addColumn("state", "text", (col) =>
      col
        .notNull()
        .check(sql`state in ('requested', 'approved', 'provisioning', 'provisioned', 'active', 'rejected', 'failed', 'removing', 'removed')`),
    )
    .addColumn("route_server_peering", "boolean", (col) => col.notNull().defaultTo(true))
    .addColumn("max_prefix4_override", "integer", (col) => col.check(sql`max_prefix4_override > 0`))
    .addColumn("max_prefix6_override", "integer", (col) => col.check(sql`max_prefix6_override > 0`))
    .addColumn("ipv4_address", sql`inet`)
    .addColumn("ipv6_address", sql`inet`)
    // A reject reason, or why the last provisioning/removal attempt failed.
    .addColumn("reason", "text")
    // Which operation a 'failed' connection failed in: retrying resumes it.
    .addColumn("failed_operation", "text", (col) => col.check(sql`failed_operation in ('provision', 'remove')`))
    .addColumn("requested_by", "bigint", (col) => col.references("users.id"))
    .addColumn("decided_by", "bigint", (col) => col.references("users.id"))
    .addColumn("decided_at", "timestamptz")
    .addColumn("provisioned_at", "timestamptz")
    .addColumn("removed_at", "timestamptz")
    .addColumn("created_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn("updated_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
    .execute();
  // One live connection per router per LAN.
  await sql`create unique index connections_live_node_idx on connections (lan_id, zt_node_id) where state not in ('rejected', 'removed')`.execute(db);
  await db.schema.createIndex("connections_asn_idx").on("connections").column("asn").execute();
  await db.schema.createIndex("connections_state_idx").on("connections").column("state").execute();

  // Every address handed out, reserved or held back, per LAN. The partial unique index is what
  // makes assignment collision-free under concurrency, whatever the code does.
  await db.schema
    .createTable("address_allocations")
    .addColumn("id", "bigint", (col) => col.primaryKey().generatedAlwaysAsIdentity())
    .addColumn("lan_id", "bigint", (col) => col.notNull().references("lans.id"))
    .addColumn("address", sql`inet`, (col) => col.notNull())
    .addColumn("state", "text", (col) => col.notNull().check(sql`state in ('assigned', 'reserved', 'quarantined', 'released')`))
    .addColumn("connection_id", "bigint", (col) => col.references("connections.id"))
    .addColumn("note", "text")
    .addColumn("quarantine_until", "timestamptz")
    .addColumn("created_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn("released_at", "timestamptz")
    .execute();
  await sql`create unique index address_allocations_live_idx on address_allocations (lan_id, address) where state in ('assigned', 'reserved', 'quarantined')`.execute(db);
  await db.schema.createIndex("address_allocations_connection_idx").on("address_allocations").column("connection_id").execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("address_allocations").execute();
  await db.schema.dropTable("connections").execute();
  await db.schema.dropTable("networks").execute();
  await db.schema.dropTable("lans").execute();
}
