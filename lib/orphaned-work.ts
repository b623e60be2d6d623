import "server-only";
import { sql } from "kysely";
import type { Db } from "@/db";
import { keyOfJob } from "@/jobs/keys";
import { failConnectionOfSpentJob } from "@/lib/connections/provisioning";
import { enqueueLanDeployment } from "@/lib/connections/service";
import { HEARTBEAT_INTERVAL_MS, processNamespace } from "./worker-heartbeat";

/**
 * A worker that has missed three heartbeats (plus slack for a busy machine) is dead: the jobs it
 * locked are released for another worker. graphile-worker alone would wait 4 hours.
 */
export const WORKER_DEAD_AFTER_MS = 3 * HEARTBEAT_INTERVAL_MS + 5_000;

/** The session-level advisory lock a deployment of a LAN holds (lib/routeserver/deploy). */
export const DEPLOY_LOCK_KEY = "ztix:deploy_route_servers";

export type LockHolder = {
  lockId: string;
  workerId: string | null;
  lastSeenAt: Date | null;
  stoppedAt: Date | null;
  lockedAt: Date;
  jobIds: string[];
  /** Why the holder counts as dead; null while it may be alive. */
  deadBecause: string | null;
  /** When it will count as dead if it stays silent. */
  deadAt: Date | null;
};

/**
 * Who holds job locks, and which of them are dead: stopped (their heartbeat says so), silent for
 * WORKER_DEAD_AFTER_MS, or unknown (no heartbeat names the lock) with a lock older than that.
 * `trustSilence: false` (the asking worker itself just lost the database) judges only stops.
 */
export async function findLockHolders(db: Db, options: { exceptLockIds?: string[]; trustSilence?: boolean } = {}): Promise<LockHolder[]> {
  // A worker locks with two ids: its general runner's and its deployment runner's (jobs/runner.ts).
  const rows = await sql<{ locked_by: string; locked_at: Date; job_ids: string[]; worker_id: string | null; last_seen_at: Date | null; stopped_at: Date | null; pid: number | null; process_namespace: string | null; now: Date }>`
    select j.locked_by, min(j.locked_at) as locked_at, array_agg(j.id::text order by j.id) as job_ids,
           h.worker_id, h.last_seen_at, h.stopped_at, h.pid, h.process_namespace, now() as now
      from graphile_worker.jobs j
      left join worker_heartbeats h on h.job_lock_id = j.locked_by or h.deployment_lock_id = j.locked_by
     where j.locked_by is not null and not (j.locked_by = any(${options.exceptLockIds ?? []}::text[]))
     group by j.locked_by, h.worker_id, h.last_seen_at, h.stopped_at, h.pid, h.process_namespace
  `.execute(db);
  const trustSilence = options.trustSilence ?? true;
  const here = processNamespace();
  return rows.rows.map((row) => {
    const since = row.last_seen_at ?? row.locked_at;
    const deadAt = new Date(since.getTime() + WORKER_DEAD_AFTER_MS);
    const silentSeconds = Math.round((row.now.getTime() - since.getTime()) / 1000);
    let deadBecause: string | null = null;
    if (row.stopped_at) deadBecause = `worker ${row.worker_id} stopped at ${row.stopped_at.toISOString()} and left the lock`;
    else if (here && row.process_namespace === here && row.pid !== null && !processExists(row.pid)) deadBecause = `worker ${row.worker_id} (process ${row.pid} on this host) has exited`;
    else if (trustSilence && deadAt <= row.now) {
      deadBecause = row.worker_id
        ? `worker ${row.worker_id} has written no heartbeat for ${silentSeconds} s`
        : `no live worker holds lock ${row.locked_by} (locked ${silentSeconds} s ago)`;
    }
    return { lockId: row.locked_by, workerId: row.worker_id, lastSeenAt: row.last_seen_at, stoppedAt: row.stopped_at, lockedAt: row.locked_at, jobIds: row.job_ids, deadBecause, deadAt };
  });
}

/** Same pid namespace only (see processNamespace): EPERM means it exists under another user. */
function processExists(pid: number) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== "ESRCH";
  }
}

/**
 * The job that took over from one add_job retired while it ran (a fresh job took its key: the key
 * cleared, its attempts spent), as a controller outage's handover or a deployment asked for during
 * one does. Such a job whose worker then dies has nothing left to do.
 */
async function successorOfRetiredJob(db: Db, job: { id: string | number | null; task_identifier: string | null; key: string | null }) {
  if (job.id === null || job.key !== null || job.task_identifier === null) return null;
  // The payload names the subject (graphile-worker's jobs view leaves payloads out).
  const retired = await sql<{ payload: unknown }>`select payload from graphile_worker._private_jobs where id = ${String(job.id)}::bigint`.execute(db);
  const key = keyOfJob(job.task_identifier, retired.rows[0]?.payload);
  if (key === null) return null;
  const found = await sql<{ id: string }>`select id::text as id from graphile_worker._private_jobs where key = ${key} and id <> ${String(job.id)}::bigint`.execute(db);
  return found.rows[0]?.id ?? null;
}

