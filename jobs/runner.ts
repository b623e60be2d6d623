import "server-only";
import { randomUUID } from "node:crypto";
import os from "node:os";
import { Logger as WorkerLogger, parseCronItems, run, type Runner } from "graphile-worker";
import { sql } from "kysely";
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

export type RunningWorker = {
  workerId: string;
  /** Stops taking jobs, lets running ones finish within `graceMs`, then releases what is left. */
  stop: (options?: { graceMs?: number }) => Promise<void>;
  done: Promise<void>;
};

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
      .values({ task: job.task_identifier, ok: !error, duration_ms: Math.round(performance.now() - since) })
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
  const stop = ({ graceMs = Number.POSITIVE_INFINITY }: { graceMs?: number } = {}) => {
    stopping ??= (async () => {
      clearInterval(timer);
      const running = [...started.keys()];
      if (running.length > 0) log.info("worker stopping: waiting for running jobs", { jobs: running, graceSeconds: Math.round(graceMs / 1000) });
      const graceful = runner.stop().then(
        () => "done" as const,
        () => "done" as const,
      );
      let graceTimer: NodeJS.Timeout | undefined;
      const outcome = Number.isFinite(graceMs)
        ? await Promise.race([graceful, new Promise<"timeout">((resolve) => (graceTimer = setTimeout(() => resolve("timeout"), graceMs)))])
        : await graceful;
      clearTimeout(graceTimer);
      if (outcome === "timeout") {
        const unfinished = [...started.keys()];
        log.warn("stop grace period over: releasing unfinished jobs for the next worker", { jobs: unfinished });
        // Fails the running jobs (which unlocks them); the stop is not the job's fault, so the
        // attempt is given back and the job is due at once for whichever worker runs next.
        await runner.kill("ztix is stopping").catch(() => undefined);
        await releaseStoppedJobs(db, unfinished).catch((error: unknown) => log.warn("could not reschedule released jobs", { error: String(error) }));
      }
      await recordWorkerStopped(db, identity.workerId).catch(() => undefined);
      await db.destroy();
      log.info("worker stopped", { workerId: identity.workerId });
    })();
    return stopping;
  };
  return { workerId: identity.workerId, stop, done: runner.promise };
}

/** Jobs failed only because their worker stopped: attempt given back, due now, unlocked. */
async function releaseStoppedJobs(db: ReturnType<typeof createDb>, jobIds: string[]) {
  if (jobIds.length === 0) return;
  await sql`
    update graphile_worker._private_jobs
    set attempts = greatest(attempts - 1, 0), run_at = now()
    where id = any(${jobIds}::bigint[]) and locked_at is null and attempts > 0
  `.execute(db);
}
