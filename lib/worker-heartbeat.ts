import "server-only";
import { readFileSync, readlinkSync } from "node:fs";
import { sql } from "kysely";
import type { Db } from "@/db";

/** A worker is alive when it wrote its heartbeat within this window. */
export const HEARTBEAT_INTERVAL_MS = 10_000;
export const HEARTBEAT_STALE_AFTER_MS = 45_000;

/**
 * jobLockId: the id graphile-worker locks jobs with (jobs.locked_by), once known;
 * deploymentLockId: the same for the runner of the deployment slots (jobs/runner.ts).
 * processNamespace: where `pid` means this process (see processNamespace()).
 */
export type WorkerIdentity = { workerId: string; hostname: string; pid: number; version: string; jobLockId?: string; deploymentLockId?: string; processNamespace?: string | null };

/**
 * The kernel boot and pid namespace this process runs in (Linux), or null: two processes with the
 * same value see the same pids, so one can tell for certain that the other has exited.
 */
export function processNamespace(): string | null {
  try {
    return `${readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim()}/${readlinkSync("/proc/self/ns/pid")}`;
  } catch {
    return null;
  }
}

export async function recordHeartbeat(db: Db, worker: WorkerIdentity) {
  await db
    .insertInto("worker_heartbeats")
    .values({
      worker_id: worker.workerId,
      hostname: worker.hostname,
      pid: worker.pid,
      version: worker.version,
      job_lock_id: worker.jobLockId ?? null,
      deployment_lock_id: worker.deploymentLockId ?? null,
      process_namespace: worker.processNamespace ?? null,
    })
    .onConflict((oc) =>
      oc.column("worker_id").doUpdateSet({
        last_seen_at: sql`now()`,
        stopped_at: null,
        job_lock_id: sql`coalesce(excluded.job_lock_id, worker_heartbeats.job_lock_id)`,
        deployment_lock_id: sql`coalesce(excluded.deployment_lock_id, worker_heartbeats.deployment_lock_id)`,
      }),
    )
    .execute();
}

export async function recordWorkerStopped(db: Db, workerId: string) {
  await db
    .updateTable("worker_heartbeats")
    .set({ stopped_at: sql`now()` })
    .where("worker_id", "=", workerId)
    .execute();
}

/** Heartbeats of workers that stopped long ago are noise on the dashboard. */
export async function pruneStoppedWorkers(db: Db, olderThanDays: number) {
  const result = await db
    .deleteFrom("worker_heartbeats")
    .where("stopped_at", "is not", null)
    .where("stopped_at", "<", sql<Date>`now() - make_interval(days => ${olderThanDays})`)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
