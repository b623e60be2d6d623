/**
 * Onboarding throughput, end to end: approval → provisioned on the controller simulator →
 * in the running config of two local route servers (real BIRD daemons under a temp dir, each with
 * its own control socket), with a real worker process (`jobs/worker.ts`) on a fresh database.
 *
 *   1. one member: approval → both route servers run a config with the member's sessions
 *      (p50 over a few runs);
 *   2. a burst: N requests, then N approvals back to back (both through the API's handlers); from the last approval until all are
 *      provisioned and until all are in both route servers' running configs; the deployments run
 *      and the worst approval → provisioned wait for approvals made while a deployment ran.
 *
 * Run: npm run bench:onboarding -- [burst=2000] [single runs=5]
 * (DATABASE_URL's server, else the embedded test cluster; needs bird2.)
 */
import { execFile, execFileSync, spawn } from "node:child_process";
import { mkdtempSync, openSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { sql } from "kysely";
import { baseDatabase } from "../tests/support/base-database";
import { createTestDatabase, dropTestDatabase } from "../tests/support/database";
import { startPeeringDbSimulator } from "../simulators/peeringdb/server";
import { startZeroTierSimulator } from "../simulators/zerotier/server";

const burst = Number(process.argv[2] ?? 2000);
const singleRuns = Number(process.argv[3] ?? 5);
const run = promisify(execFile);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const dir = mkdtempSync(path.join(os.tmpdir(), "ztix-bench-onboarding-"));
const servers = [1, 2].map((n) => ({ n, config: path.join(dir, `rs${n}.conf`), socket: path.join(dir, `rs${n}.ctl`), pid: path.join(dir, `rs${n}.pid`) }));
const base = await baseDatabase();
const scratch = await createTestDatabase(base.url, "ztix_bench");
const sim = await startZeroTierSimulator({});
const peeringDb = await startPeeringDbSimulator({});
const env = {
  DATABASE_URL: scratch.url,
  ZT_CONTROLLER_URL: sim.controllerUrl,
  ZT_CONTROLLER_TOKEN: sim.token,
  PEERINGDB_API_URL: peeringDb.apiUrl,
  LOG_LEVEL: "warn",
  // 4,000 API calls from one key within minutes: the per-key limit is not what is measured.
  ZTIX_API_RATE_LIMIT: "100000000",
};
Object.assign(process.env, env);

const { getDb, closeDb } = await import("../db");
const { createLan } = await import("../lib/lans");
const { addRouteServer } = await import("../lib/routeserver/registry");
const { getZeroTierProvider } = await import("../lib/zerotier/client");
const { createApiKey } = await import("../lib/api/keys");
const { POST: createRoute } = await import("../app/api/v1/connections/route");
const { POST: approveRoute } = await import("../app/api/v1/connections/[id]/approve/route");

let worker: ReturnType<typeof spawn> | undefined;
let finished = false;
let succeeded = false;
const workerLog = path.join(os.tmpdir(), `ztix-bench-onboarding-worker-${process.pid}.log`);
try {
  for (const server of servers) {
    writeFileSync(server.config, `router id 10.64.0.${server.n};\nprotocol device {}\n`);
    execFileSync("bird", ["-c", server.config, "-s", server.socket, "-P", server.pid]);
  }
  const actor = { type: "cli" as const, label: "bench" };
  const db = getDb();
  const lan = await createLan(db, getZeroTierProvider(), { name: "bench", ipv4: "10.64.0.0/16", ipv6: "2001:db8:ffff::/64", rsAsn: 64496 }, { create: true }, actor);
  for (const server of servers) {
    await addRouteServer(
      db,
      { lan: lan.name, name: `rs${server.n}`, transport: "local", ipv4: `10.64.0.${server.n}`, ipv6: `2001:db8:ffff::${server.n}`, routerId: `10.64.0.${server.n}`, configPath: server.config, controlSocket: server.socket, deployOrder: server.n },
      actor,
    );
  }

  // The worker's log goes to a file (kept when the worker dies early, which ends the bench).
  const logFd = openSync(workerLog, "w");
  worker = spawn(process.execPath, ["--conditions=react-server", "--import", "tsx", "jobs/worker.ts"], { env: { ...process.env, ...env }, stdio: ["ignore", logFd, logFd] });
  worker.once("exit", (code, signal) => {
    if (finished) return;
    console.error(`the worker process exited (${signal ?? `status ${code}`}) before the bench finished; its log: ${workerLog}`);
    process.exit(1);
  });
  const deploymentsSoFar = async () => Number((await db.selectFrom("deployments").select((eb) => eb.fn.countAll<string>().as("n")).executeTakeFirstOrThrow()).n);
  // The route servers' first deployment (no members yet) settles before anything is timed.
  while ((await deploymentsSoFar()) < servers.length) await sleep(100);

  const sessions = async (server: (typeof servers)[number]) => {
    const { stdout } = await run("birdc", ["-s", server.socket, "show", "protocols"], { maxBuffer: 64 * 1024 * 1024 });
    return new Set(stdout.split("\n").map((line) => line.split(/\s+/)[0]!).filter((name) => name.startsWith("pb_c")));
  };

  let node = 0xb100000000;
  let asn = 64512;
  // Requests and approvals go through the API's route handlers (in this process), as an operator's automation would.
  const { key } = await createApiKey(db, { name: "bench", scope: "admin" }, actor);
  const call = async (handler: typeof createRoute, url: string, body: unknown, params: Record<string, string> = {}) => {
    const response = await handler(new Request(`http://bench${url}`, { method: "POST", headers: { "X-API-Key": key, "Content-Type": "application/json" }, body: JSON.stringify(body) }), { params: Promise.resolve(params) });
    const json = (await response.json()) as { data?: { id: number }; error?: { message: string } };
    if (!response.ok) throw new Error(`POST ${url}: ${response.status} ${json.error?.message ?? ""}`);
    return json;
  };
  const request = async () => (await call(createRoute, "/api/v1/connections", { asn: asn++, lan: lan.id, ztNodeId: (node++).toString(16), routeServerPeering: true })).data!.id;
  const approveConnection = async (id: number) => void (await call(approveRoute as typeof createRoute, `/api/v1/connections/${id}/approve`, {}, { id: String(id) }));

  // 1. One member, several runs.
  const singles: number[] = [];
  for (let i = 0; i < singleRuns; i++) {
    const id = await request();
    const started = performance.now();
    await approveConnection(id);
    for (;;) {
      const live = await Promise.all(servers.map(sessions));
      if (live.every((names) => names.has(`pb_c${id}_v4`) && names.has(`pb_c${id}_v6`))) break;
      await sleep(20);
    }
    singles.push(performance.now() - started);
  }
  singles.sort((a, b) => a - b);
  const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  console.log(`one member, approval → in the running config of both route servers: ${singleRuns} runs, p50 ${seconds(singles[Math.floor(singles.length / 2)]!)}, min ${seconds(singles[0]!)}, max ${seconds(singles.at(-1)!)}`);

  // 2. The burst: requests first (not timed), then approvals back to back.
  const ids: number[] = [];
  for (let i = 0; i < burst; i++) ids.push(await request());
  const deploymentsBefore = await db.selectFrom("deployments").select((eb) => eb.fn.max("id").as("id")).executeTakeFirstOrThrow();
  const approvedAt = new Map<number, number>();
  const burstStarted = Date.now();
  for (const id of ids) {
    await approveConnection(id);
    approvedAt.set(id, Date.now());
  }
  const lastApproval = Date.now();
  console.log(`burst: ${burst} approvals in ${seconds(lastApproval - burstStarted)}`);

  let provisionedAfter: number | undefined;
  let deployedAfter: number | undefined;
  const limit = lastApproval + 15 * 60_000;
  while ((provisionedAfter === undefined || deployedAfter === undefined) && Date.now() < limit) {
    if (provisionedAfter === undefined) {
      const row = await db.selectFrom("connections").select((eb) => eb.fn.countAll<string>().as("n")).where("id", "in", ids).where("state", "=", "provisioned").executeTakeFirstOrThrow();
      const authorized = ids.length === Number(row.n) ? sim.members(lan.zt_network_id).filter((member) => member.authorized).length : 0;
      if (authorized >= ids.length + singleRuns) provisionedAfter = Date.now() - lastApproval;
    }
    if (deployedAfter === undefined) {
      const live = await Promise.all(servers.map(sessions));
      if (live.every((names) => ids.every((id) => names.has(`pb_c${id}_v4`) && names.has(`pb_c${id}_v6`)))) deployedAfter = Date.now() - lastApproval;
    }
    await sleep(250);
  }
  const show = (ms: number | undefined) => (ms === undefined ? "not within 15 min" : seconds(ms));
  console.log(`burst: last approval → all ${burst} provisioned on the controller simulator: ${show(provisionedAfter)}`);
  console.log(`burst: last approval → all ${burst} in the running config of both route servers: ${show(deployedAfter)}`);

  const deployments = await db
    .selectFrom("deployments")
    .select(["id", "route_server_id", "status", "started_at", "finished_at"])
    .where("id", ">", deploymentsBefore.id ?? 0)
    .orderBy("id")
    .execute();
  const provisioned = await db.selectFrom("connections").select(["id", "provisioned_at"]).where("id", "in", ids).execute();
  const windows = deployments.map((deployment) => [deployment.started_at.getTime(), (deployment.finished_at ?? new Date()).getTime()] as const);
  let worst = 0;
  const waits: number[] = [];
  for (const row of provisioned) {
    const approved = approvedAt.get(row.id)!;
    if (!row.provisioned_at) continue;
    waits.push(row.provisioned_at.getTime() - approved);
    if (!windows.some(([from, to]) => approved <= to && row.provisioned_at!.getTime() >= from)) continue;
    worst = Math.max(worst, row.provisioned_at.getTime() - approved);
  }
  waits.sort((a, b) => a - b);
  const at = (p: number) => waits[Math.min(waits.length - 1, Math.floor((p / 100) * waits.length))] ?? 0;
  console.log(`burst: approval → provisioned, each: p50 ${seconds(at(50))}, p99 ${seconds(at(99))}, max ${seconds(waits.at(-1) ?? 0)}`);
  const durations = windows.map(([from, to]) => to - from).sort((a, b) => a - b);
  console.log(
    `burst: ${deployments.length} route-server deployments (${deployments.filter((d) => d.status === "succeeded").length} succeeded, ${deployments.filter((d) => d.status === "failed").length} failed; ` +
      `each ${durations.length ? `${seconds(durations[0]!)}–${seconds(durations.at(-1)!)}` : "n/a"}); worst approval → provisioned wait while a deployment ran: ${seconds(worst)}`,
  );
  // Where the worker's slots went during the burst (job_runs: one row per finished job).
  const runs = await sql<{ task: string; n: number; total: number; p50: number; max: number }>`
    select task, count(*)::int as n, sum(duration_ms)::int as total, (percentile_cont(0.5) within group (order by duration_ms))::int as p50, max(duration_ms)::int as max
      from job_runs where finished_at >= ${new Date(burstStarted)} group by task order by sum(duration_ms) desc`.execute(db);
  for (const row of runs.rows) console.log(`burst: worker time in ${row.task}: ${row.n} jobs, ${seconds(row.total)} in all, p50 ${row.p50} ms, max ${row.max} ms`);
  console.log(`load: ${os.loadavg().map((value) => value.toFixed(2)).join(" ")} (${os.cpus().length} cores)`);
  succeeded = true;
} finally {
  finished = true;
  if (worker && worker.exitCode === null) {
    const exited = new Promise((resolve) => worker!.once("exit", resolve));
    worker.kill("SIGTERM");
    await Promise.race([exited, sleep(10_000)]);
    if (worker.exitCode === null) worker.kill("SIGKILL");
  }
  for (const server of servers) {
    try {
      execFileSync("birdc", ["-s", server.socket, "down"], { stdio: "ignore" });
    } catch {
      // already down
    }
  }
  await closeDb();
  await sim.close();
  await peeringDb.close();
  await dropTestDatabase(base.url, scratch.name);
  await base.stop();
  rmSync(dir, { recursive: true, force: true });
  // The worker's log stays only when something went wrong.
  if (succeeded) rmSync(workerLog, { force: true });
}
