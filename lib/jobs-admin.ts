import "server-only";
import { sql } from "kysely";
import type { Db } from "@/db";
import { likePattern, offsetOf, type ListParams } from "@/lib/lists/list-params";
import { direction } from "@/lib/lists/order";
import { pagedQuery } from "@/lib/lists/paged-query";
import { recordAudit, type Actor } from "./audit";
import { nudgeWorkers } from "./connections/controller-recovery";
import { DomainError, NotFoundError } from "./errors";
import { findLockHolders, WORKER_DEAD_AFTER_MS } from "./orphaned-work";

export type JobFilter = "all" | "failed" | "queued" | "running";

/** graphile-worker's jobs, through its public `jobs` view: failed = out of attempts. */
export async function listJobs(db: Db, filter: JobFilter, limit = 100) {
  let query = db
    .selectFrom("graphile_worker.jobs")
    .select(["id", "task_identifier", "key", "attempts", "max_attempts", "last_error", "run_at", "locked_at", "created_at", "updated_at"]);
  if (filter === "failed") query = query.whereRef("attempts", ">=", "max_attempts");
  if (filter === "running") query = query.where("locked_at", "is not", null);
  if (filter === "queued") query = query.where("locked_at", "is", null).whereRef("attempts", "<", "max_attempts");
  return query.orderBy("id", "desc").limit(limit).execute();
}

export async function countJobs(db: Db) {
  const row = await db
    .selectFrom("graphile_worker.jobs")
    .select((eb) => [
      eb.fn.countAll<number>().as("total"),
      sql<number>`count(*) filter (where attempts >= max_attempts)`.as("failed"),
      sql<number>`count(*) filter (where locked_at is not null)`.as("running"),
    ])
    .executeTakeFirstOrThrow();
  return { total: Number(row.total), failed: Number(row.failed), running: Number(row.running) };
}

async function requireJob(db: Db, id: number) {
  const job = await db.selectFrom("graphile_worker.jobs").select(["id", "task_identifier", "attempts", "max_attempts", "last_error"]).where("id", "=", id).executeTakeFirst();
  if (!job) throw new NotFoundError(`job ${id} does not exist (it may have completed meanwhile)`);
  return job;
}

/**
 * Runs a job again now, with its attempts reset (its max attempts stay). A job locked by a dead
 * worker is unlocked first; one running on a live worker is refused with the reason.
 */
export async function retryJob(db: Db, id: number, actor: Actor) {
  const job = await requireJob(db, id);
  await releaseIfOrphaned(db, id);
  const rescheduled = await sql<{ id: string }>`select id::text from graphile_worker.reschedule_jobs(array[${id}::bigint], run_at => now(), attempts => 0::smallint)`.execute(db);
  if (rescheduled.rows.length === 0) throw new DomainError(`job ${id} could not be rescheduled: it is running right now or completed meanwhile`);
  await nudgeWorkers(db, 1);
  await recordAudit(db, { actor, action: "job.retried", subject: { type: "job", id }, before: { task: job.task_identifier, attempts: job.attempts, lastError: job.last_error } });
}

/** Removes a queued or failed job without running it. */
export async function cancelJob(db: Db, id: number, actor: Actor) {
  const job = await requireJob(db, id);
  await sql`select graphile_worker.complete_jobs(array[${id}::bigint])`.execute(db);
  await recordAudit(db, { actor, action: "job.cancelled", subject: { type: "job", id }, before: { task: job.task_identifier, attempts: job.attempts, lastError: job.last_error } });
}

/**
 * A locked job: unlocked when its worker is dead (stopped, or silent for WORKER_DEAD_AFTER_MS);
 * otherwise a DomainError says which worker runs it and when it would count as dead.
 */
export async function releaseIfOrphaned(db: Db, id: number) {
  const lock = await db.selectFrom("graphile_worker.jobs").select(["locked_by"]).where("id", "=", id).executeTakeFirst();
  if (!lock?.locked_by) return;
  const holder = (await findLockHolders(db)).find((candidate) => candidate.lockId === lock.locked_by);
  if (!holder) return;
  if (!holder.deadBecause) {
    const who = holder.workerId ? `worker ${holder.workerId}` : `lock ${holder.lockId}`;
    const seen = holder.lastSeenAt ? `its last heartbeat was ${Math.max(0, Math.round((Date.now() - holder.lastSeenAt.getTime()) / 1000))} s ago` : "no heartbeat names it yet";
    throw new DomainError(`job ${id} is running on ${who} (${seen}); it can be retried when it ends, or once that worker has been silent for ${WORKER_DEAD_AFTER_MS / 1000} s`);
  }
  await sql`select graphile_worker.force_unlock_workers(${[holder.lockId]}::text[])`.execute(db);
}

/** Finished jobs (recorded by the runner, kept ZTIX_JOB_HISTORY_DAYS): sortable, searchable by task, job id or payload text. */
export const JOB_HISTORY_SORTS = ["finished", "task", "duration", "outcome"] as const;
const JOB_HISTORY_SORT_COLUMNS = { finished: "id", task: "task", duration: "duration_ms", outcome: "ok" } as const;
export const jobHistorySpec = { sorts: JOB_HISTORY_SORTS, defaultSort: "finished", defaultDir: "desc", filters: { outcome: ["succeeded", "failed"] } } as const;

export async function listJobHistory(db: Db, params: ListParams<(typeof JOB_HISTORY_SORTS)[number], "outcome">) {
  let query = db.selectFrom("job_runs");
  if (params.filters.outcome) query = query.where("ok", "=", params.filters.outcome === "succeeded");
  if (params.q) {
    const pattern = likePattern(params.q);
    query = query.where((eb) => eb.or([eb("task", "ilike", pattern), eb("job_id", "=", params.q), eb(sql<string>`payload::text`, "ilike", pattern), eb("error", "ilike", pattern)]));
  }
  return pagedQuery(
    query,
    (filtered) =>
      filtered
        .select(["id", "job_id", "task", "ok", "duration_ms", "attempts", "payload", "error", "finished_at"])
        .orderBy(JOB_HISTORY_SORT_COLUMNS[params.sort], direction(params.dir, false))
        .orderBy("id", params.dir),
    { limit: params.size, offset: offsetOf(params) },
  );
}
