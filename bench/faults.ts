/**
 * Faults against real processes: per fault, the time from the fault's end to full recovery and
 * what was lost or duplicated (must be nothing). Worker processes are real (jobs/worker.ts, killed
 * with real signals), BIRD is real (a local route server), the controller is the simulator.
 * Run: npm run bench:faults   (DATABASE_URL's server, else the embedded test cluster; the
 * PostgreSQL outage uses its own throwaway embedded cluster, never DATABASE_URL's server)
 */
import { execFileSync, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { baseDatabase } from "../tests/support/base-database";
import { createTestDatabase, dropTestDatabase } from "../tests/support/database";
import { processesMatching, startWorkerProcess, waitFor, type WorkerProcess } from "../tests/support/worker-process";
import { startPeeringDbSimulator } from "../simulators/peeringdb/server";
import { startZeroTierSimulator } from "../simulators/zerotier/server";

const sim = await startZeroTierSimulator({});
const peeringDb = await startPeeringDbSimulator({});
process.env.PEERINGDB_API_URL = peeringDb.apiUrl;
process.env.ZT_CONTROLLER_URL = sim.controllerUrl;
process.env.ZT_CONTROLLER_TOKEN = sim.token;
process.env.LOG_LEVEL = "warn";

const { createDb, createPool } = await import("../db");
const { createLan } = await import("../lib/lans");
const { createZeroTierProvider } = await import("../lib/zerotier");
const { approveConnection, createConnectionRequest } = await import("../lib/connections/service");
const { addRouteServer } = await import("../lib/routeserver/registry");
const { enqueueJob } = await import("../jobs/enqueue");
const { startEmbeddedPostgres } = await import("../db/embedded");

type Db = ReturnType<typeof createDb>;
type Outcome = { fault: string; recoveryMs: number | null; lost: number; duplicated: number; notes: string };
const outcomes: Outcome[] = [];
const actor = { type: "cli" as const, label: "bench:faults" };
const base = await baseDatabase();
const workers: WorkerProcess[] = [];
let nodeSeq = 0;

function worker(databaseUrl: string) {
  const started = startWorkerProcess({ DATABASE_URL: databaseUrl, ZT_CONTROLLER_URL: sim.controllerUrl, ZT_CONTROLLER_TOKEN: sim.token, LOG_LEVEL: "warn", WORKER_CONCURRENCY: "4" });
  workers.push(started);
  return started;
}

/** `npm run bench:faults -- deployment` runs only the faults whose name contains "deployment". */
const only = process.argv[2];

async function scenario(name: string, run: (db: Db, url: string) => Promise<Outcome>, baseUrl = base.url) {
  if (only && !name.includes(only)) return;
  const scratch = await createTestDatabase(baseUrl, "ztix_faults");
  const db = createDb(createPool(scratch.url, { max: 8 }));
  sim.reset();
  await sim.up();
  sim.rotateToken(process.env.ZT_CONTROLLER_TOKEN);
  try {
    const outcome = await run(db, scratch.url);
    outcomes.push(outcome);
    console.log(format(outcome));
  } catch (error) {
    const outcome = { fault: name, recoveryMs: null, lost: -1, duplicated: -1, notes: `did not recover: ${error instanceof Error ? error.message : String(error)}` };
    outcomes.push(outcome);
    console.log(format(outcome));
  } finally {
    for (const started of workers.splice(0)) await started.kill("SIGKILL");
    await db.destroy();
    await dropTestDatabase(baseUrl, scratch.name).catch(() => undefined);
  }
}

const format = (outcome: Outcome) =>
  `${outcome.fault.padEnd(58)} recovery ${outcome.recoveryMs === null ? "   —   " : `${(outcome.recoveryMs / 1000).toFixed(1).padStart(5)} s`}  lost ${outcome.lost}  duplicated ${outcome.duplicated}  ${outcome.notes}`;

async function lan(db: Db) {
  const provider = createZeroTierProvider({ provider: "self_hosted_controller", controllerUrl: sim.controllerUrl, controllerToken: sim.token, centralUrl: "" });
  return createLan(db, provider, { name: `faults${nodeSeq}`, ipv4: "10.64.0.0/16", ipv6: "2001:db8:ffff::/64", rsAsn: 64496 }, { create: true }, actor);
}

async function approve(db: Db, lanId: number) {
  const nodeId = (0xb100000000 + ++nodeSeq).toString(16);
  const { id } = await createConnectionRequest(db, { actor, userId: null }, { asn: 64500 + (nodeSeq % 100), lanId, ztNodeId: nodeId, routeServerPeering: true });
  await approveConnection(db, actor, id);
  return { id, nodeId };
}

async function provisionedCount(db: Db, ids: number[]) {
  const rows = await db.selectFrom("connections").select("id").where("id", "in", ids).where("state", "=", "provisioned").execute();
  return rows.length;
}

/** Completed provisioning runs beyond one per connection, and members beyond one per router. */
async function duplicates(db: Db, networkId: string, count: number) {
  const runs = await db.selectFrom("job_runs").select((eb) => eb.fn.countAll<number>().as("n")).where("task", "=", "provision_connection").where("ok", "=", true).executeTakeFirstOrThrow();
  return Math.max(0, Number(runs.n) - count) + Math.max(0, sim.members(networkId).length - count);
}

await scenario("worker SIGKILL during provisioning", async (db, url) => {
  const network = await lan(db);
  sim.setFaults({ latencyMs: 2_000 });
  const { id } = await approve(db, network.id);
  sim.resetCounters();
  const first = worker(url);
  await waitFor("the member upsert in flight", () => sim.counters.mutatingRequests >= 1, 60_000, 50);
  await first.kill("SIGKILL");
  sim.setFaults({ latencyMs: 0 });
  const killedAt = performance.now();
  worker(url);
  await waitFor("provisioned", async () => (await provisionedCount(db, [id])) === 1, 120_000, 100);
  const recoveryMs = performance.now() - killedAt;
  await waitFor("the job completed", async () => !(await db.selectFrom("graphile_worker.jobs").select("id").where("key", "=", `provision_connection:${id}`).executeTakeFirst()), 10_000, 100);
  return { fault: "worker SIGKILL during provisioning (new worker at once)", recoveryMs, lost: 1 - (await provisionedCount(db, [id])), duplicated: await duplicates(db, network.zt_network_id, 1), notes: `members on the controller: ${sim.members(network.zt_network_id).length}` };
});

await scenario("worker SIGKILL during a router-state pass", async (db, url) => {
  const network = await lan(db);
  const count = 200;
  await db.insertInto("networks").values({ asn: 64500, name: "faults" }).onConflict((oc) => oc.doNothing()).execute();
  const ids = (
    await db
      .insertInto("connections")
      .values(Array.from({ length: count }, (_, n) => ({ lan_id: network.id, asn: 64500, zt_node_id: (0xb200000000 + n).toString(16), state: "requested" as const })))
      .returning("id")
      .execute()
  ).map((row) => row.id);
  const stored = async () => Number((await db.selectFrom("router_states").select((eb) => eb.fn.countAll<string>().as("n")).where("connection_id", "in", ids).where("error", "is", null).executeTakeFirstOrThrow()).n);
  // Slow answers: the pass is in flight, several routers at a time, when the worker dies.
  sim.setFaults({ latencyMs: 100 });
  const first = worker(url);
  await enqueueJob(db, "collect_router_states", { lanId: network.id }, { jobKey: `collect_router_states:${network.id}`, maxAttempts: 3 });
  await waitFor("a pass under way", async () => (await stored()) >= 20, 60_000, 20);
  await first.kill("SIGKILL");
  const partial = await stored();
  sim.setFaults({ latencyMs: 0 });
  const killedAt = performance.now();
  worker(url);
  // The killed run's job is freed and run again: every router read, the job gone.
  await waitFor("every router read", async () => (await stored()) === count, 120_000, 100);
  const recoveryMs = performance.now() - killedAt;
  await waitFor("the job completed", async () => !(await db.selectFrom("graphile_worker.jobs").select("id").where("key", "=", `collect_router_states:${network.id}`).executeTakeFirst()), 10_000, 100);
  const locked = await db.selectFrom("graphile_worker.jobs").select("id").where("locked_at", "is not", null).execute();
  return { fault: "worker SIGKILL during a router-state pass (200 routers)", recoveryMs, lost: count - (await stored()), duplicated: 0, notes: `read before the kill: ${partial}; jobs left locked: ${locked.length}` };
});

await scenario("worker SIGKILL during a deployment", async (db, url) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "ztix-faults-rs-"));
  const configPath = path.join(dir, "bird.conf");
  const controlSocket = path.join(dir, "bird.ctl");
  const pidFile = path.join(dir, "bird.pid");
  writeFileSync(configPath, "router id 10.64.0.1;\nprotocol device {}\n");
  execFileSync("bird", ["-c", configPath, "-s", controlSocket, "-P", pidFile]);
  const birdPid = Number(readFileSync(pidFile, "utf8").trim());
  try {
    const network = await lan(db);
    await addRouteServer(db, { lan: String(network.id), name: "rs1", transport: "local", ipv4: "10.64.0.1", ipv6: "2001:db8:ffff::1", routerId: "10.64.0.1", configPath, controlSocket }, actor);
    for (let n = 0; n < 3; n++) {
      const { id } = await approve(db, network.id);
      await db.updateTable("connections").set({ state: "provisioned" }).where("id", "=", id).execute();
    }
    const first = worker(url);
    process.kill(birdPid, "SIGSTOP");
    let orphans = 0;
    try {
      await enqueueJob(db, "deploy_route_servers", { lanId: network.id, reason: "bench" }, { jobKey: `deploy_route_servers:${network.id}`, jobKeyMode: "replace", maxAttempts: 5 });
      await waitFor("birdc configure held", async () => (await processesMatching(`${controlSocket} configure`)).length > 0, 60_000, 50);
      await first.kill("SIGKILL");
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      orphans = (await processesMatching(controlSocket)).filter((found) => found.pid !== birdPid).length;
    } finally {
      process.kill(birdPid, "SIGCONT");
    }
    const resumedAt = performance.now();
    worker(url);
    const rows = await waitFor("a deployment to succeed", async () => {
      const all = await db.selectFrom("deployments").select(["status", "sha256"]).orderBy("id").execute();
      return all.some((row) => row.status === "succeeded") ? all : undefined;
    }, 120_000, 100);
    const recoveryMs = performance.now() - resumedAt;
    const live = createHash("sha256").update(readFileSync(configPath, "utf8")).digest("hex");
    const latest = rows.filter((row) => row.status === "succeeded").at(-1)!;
    return {
      fault: "worker SIGKILL during a deployment (BIRD held in configure)",
      recoveryMs,
      lost: live === latest.sha256 ? 0 : 1,
      duplicated: rows.filter((row) => row.status === "succeeded").length - 1,
      notes: `history: ${rows.map((row) => row.status).join(" → ")}; children left after 2 s: ${orphans}; live config is the latest: ${live === latest.sha256}`,
    };
  } finally {
    try {
      process.kill(birdPid, "SIGTERM");
    } catch {
      // already gone
    }
    rmSync(dir, { recursive: true, force: true });
  }
});

