import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { expect, test } from "@playwright/test";
import pg from "pg";
import { findRunningEmbeddedPostgres } from "../../db/embedded";
import { startZeroTierSimulator, type ZeroTierSimulator } from "../../simulators/zerotier/server";
import { baseDatabase } from "../support/base-database";
import { createTestDatabase, dropTestDatabase } from "../support/database";
import { startTcpProxy } from "../support/tcp-proxy";
import { cliAgainst, descendantsOf, ownPortalPort, postmasterPid, processesMentioning, startOwnPortal, stillRunning, waitForHealth, type OwnPortal } from "./own-portal";

/** A LAN on the simulator and an admin API key, made with the CLI as an operator would. */
async function seed(databaseUrl: string, sim: ZeroTierSimulator) {
  const ztEnv = { ZT_CONTROLLER_URL: sim.controllerUrl, ZT_CONTROLLER_TOKEN: sim.token };
  await cliAgainst(databaseUrl, ["lans", "create", "--name", "faults-lan", "--ipv4", "192.0.2.0/24", "--ipv6", "2001:db8:ffff::/64", "--rs-asn", "64496", "--create-network"], ztEnv);
  const key = await cliAgainst(databaseUrl, ["apikeys", "create", "--name", "faults", "--scope", "admin"]);
  return { key };
}

async function api(portal: OwnPortal, key: string, method: "GET" | "POST", path: string, body?: unknown) {
  const response = await fetch(`${portal.url}${path}`, {
    method,
    headers: { "X-API-Key": key, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, headers: response.headers, body: (await response.json().catch(() => null)) as Record<string, unknown> | null };
}

async function requestAndApprove(portal: OwnPortal, key: string, lanId: number, asn: number, ztNodeId: string) {
  const created = await api(portal, key, "POST", "/api/v1/connections", { asn, lan: Number(lanId), ztNodeId });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const id = (created.body!.data as { id: number }).id;
  const approved = await api(portal, key, "POST", `/api/v1/connections/${id}/approve`, {});
  expect(approved.status, JSON.stringify(approved.body)).toBe(200);
  return id;
}

async function connectionState(portal: OwnPortal, key: string, id: number) {
  const answer = await api(portal, key, "GET", `/api/v1/connections/${id}`);
  return (answer.body?.data as { state?: string } | undefined)?.state ?? `HTTP ${answer.status}`;
}

async function seededLan(databaseUrl: string) {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return (await client.query<{ id: number; zt_network_id: string }>("select id, zt_network_id from lans where name = 'faults-lan'")).rows[0]!;
  } finally {
    await client.end();
  }
}

async function provisionJobLocked(databaseUrl: string) {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query("select 1 from graphile_worker.jobs where task_identifier = 'provision_connection' and locked_at is not null");
    return rows.length > 0;
  } finally {
    await client.end();
  }
}

/** The portal's output, attached to the test's results (read it when a test fails). */
async function keepLog(dataDir: string) {
  const file = path.join(dataDir, "portal.log");
  if (existsSync(file)) await test.info().attach("portal.log", { body: readFileSync(file), contentType: "text/plain" });
}

function embeddedDataDir(prefix: string) {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  chmodSync(dir, 0o755); // the postgres system user must reach its cluster inside
  return dir;
}

