import { sql, type Kysely } from "kysely";

// Frozen in time: migrations never import app code and see the database as Kysely<any>.
export async function up(db: Kysely<any>): Promise<void> {
  // graphile-worker locks jobs with its pool id; recorded so a dead worker's locks can be found.
  await db.schema.alterTable("worker_heartbeats").addColumn("job_lock_id", "text").execute();
  await db.schema.createIndex("worker_heartbeats_job_lock_id_idx").on("worker_heartbeats").column("job_lock_id").execute();
  // Kernel boot id and pid namespace: a worker on the same one whose pid is gone is dead at once.
  await db.schema.alterTable("worker_heartbeats").addColumn("process_namespace", "text").execute();
  // A deployment whose worker died before it finished.
  await sql`alter table deployments drop constraint deployments_status_check`.execute(db);
  await sql`alter table deployments add constraint deployments_status_check check (status in ('running', 'succeeded', 'failed', 'unchanged', 'interrupted'))`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`update deployments set status = 'failed' where status = 'interrupted'`.execute(db);
  await sql`alter table deployments drop constraint deployments_status_check`.execute(db);
  await sql`alter table deployments add constraint deployments_status_check check (status in ('running', 'succeeded', 'failed', 'unchanged'))`.execute(db);
  await db.schema.alterTable("worker_heartbeats").dropColumn("process_namespace").execute();
  await db.schema.dropIndex("worker_heartbeats_job_lock_id_idx").execute();
  await db.schema.alterTable("worker_heartbeats").dropColumn("job_lock_id").execute();
}
