import { sql } from "kysely";
import { runOnce } from "graphile-worker";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { getPool } from "@/db";
import { enqueueJob } from "@/jobs/enqueue";
import { taskList } from "@/jobs/index";
import { closeDb, resetDatabase, testDb } from "../support/db";

async function insertStoppedWorker(workerId: string, daysAgo: number) {
  await testDb()
    .insertInto("worker_heartbeats")
    .values({
      worker_id: workerId,
      hostname: "old-host",
      pid: 1,
      version: "0.0.0",
      stopped_at: sql<Date>`now() - make_interval(days => ${daysAgo})`,
    })
    .execute();
}

async function queuedJobs() {
  return testDb().selectFrom("graphile_worker.jobs").select(["task_identifier", "key", "attempts"]).execute();
}

async function runQueuedJobs() {
  await runOnce({ pgPool: getPool(), taskList, noHandleSignals: true });
}

describe("jobs enqueued on the caller's transaction", () => {
  beforeEach(resetDatabase);
  afterAll(closeDb);

  it("never runs a job whose transaction rolled back", async () => {
    await insertStoppedWorker("gone-long-ago", 30);
    await expect(
      testDb()
        .transaction()
        .execute(async (trx) => {
          await enqueueJob(trx, "prune_worker_heartbeats", { olderThanDays: 7 }, { maxAttempts: 1 });
          throw new Error("the write failed after enqueueing");
        }),
    ).rejects.toThrow("the write failed");

    expect(await queuedJobs()).toEqual([]);
    await runQueuedJobs();
    const remaining = await testDb().selectFrom("worker_heartbeats").select("worker_id").execute();
    expect(remaining).toEqual([{ worker_id: "gone-long-ago" }]);
  });

  it("runs a job whose transaction committed", async () => {
    await insertStoppedWorker("gone-long-ago", 30);
    await insertStoppedWorker("stopped-yesterday", 1);
    await testDb()
      .transaction()
      .execute(async (trx) => {
        await enqueueJob(trx, "prune_worker_heartbeats", { olderThanDays: 7 }, { maxAttempts: 1, jobKey: "prune_worker_heartbeats" });
      });

    expect(await queuedJobs()).toEqual([{ task_identifier: "prune_worker_heartbeats", key: "prune_worker_heartbeats", attempts: 0 }]);
    await runQueuedJobs();
    expect(await queuedJobs()).toEqual([]);
    const remaining = await testDb().selectFrom("worker_heartbeats").select("worker_id").execute();
    expect(remaining).toEqual([{ worker_id: "stopped-yesterday" }]);
  });

  it("keeps a job that failed its payload validation visible with the reason", async () => {
    await testDb()
      .transaction()
      .execute(async (trx) => {
        // A payload from an older or foreign producer: the task must refuse it, not guess.
        await enqueueJob(trx, "prune_worker_heartbeats", { olderThanDays: -3 } as never, { maxAttempts: 1 });
      });
    await runQueuedJobs();
    // runOnce can resolve just before the failure is written back: wait for it.
    await expect
      .poll(async () => (await testDb().selectFrom("graphile_worker.jobs").select("last_error").executeTakeFirst())?.last_error)
      .toContain("invalid prune_worker_heartbeats payload");
    const job = await testDb().selectFrom("graphile_worker.jobs").select(["attempts", "max_attempts", "last_error"]).executeTakeFirst();
    expect(job?.attempts).toBe(1);
    expect(job?.max_attempts).toBe(1);
    expect(job?.last_error).toContain("olderThanDays");
  });
});