await scenario("controller down during 100 approvals", async (db, url) => {
  const network = await lan(db);
  worker(url);
  await sim.down();
  const ids: number[] = [];
  for (let n = 0; n < 100; n++) ids.push((await approve(db, network.id)).id);
  await new Promise((resolve) => setTimeout(resolve, 15_000));
  await sim.up();
  const upAt = performance.now();
  await waitFor("all provisioned", async () => (await provisionedCount(db, ids)) === ids.length, 180_000, 100);
  const recoveryMs = performance.now() - upAt;
  const stale = await db.selectFrom("connections").select("id").where("id", "in", ids).where("reason", "is not", null).execute();
  return { fault: "controller down during 100 approvals (15 s after the last)", recoveryMs, lost: ids.length - (await provisionedCount(db, ids)), duplicated: await duplicates(db, network.zt_network_id, ids.length), notes: `connections still showing a reason: ${stale.length}` };
});

await scenario("controller token wrong then fixed", async (db, url) => {
  const network = await lan(db);
  worker(url);
  const right = sim.token;
  sim.rotateToken("a-wrong-token-for-the-bench");
  const ids: number[] = [];
  for (let n = 0; n < 20; n++) ids.push((await approve(db, network.id)).id);
  await waitFor("the 401 reason shown", async () => (await db.selectFrom("connections").select("id").where("id", "in", ids).where("reason", "like", "%not ready%").execute()).length === ids.length, 60_000, 200);
  await new Promise((resolve) => setTimeout(resolve, 20_000));
  sim.rotateToken(right);
  const fixedAt = performance.now();
  await waitFor("all provisioned", async () => (await provisionedCount(db, ids)) === ids.length, 180_000, 100);
  const recoveryMs = performance.now() - fixedAt;
  return { fault: "controller token wrong (20 approvals, 20 s) then fixed", recoveryMs, lost: ids.length - (await provisionedCount(db, ids)), duplicated: await duplicates(db, network.zt_network_id, ids.length), notes: "" };
});

