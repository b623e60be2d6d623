import type { Kysely } from "kysely";

// Frozen in time: migrations never import app code and see the database as Kysely<any>.
export async function up(db: Kysely<any>): Promise<void> {
  // Whether a route server's sessions could be read, as state of the route server (shown on its
  // card, page and in metrics) rather than a failed job a minute: stored sessions of an
  // unreadable server are as old as `read_at`.
  await db.schema
    .alterTable("route_servers")
    .addColumn("read_at", "timestamptz")
    .addColumn("read_error", "text")
    .addColumn("read_error_since", "timestamptz")
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("route_servers").dropColumn("read_at").dropColumn("read_error").dropColumn("read_error_since").execute();
}
