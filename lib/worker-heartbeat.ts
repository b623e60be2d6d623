import "server-only";
import { sql } from "kysely";
import type { Db } from "@/db";

/** A worker is alive when it wrote its heartbeat within this window. */
export const HEARTBEAT_INTERVAL_MS = 10_000;
export const HEARTBEAT_STALE_AFTER_MS = 45_000;

export type WorkerIdentity = { workerId: string; hostname: string; pid: number; version: string };

export async function recordHeartbeat(db: Db, worker: WorkerIdentity) {
  await db
    .insertInto("worker_heartbeats")
    .values({ worker_id: worker.workerId, hostname: worker.hostname, pid: worker.pid, version: worker.version })
    .onConflict((oc) => oc.column("worker_id").doUpdateSet({ last_seen_at: sql`now()`, stopped_at: null }))
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