// A throwaway embedded cluster: stopping it never touches DATABASE_URL's server.
const pgDir = mkdtempSync(path.join(os.tmpdir(), "ztix-faults-pg-"));
chmodSync(pgDir, 0o755); // the postgres system user runs the cluster
let cluster = await startEmbeddedPostgres({ dataDir: pgDir });
const clusterAdmin = cluster.url.replace(/\/[^/]*$/, "/postgres");
await scenario(
  "PostgreSQL stopped and started under load",
  async (db, url) => {
    const network = await lan(db);
    const first = worker(url);
    const ids: number[] = [];
    let refused = 0;
    let stop = false;
    const load = (async () => {
      while (!stop) {
        try {
          ids.push((await approve(db, network.id)).id);
        } catch {
          refused++;
          await new Promise((resolve) => setTimeout(resolve, 200));
        }
      }
    })();
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    await cluster.stop();
    await new Promise((resolve) => setTimeout(resolve, 10_000));
    cluster = await startEmbeddedPostgres({ dataDir: pgDir });
    const startedAt = performance.now();
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    stop = true;
    await load;
    const alive = first.child.exitCode === null && first.child.signalCode === null;
    if (!alive) worker(url);
    await waitFor("every acknowledged approval provisioned", async () => (await provisionedCount(db, ids)) === ids.length, 120_000, 100);
    const recoveryMs = performance.now() - startedAt;
    return {
      fault: "PostgreSQL stopped 10 s and started, approvals running",
      recoveryMs,
      lost: ids.length - (await provisionedCount(db, ids)),
      duplicated: await duplicates(db, network.zt_network_id, ids.length),
      notes: `${ids.length} approvals acknowledged, ${refused} refused during the outage (never acknowledged); the worker ${alive ? "stayed up" : "exited and was started again by the bench"}`,
    };
  },
  clusterAdmin,
);
await cluster.stop();
rmSync(pgDir, { recursive: true, force: true });

