import { sql, type Kysely } from "kysely";

/**
 * Operator settings of a LAN's route-server policy: RFC 7999 blackhole addresses (where accepted
 * BLACKHOLE routes point; null: blackholing off for that family) and max-prefix margin/defaults
 * (before: constants in the code, 20 %, 1,000 and 500). Per route server, the state of its RTR
 * sessions (RPKI caches) as last read with `birdc show protocols`.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable("lans")
    .addColumn("blackhole_ipv4", sql`inet`)
    .addColumn("blackhole_ipv6", sql`inet`)
    .addColumn("max_prefix_margin_percent", "integer", (col) => col.notNull().defaultTo(20).check(sql`max_prefix_margin_percent between 0 and 1000`))
    .addColumn("default_max_prefix4", "integer", (col) => col.notNull().defaultTo(1000).check(sql`default_max_prefix4 between 1 and 10000000`))
    .addColumn("default_max_prefix6", "integer", (col) => col.notNull().defaultTo(500).check(sql`default_max_prefix6 between 1 and 10000000`))
    .execute();
  await db.schema
    .alterTable("route_servers")
    .addColumn("rtr_states", "jsonb", (col) => col.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn("rtr_checked_at", "timestamptz")
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("route_servers").dropColumn("rtr_states").dropColumn("rtr_checked_at").execute();
  await db.schema
    .alterTable("lans")
    .dropColumn("blackhole_ipv4")
    .dropColumn("blackhole_ipv6")
    .dropColumn("max_prefix_margin_percent")
    .dropColumn("default_max_prefix4")
    .dropColumn("default_max_prefix6")
    .execute();
}
