import { sql, type Kysely } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  // How long jobs took, for metrics (graphile-worker forgets finished jobs); pruned after a week.
  await db.schema
    .createTable("job_runs")
    .addColumn("id", "bigint", (col) => col.primaryKey().generatedAlwaysAsIdentity())
    .addColumn("task", "text", (col) => col.notNull())
    .addColumn("ok", "boolean", (col) => col.notNull())
    .addColumn("duration_ms", "integer", (col) => col.notNull())
    .addColumn("finished_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex("job_runs_finished_idx").on("job_runs").column("finished_at").execute();
  // RTR caches (validators) per LAN, as [{"host": "...", "port": 3323}]: RPKI-invalid routes are then filtered.
  await db.schema.alterTable("lans").addColumn("rpki_servers", "jsonb", (col) => col.notNull().defaultTo(sql`'[]'::jsonb`)).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("lans").dropColumn("rpki_servers").execute();
  await db.schema.dropTable("job_runs").execute();
}
