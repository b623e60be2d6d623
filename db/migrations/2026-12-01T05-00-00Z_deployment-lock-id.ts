import type { Kysely } from "kysely";

// Frozen in time: migrations never import app code and see the database as Kysely<any>.
export async function up(db: Kysely<any>): Promise<void> {
  // A worker runs deployments in a graphile-worker pool of their own, which locks jobs with its
  // own id: recorded beside job_lock_id so that a dead worker's deployment locks are found too.
  await db.schema.alterTable("worker_heartbeats").addColumn("deployment_lock_id", "text").execute();
  await db.schema.createIndex("worker_heartbeats_deployment_lock_id_idx").on("worker_heartbeats").column("deployment_lock_id").execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex("worker_heartbeats_deployment_lock_id_idx").execute();
  await db.schema.alterTable("worker_heartbeats").dropColumn("deployment_lock_id").execute();
}
