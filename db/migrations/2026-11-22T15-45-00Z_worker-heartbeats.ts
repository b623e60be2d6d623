import { sql, type Kysely } from "kysely";

// Frozen in time: migrations never import app code and see the database as Kysely<any>.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("worker_heartbeats")
    .addColumn("worker_id", "text", (col) => col.primaryKey())
    .addColumn("hostname", "text", (col) => col.notNull())
    .addColumn("pid", "integer", (col) => col.notNull())
    .addColumn("version", "text", (col) => col.notNull())
    .addColumn("started_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn("last_seen_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn("stopped_at", "timestamptz")
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("worker_heartbeats").execute();
}
