import "server-only";
import { randomUUID } from "node:crypto";
import os from "node:os";
import { EventEmitter } from "node:events";
import { Logger as WorkerLogger, parseCronItems, run, type Job, type Runner, type Task, type TaskList, type WorkerEvents } from "graphile-worker";
import { sql } from "kysely";
import { createDb, createPool } from "@/db";
import { getConfig } from "@/lib/config";
import { createLogger } from "@/lib/log";
import { version } from "@/lib/version";
import { CONTROLLER_TASKS, runControllerJobsNow } from "@/lib/connections/controller-recovery";
import { WORKER_DEAD_AFTER_MS } from "@/lib/orphaned-work";
import { HEARTBEAT_INTERVAL_MS, recordHeartbeat, processNamespace, recordWorkerStopped, type WorkerIdentity } from "@/lib/worker-heartbeat";
import { cronItems, DEPLOYMENT_TASKS, taskList } from "./index";
import { startRecovery } from "./recovery";

const log = createLogger("worker");

// The looks that run every minute, and every 2 s after a deployment: their successes would be
// most of the log (60 lines per deployment), so they are debug; their failures stay errors.
const ROUTINE_SUCCESS = /^Completed task \d+ \((collect_session_states|collect_router_states),/;

// graphile-worker's own messages go through our JSON logger, tagged with the job when known.
const workerLogger = new WorkerLogger((scope) => (level, message, meta) => {
  const fields = { ...(scope.taskIdentifier ? { task: scope.taskIdentifier } : {}), ...(scope.jobId ? { jobId: scope.jobId } : {}) };
  const write = level === "error" ? log.error : level === "warning" ? log.warn : level === "debug" || ROUTINE_SUCCESS.test(message) ? log.debug : log.info;
  write(message, { ...fields, ...(meta && typeof meta === "object" && "error" in meta ? { error: String(meta.error) } : {}) });
});

export type RunningWorker = {
  workerId: string;
  /** Stops taking jobs, lets running ones finish within `graceMs`, then releases what is left. */
  stop: (options?: { graceMs?: number }) => Promise<void>;
  done: Promise<void>;
};

/**
 * Runs the job runners and their heartbeat until stop() is called: one for every task but the
 * deployments (`concurrency` slots, the crontab), one for the deployments alone
 * (`deployConcurrency` slots). A deployment waiting on a hung route server thus holds a
 * deployment slot, never one of provisioning's; each LAN's queue keeps its deployments in order.
 */
export async function startWorker(options: { databaseUrl: string; concurrency: number; deployConcurrency?: number }): Promise<RunningWorker> {
  const deployConcurrency = options.deployConcurrency ?? getConfig().WORKER_DEPLOY_CONCURRENCY;
  // Each runner has a LISTEN connection; the heartbeat and the recovery sweeps need theirs.
  const pool = createPool(options.databaseUrl, { max: options.concurrency + deployConcurrency + 4 });
  const db = createDb(pool);
  const identity: WorkerIdentity = { workerId: `${os.hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`, hostname: os.hostname(), pid: process.pid, version, processNamespace: processNamespace() };
  // graphile-worker locks jobs with its pool's id: the heartbeat names both runners', so that
  // another worker can tell whose locks are dead (lib/orphaned-work).
  const generalEvents: WorkerEvents = new EventEmitter();
  generalEvents.on("pool:create", ({ workerPool }) => void (identity.jobLockId = workerPool.id));
  const deployEvents: WorkerEvents = new EventEmitter();
  deployEvents.on("pool:create", ({ workerPool }) => void (identity.deploymentLockId = workerPool.id));

  // Jobs this process runs now, with the lock they hold: what a stop must hand back.
  const held = new Map<string, string | null>();
  // When a controller job that had failed now succeeds, the controller is back: its other waiting
  // jobs run at once.
  generalEvents.on("job:success", ({ job }) => {
    if (job.attempts <= 1 || !(CONTROLLER_TASKS as readonly string[]).includes(job.task_identifier)) return;
    void runControllerJobsNow(db).catch((error: unknown) => log.warn("could not run waiting controller jobs", { error: String(error) }));
  });
  // On the emitters before the runners start: jobs waiting for a worker (after a restart, an
  // outage) start at once, before run() has even returned.
  for (const events of [generalEvents, deployEvents]) {
    events.on("job:start", ({ job }) => void held.set(String(job.id), job.locked_by));
    events.on("job:complete", ({ job }) => void held.delete(String(job.id)));
  }

  const recordedTasks = withRunHistory(db, taskList);
  const generalTasks = Object.fromEntries(Object.entries(recordedTasks).filter(([name]) => !DEPLOYMENT_TASKS.includes(name))) as TaskList;
  const deploymentTasks = Object.fromEntries(Object.entries(recordedTasks).filter(([name]) => DEPLOYMENT_TASKS.includes(name))) as TaskList;
  const common = { pgPool: pool, noHandleSignals: true, pollInterval: 2_000, logger: workerLogger } as const;
  const general: Runner = await run({ ...common, taskList: generalTasks, parsedCronItems: parseCronItems(cronItems), concurrency: options.concurrency, events: generalEvents });
  let deployments: Runner;
  try {
    deployments = await run({ ...common, taskList: deploymentTasks, parsedCronItems: [], concurrency: deployConcurrency, events: deployEvents });
  } catch (error) {
    await general.stop().catch(() => undefined);
    await db.destroy().catch(() => undefined);
    throw error;
  }
  const runners = [general, deployments];

  const beats = trackBeats();
  const beat = () =>
    recordHeartbeat(db, identity).then(beats.ok, (error: unknown) => {
      beats.failed();
      log.warn("heartbeat failed", { error: error instanceof Error ? error.message : String(error) });
    });
  await beat();
  const timer = setInterval(beat, HEARTBEAT_INTERVAL_MS);
  const recovery = startRecovery(db, { lockIds: () => [identity.jobLockId, identity.deploymentLockId].filter((id): id is string => Boolean(id)), databaseHealthy: beats.healthy });
  log.info("worker started", { workerId: identity.workerId, concurrency: options.concurrency, deployConcurrency, tasks: Object.keys(taskList) });

  let stopping: Promise<void> | undefined;
  const stop = ({ graceMs = Number.POSITIVE_INFINITY }: { graceMs?: number } = {}) => {
    stopping ??= (async () => {
      clearInterval(timer);
      recovery.stop();
      if (held.size > 0) log.info("worker stopping: waiting for running jobs", { jobs: [...held.keys()], graceSeconds: Math.round(graceMs / 1000) });
      // No new jobs from here on; running ones may finish within the grace period.
      const graceful = Promise.allSettled(runners.map((runner) => runner.stop())).then(() => "finished" as const);
      let graceTimer: NodeJS.Timeout | undefined;
      const outcome = Number.isFinite(graceMs)
        ? await Promise.race([graceful, new Promise<"grace over">((resolve) => (graceTimer = setTimeout(() => resolve("grace over"), graceMs)))])
        : await graceful;
      clearTimeout(graceTimer);
      if (outcome === "grace over" && held.size > 0) {
        const unfinished = [...held.entries()];
        log.warn("stop grace period over: releasing unfinished jobs for the next worker", { jobs: unfinished.map(([id]) => id) });
        await releaseJobs(db, unfinished).catch((error: unknown) => log.error("could not release unfinished jobs", { error: String(error) }));
      }
      await recordWorkerStopped(db, identity.workerId).catch(() => undefined);
      // A job still running holds a pooled connection; the process ends anyway.
      await Promise.race([db.destroy(), new Promise((resolve) => setTimeout(resolve, 3_000).unref())]);
      log.info("worker stopped", { workerId: identity.workerId });
    })();
    return stopping;
  };
  // Either runner failing (a job outcome it could not record) ends the worker, as one would alone.
  return { workerId: identity.workerId, stop, done: Promise.all(runners.map((runner) => runner.promise)).then(() => undefined) };
}

/**
 * Every task, recording each of its runs in job_runs (the jobs page's history and the metrics;
 * graphile-worker deletes finished jobs) before graphile-worker completes or fails the job. In
 * that order a worker killed in between leaves a recorded run whose job runs again (both runs
 * happened), never a finished job without its record. A record that cannot be written is logged
 * and does not fail the job.
 */
function withRunHistory(db: ReturnType<typeof createDb>, tasks: TaskList): TaskList {
  const record = async (job: Job, since: number, error: unknown) => {
    await db
      .insertInto("job_runs")
      .values({
        task: job.task_identifier,
        ok: !error,
        duration_ms: Math.round(performance.now() - since),
        job_id: String(job.id),
        payload: JSON.stringify(job.payload ?? null),
        error: error ? String(error instanceof Error ? error.message : error).slice(0, 2000) : null,
        attempts: job.attempts,
      })
      .execute()
      .catch((failure: unknown) => log.warn("could not record a job run", { task: job.task_identifier, jobId: job.id, error: String(failure) }));
  };
  const recorded =
    (task: Task): Task =>
    async (payload, helpers) => {
      const since = performance.now();
      try {
        const result = await task(payload, helpers);
        await record(helpers.job, since, null);
        return result;
      } catch (error) {
        await record(helpers.job, since, error);
        throw error;
      }
    };
  return Object.fromEntries(Object.entries(tasks).flatMap(([name, task]) => (task ? [[name, recorded(task)]] : [])));
}

/**
 * Hands back jobs this worker is about to abandon: unlocked (only where our lock still holds),
 * due at once, and the attempt given back (the stop is not the job's failure). The next worker
 * to start, or any running one, takes them; the task itself must be safe to run again, as every
 * task here is.
 */
async function releaseJobs(db: ReturnType<typeof createDb>, jobs: [id: string, lockedBy: string | null][]) {
  for (const [id, lockedBy] of jobs) {
    await sql`
      update graphile_worker._private_jobs
      set locked_at = null, locked_by = null, run_at = now(), attempts = greatest(attempts - 1, 0),
          last_error = 'released unfinished when its worker stopped'
      where id = ${id}::bigint and locked_by is not distinct from ${lockedBy}::text and locked_at is not null
    `.execute(db);
    if (lockedBy) await sql`update graphile_worker._private_job_queues set locked_at = null, locked_by = null where locked_by = ${lockedBy}`.execute(db);
  }
}

/**
 * Whether this worker's own heartbeats have reached the database for a whole dead-worker window:
 * only then does another worker's silence mean that it died, not that the database was away.
 */
function trackBeats() {
  let failing = false;
  let okSince = Number.NEGATIVE_INFINITY;
  return {
    ok() {
      if (failing) okSince = Date.now();
      failing = false;
    },
    failed() {
      failing = true;
    },
    healthy: () => !failing && Date.now() - okSince >= WORKER_DEAD_AFTER_MS,
  };
}
