import pg from "pg";
import { sql } from "kysely";
import { Logger, run, type Runner } from "graphile-worker";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { POST as approveRoute } from "@/app/api/v1/connections/[id]/approve/route";
import { POST as createRoute } from "@/app/api/v1/connections/route";
import { getPool } from "@/db";
import { enqueueJob } from "@/jobs/enqueue";
import { createApiKey } from "@/lib/api/keys";
import { cliActor } from "@/lib/audit";
import { closeDb, resetDatabase, testDb } from "../support/db";
import { createLanRow, nodeId } from "../support/fixtures";

const BASE_ASN = 4_200_000_000;

async function callApi(handler: typeof createRoute, path: string, key: string, body: unknown, params: Record<string, string> = {}) {
  const request = new Request(`http://ztix.test${path}`, { method: "POST", headers: { "X-API-Key": key, "Content-Type": "application/json" }, body: JSON.stringify(body) });
  const response = await handler(request, { params: Promise.resolve(params) });
  return { status: response.status, body: (await response.json()) as { data?: { id: number }; error?: { code: string; message: string } } };
}

async function keyedJobs(task: string) {
  const rows = await sql<{ key: string | null; locked: boolean }>`
    select key, locked_at is not null as locked from graphile_worker._private_jobs j
      join graphile_worker._private_tasks t on t.id = j.task_id
     where t.identifier = ${task}
  `.execute(testDb());
  return rows.rows;
}

describe("concurrent writes through the API", () => {
  let previousRateLimit: string | undefined;
  let runner: Runner | undefined;
  let probe: pg.Client | undefined;

  beforeAll(() => {
    previousRateLimit = process.env.ZTIX_API_RATE_LIMIT;
    process.env.ZTIX_API_RATE_LIMIT = "1000000";
  });
  beforeEach(resetDatabase);
  afterEach(async () => {
    // Whatever happened in the test, nothing it started keeps running into the next one.
    await runner?.stop().catch(() => undefined);
    runner = undefined;
    await probe?.end().catch(() => undefined);
    probe = undefined;
    await sql`drop trigger if exists ztix_test_pause on graphile_worker._private_jobs`.execute(testDb());
    await sql`drop function if exists ztix_test_pause()`.execute(testDb());
  });
  afterAll(async () => {
    if (previousRateLimit === undefined) delete process.env.ZTIX_API_RATE_LIMIT;
    else process.env.ZTIX_API_RATE_LIMIT = previousRateLimit;
    await closeDb();
  });

  it("enqueues a job whose waiting namesake a worker locks in the middle of add_job (graphile/worker#580)", async () => {
    const key = `refresh_network:${BASE_ASN}`;
    await enqueueJob(testDb(), "refresh_network", { asn: BASE_ASN }, { jobKey: key, maxAttempts: 5 });
    // Holds add_job between its two statements (after "clear the keys of running jobs", before
    // the insert), once, while another connection locks the waiting job the way a worker does.
    await sql
      .raw(
        `create function ztix_test_pause() returns trigger language plpgsql as $$
         begin
           if current_setting('ztix.test_pause', true) = 'on' then
             perform set_config('ztix.test_pause', 'off', true);
             perform pg_sleep(1);
           end if;
           return new;
         end $$;
         create trigger ztix_test_pause before insert on graphile_worker._private_jobs for each row execute function ztix_test_pause();`,
      )
      .execute(testDb());
    probe = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await probe.connect();

    const enqueued = testDb()
      .transaction()
      .execute(async (trx) => {
        await sql`select set_config('ztix.test_pause', 'on', true)`.execute(trx);
        return enqueueJob(trx, "refresh_network", { asn: BASE_ASN }, { jobKey: key, maxAttempts: 5 });
      });
    await new Promise((resolve) => setTimeout(resolve, 300));
    await probe.query(`update graphile_worker._private_jobs set locked_at = now(), locked_by = 'a-worker' where key = $1`, [key]);

    await expect(enqueued).resolves.toMatchObject({ id: expect.any(String) });
    // The running job lost its key; the new one waits under it: nothing lost, nothing doubled.
    expect((await keyedJobs("refresh_network")).sort((a, b) => Number(a.locked) - Number(b.locked))).toEqual([
      { key, locked: false },
      { key: null, locked: true },
    ]);
  });

  it("answers 2xx to 300 requests and their approvals with 16 in flight while a worker takes jobs, each job enqueued once", async () => {
    const count = 300;
    const lan = await createLanRow({ ipv4Prefix: "10.64.0.0/20", ipv6Prefix: "2001:db8:ffff::/64" });
    const { key } = await createApiKey(testDb(), { name: "storm", scope: "admin" }, cliActor());
    // The daily PeeringDB refresh has every network waiting, due now: a worker takes them while
    // the requests enqueue the same keys (the collision behind "could not enqueue refresh_network").
    for (let i = 0; i < count; i++) {
      await enqueueJob(testDb(), "refresh_network", { asn: BASE_ASN + i }, { jobKey: `refresh_network:${BASE_ASN + i}`, maxAttempts: 5 });
    }
    runner = await run({
      pgPool: getPool(),
      // Fails after a moment (no PeeringDB here): the job stays, keyed, and comes back on backoff.
      taskList: {
        refresh_network: async () => {
          await new Promise((resolve) => setTimeout(resolve, 20));
          throw new Error("PeeringDB is not reachable in this test");
        },
      },
      concurrency: 4,
      noHandleSignals: true,
      pollInterval: 100,
      logger: new Logger(() => () => undefined),
    });

    const statuses: number[] = [];
    const failures: string[] = [];
    let next = 0;
    const lane = async () => {
      while (next < count) {
        const i = next++;
        const created = await callApi(createRoute, "/api/v1/connections", key, { asn: BASE_ASN + i, lan: lan.id, ztNodeId: nodeId(i) });
        statuses.push(created.status);
        if (created.status !== 201) {
          failures.push(`create ${i}: ${created.status} ${JSON.stringify(created.body)}`);
          continue;
        }
        const id = String(created.body.data!.id);
        const approved = await callApi(approveRoute as typeof createRoute, `/api/v1/connections/${id}/approve`, key, {}, { id });
        statuses.push(approved.status);
        if (approved.status !== 200) failures.push(`approve ${id}: ${approved.status} ${JSON.stringify(approved.body)}`);
      }
    };
    await Promise.all(Array.from({ length: 16 }, lane));
    await runner.stop();
    runner = undefined;

    expect(failures).toEqual([]);
    expect(statuses).toHaveLength(2 * count);

    const provisions = await keyedJobs("provision_connection");
    expect(provisions).toHaveLength(count);
    expect(new Set(provisions.map((job) => job.key)).size).toBe(count);
    // One waiting refresh per network: the request's (replacing or beside a taken one).
    const waitingRefreshes = (await keyedJobs("refresh_network")).filter((job) => job.key !== null);
    expect(waitingRefreshes).toHaveLength(count);
    expect(new Set(waitingRefreshes.map((job) => job.key)).size).toBe(count);

    const states = await testDb().selectFrom("connections").select(({ fn }) => ["state", fn.countAll<number>().as("n")]).groupBy("state").execute();
    expect(states).toEqual([{ state: "approved", n: count }]);
    const approvals = await testDb().selectFrom("audit_events").select(({ fn }) => fn.countAll<number>().as("n")).where("action", "=", "connection.approved").executeTakeFirstOrThrow();
    expect(approvals.n).toBe(count);
  }, 300_000);
});
