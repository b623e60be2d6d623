/**
 * LANs deploy independently: a real worker, LAN A's route server reached over SSH at a "hung
 * host" (a TCP server of this test that accepts connections and never sends a byte) and LAN B's
 * a local BIRD. While A's deployment waits on the SSH handshake, B's goes through; A's changes
 * meanwhile fold into one follow-up that waits for A's running deployment, and A's deployment
 * then fails visibly with the timeout. Reading session states, A's hang holds up no other LAN
 * either, nor within a LAN does it hold up the other route server. Needs bird2 and ssh-keygen.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDb, resetDatabase, testDb } from "../support/db";
import { createLanRow } from "../support/fixtures";

const dir = mkdtempSync(path.join(os.tmpdir(), "ztix-rs-lans-"));
const socket = path.join(dir, "rs-b.ctl");
const configB = path.join(dir, "rs-b.conf");
const actor = { type: "cli" as const, label: "test" };
let worker: { stop: (options?: { graceMs?: number }) => Promise<void> } | undefined;

// The hung host: accepts, reads nothing, answers nothing, closes nothing (until it lets go: then
// it closes what it holds and every new connection).
const held = new Set<net.Socket>();
let lettingGo = false;
const hungHost = net.createServer((client) => {
  if (lettingGo) return void client.destroy();
  held.add(client);
  client.on("error", () => undefined);
  client.on("close", () => held.delete(client));
});

async function until<T>(read: () => Promise<T> | T, done: (value: T) => boolean, what: string, tries = 480) {
  for (let i = 0; i < tries; i++) {
    const value = await read();
    if (done(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const deployJobs = async (lanId: number) =>
  (
    await sql<{ key: string | null; locked: boolean; attempts: number; queue_name: string | null; due: boolean }>`
      select j.key, j.locked_at is not null as locked, j.attempts, q.queue_name, j.run_at <= now() as due
        from graphile_worker._private_jobs j join graphile_worker._private_tasks t on t.id = j.task_id
        left join graphile_worker._private_job_queues q on q.id = j.job_queue_id
       where t.identifier = 'deploy_route_servers' and j.payload->>'lanId' = ${String(lanId)} order by j.id`.execute(testDb())
  ).rows;
const deploymentsOf = (lanId: number) => testDb().selectFrom("deployments").select(["id", "status", "error", "config"]).where("lan_id", "=", lanId).orderBy("id").execute();

describe("route-server deployments of two LANs", () => {
  beforeAll(async () => {
    // Long enough that B's deployment surely ends first, on however loaded a machine.
    process.env.RS_SSH_TIMEOUT_SECONDS = "45";
    execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", path.join(dir, "client_key")]);
    process.env.RS_SSH_KEY_FILE = path.join(dir, "client_key");
    await new Promise<void>((resolve) => hungHost.listen(0, "127.0.0.1", resolve));
    writeFileSync(configB, "router id 192.0.2.2;\nprotocol device {}\n");
    execFileSync("bird", ["-c", configB, "-s", socket, "-P", path.join(dir, "rs-b.pid")]);
    await resetDatabase();
  });

  afterAll(async () => {
    // The hung host lets go: a deployment still waiting on it fails at once, and the worker stops.
    for (const client of held) client.destroy();
    await new Promise((resolve) => hungHost.close(resolve));
    await worker?.stop({ graceMs: 5_000 }).catch(() => undefined);
    try {
      process.kill(Number(readFileSync(path.join(dir, "rs-b.pid"), "utf8")), "SIGTERM");
    } catch {
      // not started
    }
    rmSync(dir, { recursive: true, force: true });
    await closeDb();
  });

  it("a LAN whose route server hangs delays no other LAN; its own changes wait for it in one follow-up; it fails with the timeout", { timeout: 300_000 }, async () => {
    const lanA = await createLanRow({ reserved: 10 });
    const lanB = await createLanRow({ reserved: 10, ipv4Prefix: "198.51.100.0/24", ipv6Prefix: "2001:db8:eeee::/64" });
    const { startWorker } = await import("@/jobs/runner");
    worker = await startWorker({ databaseUrl: process.env.DATABASE_URL!, concurrency: 2, deployConcurrency: 2 });

    // A change on A: its route server is added, which deploys A; the deployment hangs in the SSH handshake.
    const { addRouteServer, setRouteServerDrained } = await import("@/lib/routeserver/registry");
    const { port } = hungHost.address() as net.AddressInfo;
    const rsA = await addRouteServer(
      testDb(),
      { lan: String(lanA.id), name: "rs-a", sshHost: "127.0.0.1", sshPort: port, sshUser: "ztix", hostKey: `SHA256:${"A".repeat(43)}`, routerId: "192.0.2.1", ipv4: "192.0.2.1" },
      actor,
    );
    const hanging = await until(() => deploymentsOf(lanA.id), (rows) => rows.length > 0 && held.size > 0, "A's deployment to connect to the hung host");
    expect(hanging.map((row) => row.status)).toEqual(["running"]);

    // A change on B: its deployment goes through while A's still hangs.
    await addRouteServer(testDb(), { lan: String(lanB.id), name: "rs-b", transport: "local", routerId: "198.51.100.1", ipv4: "198.51.100.1", configPath: configB, controlSocket: socket }, actor);
    const doneB = await until(() => deploymentsOf(lanB.id), (rows) => rows.some((row) => row.status !== "running"), "B's deployment to finish");
    expect(doneB.map((row) => row.status)).toEqual(["succeeded"]);
    expect(readFileSync(configB, "utf8")).toBe(doneB[0]!.config);
    expect(spawnSync("birdc", ["-s", socket, "show", "status"], { encoding: "utf8" }).stdout).toContain("Daemon is up and running");
    const stillA = await deploymentsOf(lanA.id);
    expect(stillA.map((row) => row.status)).toEqual(["running"]);
    expect(held.size).toBeGreaterThan(0);
    expect(await deployJobs(lanA.id)).toEqual([expect.objectContaining({ locked: true, attempts: 1, queue_name: `route_server_deployments:${lanA.id}` })]);
    // It holds one of the worker's deployment slots (not provisioning's), under a lock the
    // heartbeat names, so that a dead worker's deployment is found and released.
    const lock = await sql<{ locked_by: string; deployment_lock_id: string | null; job_lock_id: string | null }>`
      select j.locked_by, h.deployment_lock_id, h.job_lock_id from graphile_worker._private_jobs j, worker_heartbeats h
       where j.locked_at is not null and j.payload->>'lanId' = ${String(lanA.id)}`.execute(testDb());
    expect(lock.rows).toHaveLength(1);
    expect(lock.rows[0]!.locked_by).toBe(lock.rows[0]!.deployment_lock_id);
    expect(lock.rows[0]!.job_lock_id).not.toBe(lock.rows[0]!.deployment_lock_id);

    // Two more changes on A while its deployment hangs: one follow-up, which waits in A's queue
    // although a deployment slot is free (two deployments of one LAN never run at once).
    await setRouteServerDrained(testDb(), rsA.id, true, actor);
    await setRouteServerDrained(testDb(), rsA.id, false, actor);
    const waiting = await until(() => deployJobs(lanA.id), (jobs) => jobs.length === 2 && jobs[1]!.due, "A's follow-up to be due");
    expect(waiting[0]).toMatchObject({ key: null, locked: true, queue_name: `route_server_deployments:${lanA.id}` });
    expect(waiting[1]).toEqual({ key: `deploy_route_servers:${lanA.id}`, locked: false, attempts: 0, queue_name: `route_server_deployments:${lanA.id}`, due: true });
    // Give the free deployment slot time to take it, as it would without A's queue.
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    expect(await deployJobs(lanA.id)).toEqual([expect.objectContaining({ key: null, locked: true }), expect.objectContaining({ locked: false, attempts: 0 })]);
    expect((await deploymentsOf(lanA.id)).map((row) => row.status)).toEqual(["running"]);

    // A's deployment fails visibly, with the timeout as its reason.
    const failedA = await until(() => deploymentsOf(lanA.id), (rows) => rows[0]!.status !== "running", "A's deployment to time out", 1_200);
    expect(failedA[0]).toMatchObject({ status: "failed" });
    expect(failedA[0]!.error).toMatch(/SSH to ztix@127\.0\.0\.1:\d+ failed: Timed out while waiting for handshake/);
    // Its job keeps the reason too (the Jobs page); the follow-up deploys A next.
    const lastErrors = async () =>
      (
        await sql<{ last_error: string }>`
          select j.last_error from graphile_worker._private_jobs j join graphile_worker._private_tasks t on t.id = j.task_id
           where t.identifier = 'deploy_route_servers' and j.last_error is not null and j.payload->>'lanId' = ${String(lanA.id)}`.execute(testDb())
      ).rows.map((row) => row.last_error);
    const errors = await until(lastErrors, (rows) => rows.length > 0, "A's job to record its failure");
    expect(errors).toEqual([expect.stringMatching(/deployment to rs-a failed: SSH to .* Timed out while waiting for handshake/)]);
    // B was deployed once, and only once.
    expect((await deploymentsOf(lanB.id)).map((row) => row.status)).toEqual(["succeeded"]);
  });

  it("reading session states: a route server that hangs holds up only its own LAN; it alone is recorded as unreadable", { timeout: 180_000 }, async () => {
    // Without the worker (its own minute's look would read the route servers too): the hung host
    // lets go until the worker has stopped and none of its jobs runs any more.
    lettingGo = true;
    for (const client of held) client.destroy();
    await worker?.stop({ graceMs: 1_000 }).catch(() => undefined);
    worker = undefined;
    await until(() => sql<{ running: number }>`select count(*)::int as running from graphile_worker._private_jobs where locked_at is not null`.execute(testDb()), (result) => result.rows[0]!.running === 0, "the worker's jobs to end");
    lettingGo = false;
    const servers = await testDb().selectFrom("route_servers").select(["name", "lan_id"]).orderBy("lan_id").execute();
    expect(servers.map((server) => server.name)).toEqual(["rs-a", "rs-b"]);
    await testDb().updateTable("route_servers").set({ rtr_checked_at: null }).execute();
    const checkedB = async () => (await testDb().selectFrom("route_servers").select("rtr_checked_at").where("name", "=", "rs-b").executeTakeFirstOrThrow()).rtr_checked_at;

    const { collect_session_states } = await import("@/jobs/tasks/collect_session_states");
    let settled = false;
    const look = Promise.resolve(collect_session_states({}, {} as never));
    look.then(
      () => (settled = true),
      () => (settled = true),
    );
    // rs-a (the first LAN) waits in its SSH handshake (up to the 45 s bound); rs-b is read meanwhile.
    await until(checkedB, (at) => at !== null, "rs-b to be read while rs-a hangs", 80);
    expect(held.size).toBeGreaterThan(0);
    expect(settled).toBe(false);

    // The hung host lets go: rs-a's reads fail, recorded on rs-a alone; the look itself ends well.
    lettingGo = true;
    for (const client of held) client.destroy();
    await expect(look).resolves.toBeUndefined();
    const reads = await testDb().selectFrom("route_servers").select(["name", "read_error"]).orderBy("name").execute();
    expect(reads).toEqual([
      { name: "rs-a", read_error: expect.stringMatching(/^SSH to /) },
      { name: "rs-b", read_error: null },
    ]);
  });
  it("reading session states: within a LAN too, a route server that hangs holds up no other route server's reading", { timeout: 180_000 }, async () => {
    lettingGo = false;
    const lanB = await testDb().selectFrom("route_servers").select("lan_id").where("name", "=", "rs-b").executeTakeFirstOrThrow();
    const { addRouteServer } = await import("@/lib/routeserver/registry");
    const { port } = hungHost.address() as net.AddressInfo;
    // No worker runs: the deployment this enqueues waits, and only the look below reads.
    await addRouteServer(
      testDb(),
      { lan: String(lanB.lan_id), name: "rs-hung", sshHost: "127.0.0.1", sshPort: port, sshUser: "ztix", hostKey: `SHA256:${"B".repeat(43)}`, routerId: "198.51.100.2", ipv4: "198.51.100.2" },
      actor,
    );
    await testDb().updateTable("route_servers").set({ rtr_checked_at: null }).execute();
    const checked = async (name: string) => (await testDb().selectFrom("route_servers").select("rtr_checked_at").where("name", "=", name).executeTakeFirstOrThrow()).rtr_checked_at;

    const { collect_session_states } = await import("@/jobs/tasks/collect_session_states");
    let settled = false;
    const look = Promise.resolve(collect_session_states({ lanId: lanB.lan_id }, {} as never));
    look.then(
      () => (settled = true),
      () => (settled = true),
    );
    await until(() => checked("rs-b"), (at) => at !== null, "rs-b to be read while rs-hung hangs", 80);
    expect(held.size).toBeGreaterThan(0);
    expect(settled).toBe(false);
    expect(await checked("rs-hung")).toBeNull();

    lettingGo = true;
    for (const client of held) client.destroy();
    await expect(look).resolves.toBeUndefined();
    const reads = await testDb().selectFrom("route_servers").select(["name", "read_error"]).where("lan_id", "=", lanB.lan_id).orderBy("name").execute();
    expect(reads).toEqual([
      { name: "rs-b", read_error: null },
      { name: "rs-hung", read_error: expect.stringMatching(/^SSH to /) },
    ]);
  });
});
