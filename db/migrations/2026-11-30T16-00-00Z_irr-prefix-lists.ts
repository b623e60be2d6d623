import { sql, type Kysely } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  // An operator's as-set for a network, in place of PeeringDB's irr_as_set ("AS<asn>" = the ASN only).
  await db.schema.alterTable("networks").addColumn("irr_as_set_override", "text").execute();
  // Per LAN: are members' prefixes checked against their IRR prefix lists (off until an operator turns it on).
  await db.schema.alterTable("lans").addColumn("irr_filtering", "boolean", (col) => col.notNull().defaultTo(false)).execute();
  // The last good bgpq4 result per network and family, and the last attempt (a failure never replaces a good list).
  await db.schema
    .createTable("irr_prefix_lists")
    .addColumn("asn", "bigint", (col) => col.notNull().references("networks.asn").onDelete("cascade"))
    .addColumn("family", "smallint", (col) => col.notNull().check(sql`family in (4, 6)`))
    .addColumn("as_set", "text", (col) => col.notNull())
    .addColumn("prefixes", "jsonb", (col) => col.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn("prefix_count", "integer", (col) => col.notNull().defaultTo(0))
    .addColumn("irr_server", "text", (col) => col.notNull())
    .addColumn("irr_sources", "text", (col) => col.notNull().defaultTo(""))
    .addColumn("fetched_at", "timestamptz")
    .addColumn("attempted_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn("error", "text")
    .addPrimaryKeyConstraint("irr_prefix_lists_pkey", ["asn", "family"])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("irr_prefix_lists").execute();
  await db.schema.alterTable("lans").dropColumn("irr_filtering").execute();
  await db.schema.alterTable("networks").dropColumn("irr_as_set_override").execute();
}
