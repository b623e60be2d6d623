/**
 * A LAN's deployments queue behind each other and coalesce, and never take provisioning's worker
 * slots: a real worker (two slots, and two deployment slots), the controller simulator and a local
 * BIRD whose parse check the test holds (the route server's bird path is a gate script that waits
 * for a file, then runs the real bird). Needs bird2.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startZeroTierSimulator, type ZeroTierSimulator } from "@/simulators/zerotier/server";
import { closeDb, resetDatabase, testDb } from "../support/db";
import { createLanRow } from "../support/fixtures";

const dir = mkdtempSync(path.join(os.tmpdir(), "ztix-rs-queue-"));
const gate = path.join(dir, "gate-open");
const socket = path.join(dir, "rs.ctl");
const actor = { type: "cli" as const, label: "test" };
let sim: ZeroTierSimulator;
let worker: { stop: (options?: { graceMs?: number }) => Promise<void> } | undefined;

async function until<T>(read: () => Promise<T> | T, done: (value: T) => boolean, what: string, tries = 240) {
  for (let i = 0; i < tries; i++) {
    const value = await read();
    if (done(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const deployJobs = async () =>
  (
    await sql<{ key: string | null; locked: boolean; attempts: number; queue_name: string | null }>`
      select key, locked_at is not null as locked, attempts, queue_name from graphile_worker.jobs
       where task_identifier = 'deploy_route_servers' order by id`.execute(testDb())
  ).rows;
const deployments = () => testDb().selectFrom("deployments").select(["id", "status", "config"]).orderBy("id").execute();
const connectionState = async (id: number) => (await testDb().selectFrom("connections").select("state").where("id", "=", id).executeTakeFirstOrThrow()).state;

describe("route-server deployment queue", () => {
  beforeAll(async () => {
    await resetDatabase();
    sim = await startZeroTierSimulator({});
    process.env.ZT_CONTROLLER_URL = sim.controllerUrl;
    process.env.ZT_CONTROLLER_TOKEN = sim.token;
    (globalThis as { ztixZeroTier?: unknown }).ztixZeroTier = undefined;
    // Holds `bird -p` (the check before activation) until the gate file exists.
    writeFileSync(path.join(dir, "gated-bird"), `#!/bin/sh\nif [ "$1" = "-p" ]; then while [ ! -e '${gate}' ]; do sleep 0.05; done; fi\nexec bird "$@"\n`);
    chmodSync(path.join(dir, "gated-bird"), 0o755);
    writeFileSync(path.join(dir, "rs.conf"), "router id 192.0.2.1;\nprotocol device {}\n");
    execFileSync("bird", ["-c", path.join(dir, "rs.conf"), "-s", socket, "-P", path.join(dir, "rs.pid")]);
  });

  afterAll(async () => {
    writeFileSync(gate, "");
    await worker?.stop({ graceMs: 5_000 }).catch(() => undefined);
    try {
      process.kill(Number(readFileSync(path.join(dir, "rs.pid"), "utf8")), "SIGTERM");
    } catch {
      // not started
    }
    rmSync(dir, { recursive: true, force: true });
    await sim.close();
    await closeDb();
  });

  it("while a deployment runs, provisioning goes on and further changes coalesce into exactly one follow-up with all of them", async () => {
    const { createLanNetwork } = await import("@/lib/zerotier/network-setup");
    const { getZeroTierProvider } = await import("@/lib/zerotier/client");
    const { networkId } = await createLanNetwork(getZeroTierProvider(), { name: "ix", ipv4Prefix: "192.0.2.0/24", ipv6Prefix: "2001:db8:ffff::/64", mtu: 2800 });
    const lan = await createLanRow({ ztNetworkId: networkId, reserved: 10 });
    const { addRouteServer } = await import("@/lib/routeserver/registry");
    const rs = await addRouteServer(testDb(), { lan: String(lan.id), name: "rs1", transport: "local", routerId: "192.0.2.1", ipv4: "192.0.2.1", configPath: path.join(dir, "rs.conf"), controlSocket: socket }, actor);
    await testDb().updateTable("route_servers").set({ bird_path: path.join(dir, "gated-bird") }).where("id", "=", rs.id).execute();
    expect(await deployJobs()).toEqual([{ key: `deploy_route_servers:${lan.id}`, locked: false, attempts: 0, queue_name: `route_server_deployments:${lan.id}` }]);

    writeFileSync(gate, "");
    const { startWorker } = await import("@/jobs/runner");
    worker = await startWorker({ databaseUrl: process.env.DATABASE_URL!, concurrency: 2 });
    await until(deployments, (rows) => rows.length === 1 && rows[0]!.status === "succeeded", "the route server's first deployment");
    await until(deployJobs, (jobs) => jobs.length === 0, "the deployment job to finish");

    // Member A's approval starts a deployment; the gate holds it in its parse check.
    rmSync(gate);
    const { approveConnection, createConnectionRequest } = await import("@/lib/connections/service");
    const connect = async (asn: number, node: string) => {
      const { id } = await createConnectionRequest(testDb(), { actor, userId: null }, { asn, lanId: lan.id, ztNodeId: node, routeServerPeering: true });
      await approveConnection(testDb(), actor, id);
      return id;
    };
    const a = await connect(1000, "aaaaaaaaa1");
    const held = await until(deployments, (rows) => rows.length === 2 && rows[1]!.status === "running", "member A's deployment to be held");
    expect(held[1]!.config).toContain(`pb_c${a}_v4`);

    // Members B and C are provisioned on the controller while that deployment is held.
    const b = await connect(2000, "aaaaaaaaa2");
    const c = await connect(3000, "aaaaaaaaa3");
    for (const id of [b, c]) await until(() => connectionState(id), (state) => state === "provisioned", `connection ${id} to be provisioned`);
    expect(sim.member(networkId, "aaaaaaaaa3")).toMatchObject({ authorized: true });
    // Give the free deployment slot time to take the follow-up, as it would without the LAN's queue.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect((await deployments()).map((row) => row.status)).toEqual(["succeeded", "running"]);
    // The running job (its key handed on) and one waiting follow-up, never tried: the queue holds it.
    const jobs = await deployJobs();
    expect(jobs).toHaveLength(2);
    expect(jobs[0]).toMatchObject({ key: null, locked: true, queue_name: `route_server_deployments:${lan.id}` });
    expect(jobs[1]).toEqual({ key: `deploy_route_servers:${lan.id}`, locked: false, attempts: 0, queue_name: `route_server_deployments:${lan.id}` });

    // Released: the held deployment finishes, then one follow-up renders B and C.
    writeFileSync(gate, "");
    await until(deployJobs, (jobs) => jobs.length === 0, "the deployment jobs to finish");
    const done = await deployments();
    expect(done.map((row) => row.status)).toEqual(["succeeded", "succeeded", "succeeded"]);
    expect(done[1]!.config).not.toContain(`pb_c${b}_v4`);
    for (const id of [a, b, c]) expect(done[2]!.config).toContain(`pb_c${id}_v4`);
    const live = spawnSync("birdc", ["-s", socket, "show", "protocols"], { encoding: "utf8" }).stdout;
    for (const id of [a, b, c]) expect(live).toContain(`pb_c${id}_v4`);
  });
});