await scenario("SIGTERM to npm run worker with a job in flight", async (db, url) => {
  const network = await lan(db);
  sim.setFaults({ latencyMs: 3_000 });
  const { id } = await approve(db, network.id);
  sim.resetCounters();
  const npm = spawn("npm", ["run", "worker"], { env: { ...process.env, DATABASE_URL: url, LOG_LEVEL: "warn" }, stdio: "ignore" });
  await waitFor("the upsert in flight", () => sim.counters.mutatingRequests >= 1, 60_000, 50);
  const exited = new Promise<number | null>((resolve) => npm.once("exit", (code) => resolve(code)));
  const workerPids = (await processesMatching("jobs/worker.ts")).map((found) => found.pid);
  npm.kill("SIGTERM");
  const signalledAt = performance.now();
  const code = await Promise.race([exited, new Promise<"still running">((resolve) => setTimeout(() => resolve("still running"), 30_000))]);
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  const left = (await processesMatching("jobs/worker.ts")).filter((found) => workerPids.includes(found.pid));
  for (const found of left) process.kill(found.pid, "SIGKILL");
  if (code === "still running") npm.kill("SIGKILL");
  const job = await db.selectFrom("graphile_worker.jobs").select(["locked_by"]).where("key", "=", `provision_connection:${id}`).executeTakeFirst();
  sim.setFaults({ latencyMs: 0 });
  const state = (await db.selectFrom("connections").select("state").where("id", "=", id).executeTakeFirstOrThrow()).state;
  worker(url);
  await waitFor("provisioned after a restart", async () => (await provisionedCount(db, [id])) === 1, 120_000, 100);
  return {
    fault: "SIGTERM to `npm run worker` (the npm process), job in flight",
    recoveryMs: performance.now() - signalledAt,
    lost: 1 - (await provisionedCount(db, [id])),
    duplicated: await duplicates(db, network.zt_network_id, 1),
    notes: `npm ${code === "still running" ? "still running after 30 s" : `exited ${code}`}; worker processes left: ${left.length}; after the stop the connection was ${state}, its job ${job ? (job.locked_by ? "still locked" : "waiting") : "completed"}`,
  };
});

console.log("\nrecovery = from the fault's end (new worker started, controller back, token fixed, PostgreSQL started, signal sent) to every piece of work done");
await sim.close();
await peeringDb.close();
await base.stop();
process.exit(outcomes.every((outcome) => outcome.lost === 0 && outcome.duplicated === 0) ? 0 : 1);
