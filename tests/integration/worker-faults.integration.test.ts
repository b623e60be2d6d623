/**
 * Faults of the job runner with real worker processes (jobs/worker.ts, SIGKILLed for real) and
 * the ZeroTier controller simulator: a dead worker's job is released and finished by another
 * worker, and jobs waiting on an unreachable controller run as soon as it is back.
 */
import { sql } from "kysely";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { actorOf, approveConnection, requestConnection } from "@/lib/connections/service";
import { createZeroTierProvider } from "@/lib/zerotier";
import { createLanNetwork } from "@/lib/zerotier/network-setup";
import { startZeroTierSimulator, type ZeroTierSimulator } from "@/simulators/zerotier/server";
import { closeDb, resetDatabase, testDb } from "../support/db";
import { createStaffUser, nodeId } from "../support/fixtures";
import { startWorkerProcess, waitFor, type WorkerProcess } from "../support/worker-process";

let sim: ZeroTierSimulator;
const workers: WorkerProcess[] = [];

function worker() {
  const started = startWorkerProcess({ DATABASE_URL: process.env.DATABASE_URL!, ZT_PROVIDER: "self_hosted_controller", ZT_CONTROLLER_URL: sim.controllerUrl, ZT_CONTROLLER_TOKEN: sim.token });
  workers.push(started);
  return started;
}

async function lanOnSimulator() {
  const provider = createZeroTierProvider({ provider: "self_hosted_controller", controllerUrl: sim.controllerUrl, controllerToken: sim.token, centralUrl: "" });
  const { networkId } = await createLanNetwork(provider, { name: "ix", ipv4Prefix: "192.0.2.0/24", ipv6Prefix: "2001:db8:ffff::/64", mtu: 2800 });
  return testDb()
    .insertInto("lans")
    .values({ name: "ix", zt_network_id: networkId, ipv4_prefix: "192.0.2.0/24", ipv6_prefix: "2001:db8:ffff::/64", ipv6_scheme: "asn", reserved_host_count: 10, quarantine_days: 7, rs_asn: 64496 })
    .returning(["id", "zt_network_id"])
    .executeTakeFirstOrThrow();
}

async function approvedConnection(lanId: number, n: number) {
  const operator = await createStaffUser();
  const { id } = await requestConnection(testDb(), operator, { asn: 64500 + n, lanId, ztNodeId: nodeId(n), routeServerPeering: true });
  await approveConnection(testDb(), actorOf(operator), id);
  return id;
}

const connection = (id: number) => testDb().selectFrom("connections").select(["state", "reason"]).where("id", "=", id).executeTakeFirstOrThrow();

