import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningWorker } from "@/jobs/runner";
import { closeDb, resetDatabase, testDb } from "../support/db";

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe("finished jobs as history", () => {
  let worker: RunningWorker | undefined;
  beforeAll(resetDatabase);
  afterAll(async () => {
    await worker?.stop();
    delete process.env.ZTIX_JOB_HISTORY_DAYS;
    await closeDb();
  });

  it("keeps each finished job with its payload and error after graphile-worker deleted it, and prunes it after the retention period", { timeout: 120_000 }, async () => {
    const added = await sql<{ ok: string; bad: string }>`
      select (graphile_worker.add_job('housekeeping', '{"why": "history test"}'::json, max_attempts => 1)).id::text as ok,
             (graphile_worker.add_job('housekeeping', '[1]'::json, max_attempts => 1)).id::text as bad`.execute(testDb());
    const { ok, bad } = added.rows[0]!;
    const { startWorker } = await import("@/jobs/runner");
    worker = await startWorker({ databaseUrl: process.env.DATABASE_URL!, concurrency: 1 });

    const runs = await until(
      () => testDb().selectFrom("job_runs").selectAll().where("job_id", "in", [ok, bad]).orderBy("job_id").execute(),
      (rows) => rows.length === 2,
      "both jobs to be recorded",
    );
    const byId = new Map(runs.map((run) => [run.job_id, run]));
    expect(byId.get(ok)).toMatchObject({ task: "housekeeping", ok: true, error: null, attempts: 1, payload: { why: "history test" } });
    expect(byId.get(bad)).toMatchObject({ task: "housekeeping", ok: false, attempts: 1, payload: [1] });
    expect(byId.get(bad)!.error).toMatch(/\S/);
    // graphile-worker itself keeps only the failed one (out of attempts); the history has both.
    const queued = await sql<{ id: string }>`select id::text from graphile_worker.jobs where id in (${ok}::bigint, ${bad}::bigint)`.execute(testDb());
    expect(queued.rows.map((row) => row.id)).toEqual([bad]);

    // Retention: older than ZTIX_JOB_HISTORY_DAYS goes at the next housekeeping, the rest stays.
    await worker.stop();
    worker = undefined;
    await sql`update job_runs set finished_at = now() - interval '4 days' where job_id = ${bad}`.execute(testDb());
    process.env.ZTIX_JOB_HISTORY_DAYS = "3";
    const { housekeeping } = await import("@/jobs/tasks/housekeeping");
    await housekeeping({}, { logger: { info: () => undefined } } as unknown as Parameters<typeof housekeeping>[1]);
    const left = await testDb().selectFrom("job_runs").select("job_id").where("job_id", "in", [ok, bad]).execute();
    expect(left.map((row) => row.job_id)).toEqual([ok]);
  });
});