test.describe("stops and outages", () => {
  test.describe.configure({ mode: "serial" });

  test("SIGTERM to the npm start process with a job in flight: everything exits 0, PostgreSQL stops, the job runs on the next start", async () => {
    test.setTimeout(600_000);
    const dataDir = embeddedDataDir("ztix-stop-");
    const sim = await startZeroTierSimulator({});
    const env = { ZTIX_DATA_DIR: dataDir, ZT_CONTROLLER_URL: sim.controllerUrl, ZT_CONTROLLER_TOKEN: sim.token, ZTIX_STOP_GRACE_SECONDS: "3", ZTIX_API_RATE_LIMIT: "10000" };
    const port = ownPortalPort(1);
    let portal = startOwnPortal({ port, env, logFile: path.join(dataDir, "portal.log") });
    try {
      await waitForHealth(portal.url);
      const databaseUrl = findRunningEmbeddedPostgres(dataDir)!;
      const { key } = await seed(databaseUrl, sim);

      // The controller answers slowly: the provisioning job is held up in flight.
      sim.setFaults({ latencyMs: 8_000 });
      const lan = await seededLan(databaseUrl);
      const id = await requestAndApprove(portal, key, lan.id, 64500, "abcdef0001");
      await expect.poll(() => provisionJobLocked(databaseUrl), { timeout: 60_000, intervals: [200] }).toBe(true);

      const started = [portal.npm.pid!, ...descendantsOf(portal.npm.pid!)];
      expect(processesMentioning(path.join(dataDir, "postgres")).length).toBeGreaterThan(0);
      process.kill(portal.npm.pid!, "SIGTERM"); // the npm process only, as systemd or a CI runner does

      expect(await portal.exited).toBe(0);
      await expect.poll(() => stillRunning(started), { timeout: 10_000 }).toEqual([]);
      expect(processesMentioning(dataDir)).toEqual([]);
      expect(portal.log()).toContain("releasing unfinished jobs");

      // The released job runs on the next start, at once, against a controller that answers.
      sim.setFaults({ latencyMs: 0 });
      portal = startOwnPortal({ port, env, logFile: path.join(dataDir, "portal.log") });
      await waitForHealth(portal.url);
      await expect.poll(() => connectionState(portal, key, id), { timeout: 60_000, intervals: [500] }).toBe("provisioned");
      expect(sim.members(lan.zt_network_id).filter((member) => member.authorized).map((member) => member.id)).toEqual(["abcdef0001"]);

      process.kill(portal.npm.pid!, "SIGINT");
      expect(await portal.exited).toBe(0);
      expect(processesMentioning(dataDir)).toEqual([]);
    } finally {
      portal.kill();
      await keepLog(dataDir);
      await sim.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  test("PostgreSQL unreachable under a running portal: API, pages and health answer 503; back: 200 within 10 s and a new approval provisions", async () => {
    test.setTimeout(600_000);
    const base = await baseDatabase();
    const database = await createTestDatabase(base.url, "ztix_outage");
    const real = new URL(database.url);
    const cut = await startTcpProxy({ host: real.hostname, port: Number(real.port || 5432) });
    const proxied = new URL(database.url);
    proxied.hostname = "127.0.0.1";
    proxied.port = String(cut.port);
    const dataDir = embeddedDataDir("ztix-outage-");
    const sim = await startZeroTierSimulator({});
    const portal = startOwnPortal({
      port: ownPortalPort(2),
      env: { DATABASE_URL: proxied.toString(), ZTIX_DATA_DIR: dataDir, ZT_CONTROLLER_URL: sim.controllerUrl, ZT_CONTROLLER_TOKEN: sim.token, ZTIX_API_RATE_LIMIT: "10000" },
      logFile: path.join(dataDir, "portal.log"),
    });
    try {
      await waitForHealth(portal.url);
      const { key } = await seed(database.url, sim);
      const lan = (await seededLan(database.url)).id;

      await cut.down();
      await expect.poll(async () => (await fetch(`${portal.url}/api/health`)).status, { timeout: 30_000 }).toBe(503);
      const during = await api(portal, key, "GET", "/api/v1/connections");
      expect(during.status).toBe(503);
      expect(during.body).toEqual({ error: { code: "database_unavailable", message: expect.stringContaining("database is unavailable"), details: null } });
      expect(during.headers.get("retry-after")).toMatch(/^\d+$/);
      const write = await api(portal, key, "POST", "/api/v1/connections", { asn: 64510, lan, ztNodeId: "abcdef0010" });
      expect(write.status).toBe(503);
      const page = await fetch(`${portal.url}/login`);
      expect(page.status).toBe(503);
      expect(await page.text()).toContain("The database is unavailable");
      // Long enough for the worker to meet the outage (its polls and heartbeat fail meanwhile).
      await new Promise((resolve) => setTimeout(resolve, 12_000));

      await cut.up();
      await expect
        .poll(
          async () => [(await fetch(`${portal.url}/api/health`)).status, (await fetch(`${portal.url}/login`)).status, (await api(portal, key, "GET", "/api/v1/connections")).status],
          { timeout: 10_000, intervals: [250] },
        )
        .toEqual([200, 200, 200]);
      expect(portal.npm.exitCode).toBeNull(); // nothing restarted: the same portal recovered

      const id = await requestAndApprove(portal, key, lan, 64511, "abcdef0011");
      await expect.poll(() => connectionState(portal, key, id), { timeout: 60_000, intervals: [500] }).toBe("provisioned");

      process.kill(portal.npm.pid!, "SIGTERM");
      expect(await portal.exited).toBe(0);
    } finally {
      portal.kill();
      await keepLog(dataDir);
      await cut.close();
      await sim.close();
      await dropTestDatabase(base.url, database.name).catch(() => undefined);
      await base.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  test("the embedded postmaster killed under a running portal is restarted by npm start", async () => {
    test.setTimeout(600_000);
    const dataDir = embeddedDataDir("ztix-postmaster-");
    const portal = startOwnPortal({ port: ownPortalPort(3), env: { ZTIX_DATA_DIR: dataDir }, logFile: path.join(dataDir, "portal.log") });
    try {
      await waitForHealth(portal.url);
      const first = postmasterPid(dataDir)!;
      process.kill(first, "SIGKILL");

      await expect.poll(() => postmasterPid(dataDir), { timeout: 60_000 }).not.toBe(first);
      await waitForHealth(portal.url, 60_000);
      expect(portal.log()).toContain("the postmaster exited unexpectedly (SIGKILL); restarting it");
      expect(portal.npm.exitCode).toBeNull();

      // The same worker takes jobs again (its listener and pool reconnected).
      await expectJobsTaken(dataDir);

      process.kill(portal.npm.pid!, "SIGTERM");
      expect(await portal.exited).toBe(0);
      expect(processesMentioning(dataDir)).toEqual([]);
    } finally {
      portal.kill();
      await keepLog(dataDir);
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  test("a worker, a web process or the web server that dies under a running portal is started again by npm start; the portal keeps answering and the new worker takes jobs", async () => {
    test.setTimeout(600_000);
    const dataDir = embeddedDataDir("ztix-worker-");
    const portal = startOwnPortal({ port: ownPortalPort(4), env: { ZTIX_DATA_DIR: dataDir, ZTIX_WEB_PROCESSES: "2" }, logFile: path.join(dataDir, "portal.log") });
    try {
      await waitForHealth(portal.url);
      const cmdline = (pid: number) => {
        try {
          return readFileSync(`/proc/${pid}/cmdline`, "utf8");
        } catch {
          return ""; // gone between the listing and the read
        }
      };
      const workerPid = () => descendantsOf(portal.npm.pid!).find((pid) => cmdline(pid).includes("jobs/worker.ts"));
      // The web server's processes: the children of its cluster primary (they call themselves next-server).
      const webProcesses = () => {
        const primary = descendantsOf(portal.npm.pid!).find((pid) => cmdline(pid).includes("scripts/web-server.mjs"));
        return primary ? descendantsOf(primary) : [];
      };
      const first = workerPid()!;
      expect(first).toBeGreaterThan(1);
      process.kill(first, "SIGKILL");

      await expect.poll(() => workerPid(), { timeout: 60_000 }).not.toBe(first);
      await expect.poll(() => workerPid(), { timeout: 60_000 }).toBeGreaterThan(1);
      expect(portal.log()).toContain("worker exited unexpectedly (SIGKILL); starting it again");
      expect(portal.npm.exitCode).toBeNull();

      // The new worker takes jobs.
      await expectJobsTaken(dataDir);

      // One of the two web processes dies: the other answers meanwhile, and a new one takes its place.
      const before = webProcesses();
      expect(before).toHaveLength(2);
      process.kill(before[0]!, "SIGKILL");
      await expect.poll(() => portal.log(), { timeout: 30_000 }).toContain(`web process ${before[0]} exited (SIGKILL): starting another`);
      // While its replacement starts, the other answers. Each request on a new connection, as a
      // browser's next one would be: a kept-alive one may belong to the process just killed.
      for (let i = 0; i < 5; i++) expect(await statusOnNewConnection(`${portal.url}/login`)).toBe(200);
      await expect.poll(() => webProcesses().filter((pid) => !before.includes(pid)).length, { timeout: 60_000 }).toBe(1);
      expect(webProcesses()).toHaveLength(2);
      expect(await statusOnNewConnection(`${portal.url}/api/health`)).toBe(200);

      // The web server's primary dies (the OOM killer, a stray kill -9): its processes end with it,
      // npm start starts a new web server, and the portal answers again; the worker stays.
      const primary = descendantsOf(portal.npm.pid!).find((pid) => cmdline(pid).includes("scripts/web-server.mjs"))!;
      const oldWeb = webProcesses();
      const worker = workerPid();
      process.kill(primary, "SIGKILL");
      await expect.poll(() => portal.log(), { timeout: 30_000 }).toContain("web server exited unexpectedly (SIGKILL); starting it again (1 of 5 in 10 minutes)");
      await expect.poll(() => stillRunning(oldWeb), { timeout: 30_000 }).toEqual([]);
      await expect.poll(() => statusOnNewConnection(`${portal.url}/login`), { timeout: 120_000, intervals: [1_000] }).toBe(200);
      expect(webProcesses()).toHaveLength(2);
      expect(workerPid()).toBe(worker);
      expect(portal.npm.exitCode).toBeNull();
      const everything = descendantsOf(portal.npm.pid!);

      process.kill(portal.npm.pid!, "SIGTERM");
      expect(await portal.exited).toBe(0);
      expect(processesMentioning(dataDir)).toEqual([]);
      expect(stillRunning(everything)).toEqual([]);
    } finally {
      portal.kill();
      await keepLog(dataDir);
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

/** GET on a connection of its own (no keep-alive pool): the status, or the error's code. */
function statusOnNewConnection(url: string) {
  return new Promise<number | string>((resolve) => {
    const request = http.get(url, { agent: false }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    request.on("error", (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });
}

/** A job enqueued now on the portal's embedded database is run (and gone) within a minute. */
async function expectJobsTaken(dataDir: string) {
  const client = new pg.Client({ connectionString: findRunningEmbeddedPostgres(dataDir)! });
  await client.connect();
  try {
    const { rows } = await client.query<{ id: string }>(`select (graphile_worker.add_job('prune_worker_heartbeats', '{"olderThanDays": 7}'::json)).id::text as id`);
    await expect
      .poll(async () => (await client.query("select 1 from graphile_worker.jobs where id = $1", [rows[0]!.id])).rowCount, { timeout: 60_000, intervals: [500] })
      .toBe(0);
  } finally {
    await client.end();
  }
}
