import "server-only";
import { randomUUID } from "node:crypto";
import os from "node:os";
import { Logger as WorkerLogger, parseCronItems, run, type Runner } from "graphile-worker";
import { createDb, createPool } from "@/db";
import { createLogger } from "@/lib/log";
import { version } from "@/lib/version";
import { HEARTBEAT_INTERVAL_MS, recordHeartbeat, recordWorkerStopped } from "@/lib/worker-heartbeat";
import { cronItems, taskList } from "./index";

const log = createLogger("worker");

// graphile-worker's own messages go through our JSON logger, tagged with the job when known.
const workerLogger = new WorkerLogger((scope) => (level, message, meta) => {
  const fields = { ...(scope.taskIdentifier ? { task: scope.taskIdentifier } : {}), ...(scope.jobId ? { jobId: scope.jobId } : {}) };
  const write = level === "error" ? log.error : level === "warning" ? log.warn : level === "debug" ? log.debug : log.info;
  write(message, { ...fields, ...(meta && typeof meta === "object" && "error" in meta ? { error: String(meta.error) } : {}) });
});

export type RunningWorker = { workerId: string; stop: () => Promise<void>; done: Promise<void> };

/** Runs the job runner and its heartbeat until stop() is called. */
export async function startWorker(options: { databaseUrl: string; concurrency: number }): Promise<RunningWorker> {
  const pool = createPool(options.databaseUrl, { max: options.concurrency + 3 });
  const db = createDb(pool);
  const identity = { workerId: `${os.hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`, hostname: os.hostname(), pid: process.pid, version };

  const runner: Runner = await run({
    pgPool: pool,
    taskList,
    parsedCronItems: parseCronItems(cronItems),
    concurrency: options.concurrency,
    noHandleSignals: true,
    pollInterval: 2_000,
    logger: workerLogger,
  });

  // Job durations for the metrics (graphile-worker keeps no record of finished jobs).
  const started = new Map<string, number>();
  runner.events.on("job:start", ({ job }) => void started.set(String(job.id), performance.now()));
  runner.events.on("job:complete", ({ job, error }) => {
    const since = started.get(String(job.id));
    started.delete(String(job.id));
    if (since === undefined) return;
    void db
      .insertInto("job_runs")
      .values({
        task: job.task_identifier,
        ok: !error,
        duration_ms: Math.round(performance.now() - since),
        // Kept as the jobs page's history (graphile-worker deletes finished jobs).
        job_id: String(job.id),
        payload: JSON.stringify(job.payload ?? null),
        error: error ? String(error instanceof Error ? error.message : error).slice(0, 2000) : null,
        attempts: job.attempts,
      })
      .execute()
      .catch((failure: unknown) => log.warn("could not record a job run", { error: String(failure) }));
  });

  const beat = () =>
    recordHeartbeat(db, identity).catch((error: unknown) =>
      log.warn("heartbeat failed", { error: error instanceof Error ? error.message : String(error) }),
    );
  await beat();
  const timer = setInterval(beat, HEARTBEAT_INTERVAL_MS);
  log.info("worker started", { workerId: identity.workerId, concurrency: options.concurrency, tasks: Object.keys(taskList) });

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      clearInterval(timer);
      await runner.stop();
      await recordWorkerStopped(db, identity.workerId).catch(() => undefined);
      await db.destroy();
      log.info("worker stopped", { workerId: identity.workerId });
    })();
    return stopping;
  };
  return { workerId: identity.workerId, stop, done: runner.promise };
}