/**
 * Unlocks the jobs of dead workers at once (graphile-worker's force_unlock_workers); they run
 * again. A job that died in its last attempt cannot: it ends failed with the reason, and so does
 * the connection it served (else it would wait on a job that never comes); unless a fresh job had
 * already taken over from it (a controller outage's handover, a deployment asked for while it
 * ran): then it is simply done.
 */
export async function releaseJobsOfDeadWorkers(db: Db, options: { exceptLockIds?: string[]; trustSilence?: boolean } = {}) {
  const holders = await findLockHolders(db, options);
  const dead = holders.filter((holder) => holder.deadBecause);
  const spent: { id: string; task: string; reason: string }[] = [];
  const handedOver: { id: string; task: string; successor: string }[] = [];
  if (dead.length > 0) {
    await sql`select graphile_worker.force_unlock_workers(${dead.map((holder) => holder.lockId)}::text[])`.execute(db);
    for (const holder of dead) {
      const outOfAttempts = await db
        .selectFrom("graphile_worker.jobs")
        .select(["id", "task_identifier", "key"])
        .where("id", "in", holder.jobIds.map(Number))
        .where("locked_at", "is", null)
        .whereRef("attempts", ">=", "max_attempts")
        .execute();
      for (const job of outOfAttempts) {
        const successor = await successorOfRetiredJob(db, job);
        if (successor) {
          await sql`select graphile_worker.complete_jobs(array[${job.id}]::bigint[])`.execute(db);
          handedOver.push({ id: String(job.id), task: String(job.task_identifier), successor });
          continue;
        }
        const reason = `its worker died during the job's last attempt (${holder.deadBecause})`;
        await sql`select graphile_worker.permanently_fail_jobs(array[${job.id}]::bigint[], ${reason})`.execute(db);
        await failConnectionOfSpentJob(db, job.key, reason);
        spent.push({ id: String(job.id), task: String(job.task_identifier), reason });
      }
    }
    // They are due: wake the runners rather than wait for their next poll.
    await sql`select pg_notify('jobs:insert', ${JSON.stringify({ count: dead.reduce((sum, holder) => sum + holder.jobIds.length, 0) })})`.execute(db);
  }
  const waiting = holders.filter((holder) => !holder.deadBecause && holder.deadAt).map((holder) => holder.deadAt!.getTime());
  return { released: dead, spent, handedOver, nextCheckAt: waiting.length > 0 ? new Date(Math.min(...waiting)) : null };
}

/**
 * Deployments left `running` by a worker that died: a running deployment holds its LAN's
 * advisory lock on its own database session, which ends with the worker, so a `running` row of a
 * LAN whose lock is free is orphaned. It is marked `interrupted` with the reason and the LAN is
 * deployed again (the route server converges to the latest rendered config).
 */
export async function interruptOrphanedDeployments(db: Db) {
  const lans = await db.selectFrom("deployments").select("lan_id").distinct().where("status", "=", "running").execute();
  const interrupted: { id: number; lanId: number }[] = [];
  for (const { lan_id: lanId } of lans) {
    await db.transaction().execute(async (trx) => {
      const lock = await sql<{ locked: boolean }>`select pg_try_advisory_xact_lock(hashtext(${DEPLOY_LOCK_KEY}), ${Number(lanId)}::int) as locked`.execute(trx);
      if (!lock.rows[0]?.locked) return;
      const rows = await markInterrupted(trx, Number(lanId));
      if (rows.length === 0) return;
      interrupted.push(...rows.map((row) => ({ id: row.id, lanId: Number(lanId) })));
      // Through the LAN's deployment queue like every deployment (one at a time, coalesced).
      await enqueueLanDeployment(trx, Number(lanId), `redeploy after interrupted deployment ${rows.map((row) => row.id).join(", ")}`);
    });
  }
  return interrupted;
}

/** Marks a LAN's `running` deployments interrupted; the caller holds the LAN's deployment lock. */
export async function markInterrupted(db: Db, lanId: number) {
  const reason = "interrupted: the worker running this deployment died before it finished (its database session ended); the LAN is deployed again";
  const rows = await db
    .updateTable("deployments")
    .set({ status: "interrupted", error: reason, finished_at: sql<Date>`now()`, log: sql<string>`log || case when log = '' then '' else E'\n' end || ${`${new Date().toISOString()} ${reason}`}::text` })
    .where("lan_id", "=", lanId)
    .where("status", "=", "running")
    .returning(["id"])
    .execute();
  return rows.map((row) => ({ id: Number(row.id) }));
}
