import "server-only";
import type { Db } from "@/db";
import { capRetryGaps, runControllerJobsNow, waitingControllerJobs } from "@/lib/connections/controller-recovery";
import { createLogger } from "@/lib/log";
import { interruptOrphanedDeployments, releaseJobsOfDeadWorkers, WORKER_DEAD_AFTER_MS } from "@/lib/orphaned-work";
import { getZeroTierProvider } from "@/lib/zerotier/client";

const log = createLogger("worker");

/** Every live worker looks for dead workers' jobs and deployments this often (and at its start). */
export const ORPHAN_SWEEP_INTERVAL_MS = 60_000;
/** While controller jobs wait on their backoff, the controller's readiness is checked this often. */
export const CONTROLLER_WATCH_INTERVAL_MS = 3_000;

const describe = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * The recovery duties of a running worker: free what dead workers left (jobs, deployments), cap
 * retry gaps, and run controller jobs as soon as the controller is ready again.
 */
export function startRecovery(db: Db, self: { lockIds: () => string[]; databaseHealthy: () => boolean }) {
  let stopped = false;
  let sweepTimer: NodeJS.Timeout | undefined;
  let watchTimer: NodeJS.Timeout | undefined;

  const sweep = async () => {
    if (stopped) return;
    let delay = ORPHAN_SWEEP_INTERVAL_MS;
    try {
      // A worker that itself just lost the database cannot tell silence from an outage.
      const { released, spent, handedOver, nextCheckAt } = await releaseJobsOfDeadWorkers(db, { exceptLockIds: self.lockIds(), trustSilence: self.databaseHealthy() });
      for (const holder of released) log.warn("released the jobs of a dead worker", { lockId: holder.lockId, jobs: holder.jobIds, reason: holder.deadBecause });
      for (const job of spent) log.warn("a job died in its last attempt: failed", job);
      for (const job of handedOver) log.info("a job that had handed over to a fresh one died with its worker: done", job);
      // A suspect worker is judged again the moment it would count as dead.
      if (nextCheckAt) delay = Math.min(delay, Math.max(1_000, nextCheckAt.getTime() - Date.now() + 500));
      for (const deployment of await interruptOrphanedDeployments(db)) log.warn("deployment interrupted by a dead worker; deploying the LAN again", deployment);
      const capped = await capRetryGaps(db);
      if (capped > 0) log.info("capped retry gaps", { jobs: capped });
    } catch (error) {
      log.warn("recovery sweep failed", { error: describe(error) });
      delay = Math.min(delay, WORKER_DEAD_AFTER_MS / 3);
    }
    if (!stopped) sweepTimer = setTimeout(() => void sweep(), delay);
  };

  const watchController = async () => {
    if (stopped) return;
    try {
      if ((await waitingControllerJobs(db)).length > 0) {
        const readiness = await getZeroTierProvider().readiness();
        if (readiness.ready) {
          const count = await runControllerJobsNow(db);
          if (count > 0) log.info("the ZeroTier controller is ready again: waiting jobs run now", { jobs: count });
        }
      }
    } catch (error) {
      log.warn("controller watch failed", { error: describe(error) });
    }
    if (!stopped) watchTimer = setTimeout(() => void watchController(), CONTROLLER_WATCH_INTERVAL_MS);
  };

  void sweep();
  void watchController();
  return {
    stop() {
      stopped = true;
      clearTimeout(sweepTimer);
      clearTimeout(watchTimer);
    },
  };
}
