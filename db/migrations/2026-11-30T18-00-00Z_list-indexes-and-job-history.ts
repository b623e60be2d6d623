import { sql, type Kysely } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  // Lists sort and search server-side: the columns they sort by and the prefixes they search
  // (node id and address starts, LIKE 'x%', need text_pattern_ops).
  await sql`create index connections_created_idx on connections (created_at, id)`.execute(db);
  await sql`create index connections_node_pattern_idx on connections (zt_node_id text_pattern_ops)`.execute(db);
  await sql`create index connections_ipv4_host_idx on connections (host(ipv4_address) text_pattern_ops)`.execute(db);
  await sql`create index connections_ipv6_host_idx on connections (host(ipv6_address) text_pattern_ops)`.execute(db);
  await sql`create index connections_ipv4_idx on connections (ipv4_address, id)`.execute(db);
  await sql`create index audit_events_actor_idx on audit_events (actor_label, at)`.execute(db);
  // Finished jobs kept as history (graphile-worker deletes them): which job, its payload and why it failed.
  await db.schema
    .alterTable("job_runs")
    .addColumn("job_id", "text")
    .addColumn("payload", "jsonb")
    .addColumn("error", "text")
    .addColumn("attempts", "integer")
    .execute();
  await sql`create index job_runs_task_idx on job_runs (task, finished_at)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index job_runs_task_idx`.execute(db);
  await db.schema.alterTable("job_runs").dropColumn("job_id").dropColumn("payload").dropColumn("error").dropColumn("attempts").execute();
  for (const index of [
    "audit_events_actor_idx",
    "connections_ipv4_idx",
    "connections_ipv6_host_idx",
    "connections_ipv4_host_idx",
    "connections_node_pattern_idx",
    "connections_created_idx",
  ]) {
    await sql`drop index ${sql.ref(index)}`.execute(db);
  }
}
