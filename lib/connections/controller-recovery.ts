import "server-only";
import { sql } from "kysely";
import type { Db } from "@/db";

/** Jobs that wait on the ZeroTier controller when it is unreachable or refuses us. */
export const CONTROLLER_TASKS = ["provision_connection", "remove_connection", "reconcile_controller", "reconcile_lan"] as const;

/** The longest wait between two attempts of a failed job, whatever graphile-worker's exponential backoff says. */
export const MAX_RETRY_GAP_MS = 60_000;

/** The flag of a job that goes on from one whose attempts ran out while the controller was away. */
export const CONTROLLER_OUTAGE_FLAG = "controller_outage";

/** Wakes the job runners now instead of at their next poll (graphile-worker listens on this channel). */
export async function nudgeWorkers(db: Db, count: number) {
  if (count > 0) await sql`select pg_notify('jobs:insert', ${JSON.stringify({ count })})`.execute(db);
}

/**
 * Failed-and-retrying controller jobs waiting for their backoff time, and the jobs an outage
 * longer than a job's attempts goes on in (flagged: they have not failed yet).
 */
export async function waitingControllerJobs(db: Db) {
  return db
    .selectFrom("graphile_worker.jobs")
    .select(["id", "task_identifier", "key"])
    .where("task_identifier", "in", [...CONTROLLER_TASKS])
    .where("locked_at", "is", null)
    .where((eb) => eb.or([eb("attempts", ">", 0), sql<boolean>`flags ? ${CONTROLLER_OUTAGE_FLAG}`]))
    .whereRef("attempts", "<", "max_attempts")
    .where("run_at", ">", sql<Date>`now()`)
    .execute();
}

/**
 * The controller is ready again: its waiting jobs run now, and the connections they serve stop
 * showing the reason of the outage (a fresh attempt writes a fresh one if it fails again).
 */
export async function runControllerJobsNow(db: Db) {
  const waiting = await waitingControllerJobs(db);
  if (waiting.length === 0) return 0;
  const ids = waiting.map((job) => String(job.id));
  const rescheduled = await sql<{ id: string }>`select id::text from graphile_worker.reschedule_jobs(${ids}::bigint[], run_at => now())`.execute(db);
  const connectionIds = waiting
    .map((job) => /^(?:provision|remove)_connection:(\d+)$/.exec(job.key ?? "")?.[1])
    .filter((id): id is string => id !== undefined)
    .map(Number);
  if (connectionIds.length > 0) {
    await db
      .updateTable("connections")
      .set({ reason: null, updated_at: sql`now()` })
      .where("id", "in", connectionIds)
      .where("state", "in", ["provisioning", "removing"])
      .where("reason", "is not", null)
      .execute();
  }
  await nudgeWorkers(db, rescheduled.rows.length);
  return rescheduled.rows.length;
}

/**
 * Caps the gap before the next attempt of any failed job at MAX_RETRY_GAP_MS, jittered (the
 * last quarter of the cap) so that jobs of one outage do not all come back at the same instant.
 */
export async function capRetryGaps(db: Db) {
  // One call per job, so that each gets its own random share.
  const capped = await sql<{ id: string }>`
    select (graphile_worker.reschedule_jobs(array[job.id], run_at => now() + make_interval(secs => ${MAX_RETRY_GAP_MS / 1000}::double precision * (0.75 + random() / 4)))).id::text as id
      from graphile_worker.jobs job
     where job.locked_at is null and job.attempts > 0 and job.attempts < job.max_attempts
       and job.run_at > now() + make_interval(secs => ${MAX_RETRY_GAP_MS / 1000}::double precision)`.execute(db);
  return capped.rows.length;
}
