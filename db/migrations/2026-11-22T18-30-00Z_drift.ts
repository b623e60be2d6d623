import { sql, type Kysely } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  // What reconciliation found that the database does not explain (reported, never auto-repaired).
  await db.schema
    .createTable("drift_items")
    .addColumn("id", "bigint", (col) => col.primaryKey().generatedAlwaysAsIdentity())
    .addColumn("lan_id", "bigint", (col) => col.notNull().references("lans.id"))
    .addColumn("kind", "text", (col) => col.notNull().check(sql`kind in ('unknown_member')`))
    .addColumn("subject", "text", (col) => col.notNull())
    .addColumn("details", "jsonb")
    .addColumn("first_seen_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn("last_seen_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn("resolved_at", "timestamptz")
    .addColumn("resolution", "text")
    .execute();
  await sql`create unique index drift_items_open_idx on drift_items (lan_id, kind, subject) where resolved_at is null`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("drift_items").execute();
}