describe("job runner faults with real worker processes", () => {
  beforeAll(async () => {
    sim = await startZeroTierSimulator({});
  });
  beforeEach(async () => {
    await resetDatabase();
    sim.reset();
    await sim.up();
  });
  afterEach(async (context) => {
    for (const started of workers.splice(0)) {
      await started.kill("SIGKILL");
      if (context.task.result?.state === "fail") console.log(started.output().slice(-4000));
    }
  });
  afterAll(async () => {
    await sim.close();
    await closeDb();
  });

  it(
    "a worker SIGKILLed during provisioning: another worker frees the job, provisions the connection once, the audit trail is intact",
    async () => {
      const lan = await lanOnSimulator();
      sim.setFaults({ latencyMs: 2_500 });
      const id = await approvedConnection(lan.id, 1);
      const key = `provision_connection:${id}`;
      sim.resetCounters();

      const first = worker();
      // Killed while its member upsert is held up by the slow controller (the controller still applies it).
      await waitFor("the upsert to reach the controller", () => sim.counters.mutatingRequests >= 1, 60_000);
      const locked = await testDb().selectFrom("graphile_worker.jobs").select(["id", "locked_by"]).where("key", "=", key).executeTakeFirstOrThrow();
      expect(locked.locked_by).not.toBeNull();
      await first.kill("SIGKILL");
      expect((await connection(id)).state).toBe("provisioning");
      sim.setFaults({ latencyMs: 0 });

      const second = worker();
      await waitFor("the connection to be provisioned", async () => (await connection(id)).state === "provisioned", 60_000, 250);
      expect(second.output()).toContain("released the jobs of a dead worker");

      const members = sim.members(lan.zt_network_id);
      expect(members.map((member) => [member.id, member.authorized])).toEqual([[nodeId(1), true]]);
      await waitFor("the job to be completed", async () => !(await testDb().selectFrom("graphile_worker.jobs").select("id").where("key", "=", key).executeTakeFirst()), 10_000);
      // Run to completion once: by the second worker (the first died mid-way). The run is recorded
      // before graphile-worker completes the job.
      const runs = await testDb().selectFrom("job_runs").select(["ok"]).where("task", "=", "provision_connection").execute();
      expect(runs).toEqual([{ ok: true }]);
      const audit = await testDb().selectFrom("audit_events").select(["action"]).where("subject_type", "=", "connection").where("subject_id", "=", String(id)).orderBy("id").execute();
      expect(audit.map((entry) => entry.action)).toEqual(["connection.requested", "connection.approved", "connection.provisioning", "connection.provisioned"]);
    },
    180_000,
  );

  it(
    "a worker SIGKILLed while it records a finished run: the job was not completed, it runs again, and its run is in the history",
    async () => {
      const { enqueueJob } = await import("@/jobs/enqueue");
      // The history table held by another session: the worker's record of the run waits on it.
      const jobId = await testDb().connection().execute(async (connection) => {
        await sql`begin`.execute(connection);
        try {
          await sql`lock table job_runs in exclusive mode`.execute(connection);
          const { id } = await enqueueJob(testDb(), "prune_worker_heartbeats", { olderThanDays: 7 }, { maxAttempts: 3, jobKey: "prune_worker_heartbeats:fault" });
          const first = worker();
          await waitFor(
            "the worker's record of the run to wait on the history table",
            async () =>
              (await sql<{ n: number }>`select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock' and query ilike 'insert into "job_runs"%'`.execute(testDb())).rows[0]!.n === 1,
            60_000,
            100,
          );
          // The run finished but is not recorded yet: the job is not completed either.
          expect(await testDb().selectFrom("graphile_worker.jobs").select(["locked_by"]).where("id", "=", Number(id)).executeTakeFirst()).toEqual({ locked_by: expect.any(String) });
          await first.kill("SIGKILL");
          return id;
        } finally {
          await sql`rollback`.execute(connection);
        }
      });

      const second = worker();
      await waitFor("the job to run again and be completed", async () => !(await testDb().selectFrom("graphile_worker.jobs").select("id").where("id", "=", Number(jobId)).executeTakeFirst()), 60_000, 250);
      expect(second.output()).toContain("released the jobs of a dead worker");
      // The run that completed the job is recorded. The killed worker's record may be there too
      // (PostgreSQL finishes a statement whose client has gone): that run happened as well.
      const runs = await testDb().selectFrom("job_runs").select(["ok", "attempts"]).where("job_id", "=", String(jobId)).orderBy("id").execute();
      expect(runs.at(-1)).toEqual({ ok: true, attempts: 2 });
      expect(runs.filter((run) => !run.ok)).toEqual([]);
    },
    180_000,
  );

  it("judges lock holders: silent for three beats or stopped is dead, a fresh one or one judged by a worker just back from an outage is not", async () => {
    const { findLockHolders, releaseJobsOfDeadWorkers, WORKER_DEAD_AFTER_MS } = await import("@/lib/orphaned-work");
    const { enqueueJob } = await import("@/jobs/enqueue");
    const holders = { silent: "pool-silent", fresh: "pool-fresh", stopped: "pool-stopped", unknown: "pool-unknown" };
    for (const [name, lockId] of Object.entries(holders)) {
      const { id } = await enqueueJob(testDb(), "refresh_network", { asn: 64500 }, { maxAttempts: 1, jobKey: `refresh_network:${name}` });
      await sql`update graphile_worker._private_jobs set locked_by = ${lockId}, locked_at = now() - make_interval(secs => ${name === "unknown" ? WORKER_DEAD_AFTER_MS / 1000 + 5 : 1}) where id = ${id}::bigint`.execute(testDb());
      if (name === "unknown") continue;
      // Another host's worker: only its heartbeat can tell.
      await testDb()
        .insertInto("worker_heartbeats")
        .values({ worker_id: name, hostname: "elsewhere", pid: 1, version: "test", job_lock_id: lockId, process_namespace: "another-host", last_seen_at: sql<Date>`now() - make_interval(secs => ${name === "silent" ? WORKER_DEAD_AFTER_MS / 1000 + 1 : 2})`, stopped_at: name === "stopped" ? sql<Date>`now()` : null })
        .execute();
    }
    const judged = Object.fromEntries((await findLockHolders(testDb())).map((holder) => [holder.lockId, holder.deadBecause]));
    expect(judged[holders.fresh]).toBeNull();
    expect(judged[holders.silent]).toMatch(/worker silent has written no heartbeat for \d+ s/);
    expect(judged[holders.stopped]).toMatch(/worker stopped stopped at .* and left the lock/);
    expect(judged[holders.unknown]).toMatch(/no live worker holds lock pool-unknown/);
    const cautious = Object.fromEntries((await findLockHolders(testDb(), { trustSilence: false })).map((holder) => [holder.lockId, holder.deadBecause]));
    expect([cautious[holders.silent], cautious[holders.unknown], cautious[holders.fresh]]).toEqual([null, null, null]);

    const { released } = await releaseJobsOfDeadWorkers(testDb());
    expect(released.map((holder) => holder.lockId).sort()).toEqual([holders.silent, holders.stopped, holders.unknown].sort());
    const locks = await testDb().selectFrom("graphile_worker.jobs").select(["key", "locked_by"]).orderBy("key").execute();
    expect(locks).toEqual([
      { key: "refresh_network:fresh", locked_by: holders.fresh },
      { key: "refresh_network:silent", locked_by: null },
      { key: "refresh_network:stopped", locked_by: null },
      { key: "refresh_network:unknown", locked_by: null },
    ]);
  });

  it("a job whose worker died in its last attempt ends failed with the reason, and so does its connection; one with attempts left runs again", async () => {
    const { releaseJobsOfDeadWorkers } = await import("@/lib/orphaned-work");
    const lan = await lanOnSimulator();
    const [last, notLast] = [await approvedConnection(lan.id, 8), await approvedConnection(lan.id, 9)];
    for (const [id, attempts] of [[last, 12], [notLast, 3]] as const) {
      await sql`update graphile_worker._private_jobs set locked_by = 'pool-gone', locked_at = now(), attempts = ${attempts} where key = ${`provision_connection:${id}`}`.execute(testDb());
      await testDb().updateTable("connections").set({ state: "provisioning" }).where("id", "=", id).execute();
    }
    await testDb().insertInto("worker_heartbeats").values({ worker_id: "gone-worker", hostname: "elsewhere", pid: 1, version: "test", job_lock_id: "pool-gone", process_namespace: "another-host", stopped_at: sql<Date>`now()` }).execute();

    const { spent } = await releaseJobsOfDeadWorkers(testDb());
    expect(spent).toEqual([{ id: expect.any(String), task: "provision_connection", reason: expect.stringMatching(/^its worker died during the job's last attempt \(worker gone-worker stopped at .*\)$/) }]);
    expect(await connection(last)).toEqual({ state: "failed", reason: spent[0]!.reason });
    const jobs = await testDb().selectFrom("graphile_worker.jobs").select(["key", "locked_by", "attempts", "max_attempts", "last_error"]).where("task_identifier", "=", "provision_connection").orderBy("id").execute();
    expect(jobs).toEqual([
      { key: `provision_connection:${last}`, locked_by: null, attempts: 12, max_attempts: 12, last_error: spent[0]!.reason },
      { key: `provision_connection:${notLast}`, locked_by: null, attempts: 3, max_attempts: 12, last_error: null },
    ]);
    expect(await connection(notLast)).toEqual({ state: "provisioning", reason: null });
  });

  it("a job that had handed over to a fresh one (controller outage) and then lost its worker is done, not failed: the fresh job carries on", async () => {
    const { releaseJobsOfDeadWorkers } = await import("@/lib/orphaned-work");
    const { enqueueJob } = await import("@/jobs/enqueue");
    const lan = await lanOnSimulator();
    const id = await approvedConnection(lan.id, 6);
    await testDb().updateTable("connections").set({ state: "provisioning" }).where("id", "=", id).execute();
    const key = `provision_connection:${id}`;
    await sql`update graphile_worker._private_jobs set locked_by = 'pool-gone', locked_at = now(), attempts = 12 where key = ${key}`.execute(testDb());
    // The handover as the last attempt does it: add_job on the running job's key retires that job
    // (its key cleared, its attempts spent) and queues the fresh one; then the worker dies.
    const fresh = await enqueueJob(testDb(), "provision_connection", { connectionId: id, waitingSince: new Date().toISOString() }, { jobKey: key, maxAttempts: 12, runAt: new Date(Date.now() + 60_000) });
    await testDb().insertInto("worker_heartbeats").values({ worker_id: "gone-worker", hostname: "elsewhere", pid: 1, version: "test", job_lock_id: "pool-gone", process_namespace: "another-host", stopped_at: sql<Date>`now()` }).execute();

    const { spent, handedOver } = await releaseJobsOfDeadWorkers(testDb());
    expect(spent).toEqual([]);
    expect(handedOver).toEqual([{ id: expect.any(String), task: "provision_connection", successor: String(fresh.id) }]);
    const jobs = await testDb().selectFrom("graphile_worker.jobs").select(["id", "key", "locked_by", "attempts", "last_error"]).where("task_identifier", "=", "provision_connection").execute();
    expect(jobs).toEqual([{ id: Number(fresh.id), key, locked_by: null, attempts: 0, last_error: null }]);
    expect(await connection(id)).toEqual({ state: "provisioning", reason: null });
  });

  it("a deployment asked for again while it ran, whose worker then died, is done, not failed: the deployment asked for runs", async () => {
    const { releaseJobsOfDeadWorkers } = await import("@/lib/orphaned-work");
    const { enqueueLanDeployment } = await import("@/lib/connections/service");
    const lan = await lanOnSimulator();
    await enqueueLanDeployment(testDb(), lan.id, "first");
    await sql`update graphile_worker._private_jobs set locked_by = 'pool-gone', locked_at = now(), attempts = 1 where key = ${`deploy_route_servers:${lan.id}`}`.execute(testDb());
    // A change while it runs: add_job retires the running job (key cleared, attempts spent) and queues the next.
    await enqueueLanDeployment(testDb(), lan.id, "second");
    await testDb().insertInto("worker_heartbeats").values({ worker_id: "gone-worker", hostname: "elsewhere", pid: 1, version: "test", job_lock_id: "pool-gone", process_namespace: "another-host", stopped_at: sql<Date>`now()` }).execute();

    const { spent, handedOver } = await releaseJobsOfDeadWorkers(testDb());
    expect(spent).toEqual([]);
    const next = await testDb().selectFrom("graphile_worker.jobs").select(["id", "key", "locked_by", "attempts", "last_error"]).where("task_identifier", "=", "deploy_route_servers").execute();
    expect(handedOver).toEqual([{ id: expect.any(String), task: "deploy_route_servers", successor: String(next[0]?.id) }]);
    expect(next).toEqual([{ id: expect.any(Number), key: `deploy_route_servers:${lan.id}`, locked_by: null, attempts: 0, last_error: null }]);
  });

  it("any keyed job asked for again while it ran, whose worker then died, is done, not failed: every key the portal enqueues is recognised", async () => {
    const { releaseJobsOfDeadWorkers } = await import("@/lib/orphaned-work");
    const { enqueueJob } = await import("@/jobs/enqueue");
    const keys = await import("@/jobs/keys");
    // Each as the portal enqueues it: the crontab's minute looks, a LAN's follow look, a node sync, …
    const asked = [
      { task: "refresh_network", payload: { asn: 64511 }, key: keys.refreshNetworkJobKey(64511) },
      { task: "refresh_irr", payload: { asn: 64511 }, key: keys.refreshIrrJobKey(64511) },
      { task: "reconcile_lan", payload: { lanId: 7 }, key: keys.reconcileLanJobKey(7) },
      { task: "sync_route_server_node", payload: { routeServerId: 3 }, key: keys.routeServerNodeJobKey(3) },
      { task: "collect_session_states", payload: { _cron: { ts: new Date().toISOString(), backfilled: false } }, key: keys.SESSION_STATES_JOB_KEY },
      { task: "collect_session_states", payload: { lanId: 7, followUntil: new Date().toISOString() }, key: keys.sessionFollowJobKey(7) },
      { task: "collect_router_states", payload: {}, key: keys.ROUTER_STATES_JOB_KEY },
      { task: "collect_router_states", payload: { lanId: 7 }, key: keys.routerStatesJobKey(7) },
    ] as const;
    for (const job of asked) {
      await enqueueJob(testDb(), job.task, job.payload as never, { jobKey: job.key, maxAttempts: 3 });
      await sql`update graphile_worker._private_jobs set locked_by = 'pool-gone', locked_at = now(), attempts = 1 where key = ${job.key}`.execute(testDb());
      await enqueueJob(testDb(), job.task, job.payload as never, { jobKey: job.key, maxAttempts: 3 });
    }
    await testDb().insertInto("worker_heartbeats").values({ worker_id: "gone-worker", hostname: "elsewhere", pid: 1, version: "test", job_lock_id: "pool-gone", process_namespace: "another-host", stopped_at: sql<Date>`now()` }).execute();

    const { spent, handedOver } = await releaseJobsOfDeadWorkers(testDb());
    expect(spent).toEqual([]);
    expect(handedOver.map((job) => job.task).sort()).toEqual(asked.map((job) => job.task).sort());
    // What is left: the fresh job of each, waiting, none failed.
    const left = await testDb().selectFrom("graphile_worker.jobs").select(["key", "locked_by", "last_error"]).execute();
    const byKey = (a: { key: string | null }, b: { key: string | null }) => String(a.key).localeCompare(String(b.key));
    expect(left.sort(byKey)).toEqual(asked.map((job) => ({ key: job.key, locked_by: null, last_error: null })).sort(byKey));
  });

  it("lets an operator retry a job locked by a dead worker, says why not while its worker lives, and run a stuck connection's job", async () => {
    const { retryJob } = await import("@/lib/jobs-admin");
    const { retryConnection } = await import("@/lib/connections/service");
    const lan = await lanOnSimulator();
    const operator = await createStaffUser();
    const id = await approvedConnection(lan.id, 7);
    const job = await testDb().selectFrom("graphile_worker.jobs").select("id").where("key", "=", `provision_connection:${id}`).executeTakeFirstOrThrow();
    await sql`update graphile_worker._private_jobs set locked_by = 'pool-live', locked_at = now(), attempts = 1 where id = ${job.id}::bigint`.execute(testDb());
    await testDb().insertInto("worker_heartbeats").values({ worker_id: "live-worker", hostname: "elsewhere", pid: 1, version: "test", job_lock_id: "pool-live", process_namespace: "another-host" }).execute();

    await expect(retryJob(testDb(), Number(job.id), actorOf(operator))).rejects.toThrow(/job \d+ is running on worker live-worker \(its last heartbeat was \d+ s ago\); it can be retried when it ends, or once that worker has been silent for 35 s/);
    await expect(retryConnection(testDb(), actorOf(operator), id)).rejects.toThrow(/running on worker live-worker/);

    await testDb().updateTable("worker_heartbeats").set({ stopped_at: sql<Date>`now()` }).where("worker_id", "=", "live-worker").execute();
    await retryJob(testDb(), Number(job.id), actorOf(operator));
    expect(await testDb().selectFrom("graphile_worker.jobs").select(["locked_by", "attempts"]).where("id", "=", job.id).executeTakeFirstOrThrow()).toEqual({ locked_by: null, attempts: 0 });

    // The job gone altogether: "Run now" enqueues it again, and says so in the audit trail.
    await sql`select graphile_worker.complete_jobs(array[${job.id}::bigint])`.execute(testDb());
    await testDb().updateTable("connections").set({ state: "provisioning", reason: "an old reason" }).where("id", "=", id).execute();
    await retryConnection(testDb(), actorOf(operator), id);
    expect(await connection(id)).toEqual({ state: "provisioning", reason: null });
    expect(await testDb().selectFrom("graphile_worker.jobs").select("task_identifier").where("key", "=", `provision_connection:${id}`).executeTakeFirst()).toEqual({ task_identifier: "provision_connection" });
    const audit = await testDb().selectFrom("audit_events").select(["action", "after"]).where("subject_type", "=", "connection").where("subject_id", "=", String(id)).orderBy("id", "desc").executeTakeFirstOrThrow();
    expect(audit.action).toBe("connection.retried");
    expect(JSON.stringify(audit.after)).toMatch(/its job was gone; job \d+ enqueued/);
  });

  it("caps the wait before a failed job's next attempt at about a minute, jittered per job", async () => {
    const { capRetryGaps, MAX_RETRY_GAP_MS } = await import("@/lib/connections/controller-recovery");
    const { enqueueJob } = await import("@/jobs/enqueue");
    for (let n = 1; n <= 4; n++) {
      const { id } = await enqueueJob(testDb(), "refresh_network", { asn: 64500 + n }, { maxAttempts: 12, jobKey: `refresh_network:${64500 + n}` });
      // Three failures so far and graphile-worker's backoff two hours away; the fourth is running.
      await sql`update graphile_worker._private_jobs set attempts = 3, run_at = now() + interval '2 hours', locked_by = ${n === 4 ? "pool-x" : null}, locked_at = ${n === 4 ? sql`now()` : null} where id = ${id}::bigint`.execute(testDb());
    }
    expect(await capRetryGaps(testDb())).toBe(3);
    const jobs = await testDb().selectFrom("graphile_worker.jobs").select(["key", "run_at", "locked_by"]).orderBy("key").execute();
    const waits = jobs.filter((job) => !job.locked_by).map((job) => job.run_at!.getTime() - Date.now());
    for (const wait of waits) {
      expect(wait).toBeGreaterThan(MAX_RETRY_GAP_MS * 0.75 - 5_000);
      expect(wait).toBeLessThanOrEqual(MAX_RETRY_GAP_MS);
    }
    expect(new Set(waits.map((wait) => Math.round(wait))).size).toBe(3);
    expect(jobs.find((job) => job.locked_by)!.run_at!.getTime() - Date.now()).toBeGreaterThan(3_600_000);
  });

  it(
    "the controller unreachable for longer than the backoff reaches: once it is back, every waiting connection is provisioned and shows no old reason",
    async () => {
      const lan = await lanOnSimulator();
      await sim.down();
      const ids: number[] = [];
      for (let n = 1; n <= 5; n++) ids.push(await approvedConnection(lan.id, n));
      worker();
      // Every job has failed at least three times: the next attempt is about a minute away.
      await waitFor(
        "the jobs to back off past a minute",
        async () => {
          const jobs = await testDb().selectFrom("graphile_worker.jobs").select(["attempts", "run_at"]).where("task_identifier", "=", "provision_connection").execute();
          return jobs.length === ids.length && jobs.every((job) => (job.attempts ?? 0) >= 4 && (job.run_at?.getTime() ?? 0) > Date.now() + 20_000);
        },
        120_000,
        500,
      );
      for (const id of ids) expect((await connection(id)).reason).toMatch(/ZeroTier controller not ready/);

      await sim.up();
      const back = Date.now();
      await waitFor("every connection to be provisioned", async () => (await Promise.all(ids.map(connection))).every((row) => row.state === "provisioned"), 10_000, 200);
      console.log(`all ${ids.length} connections provisioned ${Date.now() - back} ms after the controller came back`);
      for (const id of ids) expect(await connection(id)).toEqual({ state: "provisioned", reason: null });
      expect(sim.members(lan.zt_network_id)).toHaveLength(ids.length);
    },
    240_000,
  );
});
