/**
 * From approval to Established BGP sessions with no human step: the real worker provisions the
 * routers on the controller simulator, renders and deploys the route server's BIRD config (local
 * transport to a BIRD in a network namespace), the members' BIRDs connect, and the session-state
 * job marks the connections active. Needs root, iproute2 and bird2.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { enqueueJob } from "@/jobs/enqueue";
import { startZeroTierSimulator, type ZeroTierSimulator } from "@/simulators/zerotier/server";
import { closeDb, resetDatabase, testDb } from "../support/db";
import { createLanRow, createMemberUser, createStaffUser } from "../support/fixtures";

const id = `${process.pid % 10000}${Math.floor(Math.random() * 256).toString(16)}`;
const bridgeNs = `yb${id}`;
const namespaces = { rs: `yr${id}`, a: `ya${id}`, b: `yc${id}` };
const dir = mkdtempSync(path.join(os.tmpdir(), "ztix-rs-flow-"));
let sim: ZeroTierSimulator;
let worker: { stop: (options?: { graceMs?: number }) => Promise<void> } | undefined;

const run = (command: string, args: string[]) => execFileSync(command, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
const inNs = (ns: string, command: string, args: string[]) => run("ip", ["netns", "exec", ns, command, ...args]);
const birdc = (name: string, ...command: string[]) => spawnSync("birdc", ["-s", path.join(dir, `${name}.ctl`), ...command], { encoding: "utf8" }).stdout;

function attach(ns: string, address: string | null, link: string) {
  run("ip", ["netns", "add", ns]);
  run("ip", ["link", "add", "eth0", "netns", ns, "type", "veth", "peer", "name", link, "netns", bridgeNs]);
  inNs(bridgeNs, "ip", ["link", "set", link, "master", "br0", "up"]);
  if (address) inNs(ns, "ip", ["addr", "add", `${address}/24`, "dev", "eth0"]);
  inNs(ns, "ip", ["link", "set", "eth0", "up"]);
  inNs(ns, "ip", ["link", "set", "lo", "up"]);
}

async function until<T>(read: () => Promise<T> | T, done: (value: T) => boolean, what: string, tries = 120) {
  for (let i = 0; i < tries; i++) {
    const value = await read();
    if (done(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe("approval to Established sessions, with no human step", () => {
  beforeAll(async () => {
    await resetDatabase();
    sim = await startZeroTierSimulator({});
    process.env.ZT_CONTROLLER_URL = sim.controllerUrl;
    process.env.ZT_CONTROLLER_TOKEN = sim.token;
    run("ip", ["netns", "add", bridgeNs]);
    inNs(bridgeNs, "ip", ["link", "add", "br0", "type", "bridge"]);
    inNs(bridgeNs, "ip", ["link", "set", "br0", "up"]);
    attach(namespaces.rs, "192.0.2.1", `w${id}r`);
    writeFileSync(path.join(dir, "rs.conf"), "router id 192.0.2.1;\nprotocol device {}\n");
    inNs(namespaces.rs, "bird", ["-c", path.join(dir, "rs.conf"), "-s", path.join(dir, "rs.ctl"), "-P", path.join(dir, "rs.pid")]);
  });

  afterAll(async () => {
    // Bounded: a job stuck after a timeout must not keep the namespaces and daemons alive.
    await worker?.stop({ graceMs: 5_000 }).catch(() => undefined);
    for (const name of ["rs", "a", "b"]) {
      try {
        process.kill(Number(readFileSync(path.join(dir, `${name}.pid`), "utf8")), "SIGTERM");
      } catch {
        // not started
      }
    }
    for (const ns of [bridgeNs, ...Object.values(namespaces)]) spawnSync("ip", ["netns", "del", ns]);
    rmSync(dir, { recursive: true, force: true });
    await sim.close();
    await closeDb();
  });

  it("ends in Established sessions on the route server and active connections", async () => {
    const { createLanNetwork } = await import("@/lib/zerotier/network-setup");
    const { getZeroTierProvider } = await import("@/lib/zerotier-client");
    const { networkId } = await createLanNetwork(getZeroTierProvider(), { name: "lab", ipv4Prefix: "192.0.2.0/24", ipv6Prefix: "2001:db8:ffff::/64", mtu: 2800 });
    const lan = await createLanRow({ ztNetworkId: networkId, reserved: 10 });
    const { addRouteServer } = await import("@/lib/route-servers");
    await addRouteServer(testDb(), { lan: String(lan.id), name: "rs1", transport: "local", routerId: "192.0.2.1", ipv4: "192.0.2.1", configPath: path.join(dir, "rs.conf"), controlSocket: path.join(dir, "rs.ctl") }, { type: "cli", label: "test" });

    const { requestConnection, approveConnection, actorOf } = await import("@/lib/connections/service");
    const operator = await createStaffUser();
    const members = [
      { key: "a", asn: 1000, node: "aaaaaaaaa1", prefix: "11.1.1.0/24" },
      { key: "b", asn: 2000, node: "aaaaaaaaa2", prefix: "11.2.2.0/24" },
    ] as const;
    const approved = [];
    for (const member of members) {
      const user = await createMemberUser([member.asn]);
      const { id: connectionId } = await requestConnection(testDb(), user, { asn: member.asn, lanId: lan.id, ztNodeId: member.node, routeServerPeering: true });
      const addresses = await approveConnection(testDb(), actorOf(operator), connectionId);
      approved.push({ ...member, connectionId, ipv4: addresses.ipv4 });
    }

    // The routers join the LAN with the addresses they were given, and peer with the route server.
    for (const member of approved) {
      attach(namespaces[member.key], member.ipv4, `w${id}${member.key}`);
      writeFileSync(
        path.join(dir, `${member.key}.conf`),
        `router id ${member.ipv4};
protocol device {}
protocol static { ipv4; route ${member.prefix} blackhole; }
protocol bgp to_rs {
  local ${member.ipv4} as ${member.asn};
  neighbor 192.0.2.1 as 64496;
  connect delay time 1;
  connect retry time 1;
  error wait time 1, 2;
  ipv4 { import all; export all; };
}
`,
      );
      inNs(namespaces[member.key], "bird", ["-c", path.join(dir, `${member.key}.conf`), "-s", path.join(dir, `${member.key}.ctl`), "-P", path.join(dir, `${member.key}.pid`)]);
    }

    // Nobody touches anything from here on: the worker does the rest.
    const { startWorker } = await import("@/jobs/runner");
    worker = await startWorker({ databaseUrl: process.env.DATABASE_URL!, concurrency: 2 });
    await until(() => testDb().selectFrom("connections").select("state").execute(), (rows) => rows.every((row) => row.state === "provisioned" || row.state === "active"), "both connections to be provisioned");
    for (const member of approved) expect(sim.member(networkId, member.node)).toMatchObject({ authorized: true });
    await until(() => birdc("rs", "show", "protocols"), (out) => (out.match(/Established/g) ?? []).length === 2, "both sessions Established on the route server");
    await until(() => birdc("b", "show", "route"), (out) => out.includes("11.1.1.0/24"), "member B to learn member A's prefix through the route server");

    await enqueueJob(testDb(), "collect_session_states", { lanId: lan.id }, { maxAttempts: 1 });
    await until(() => testDb().selectFrom("connections").select("state").execute(), (rows) => rows.every((row) => row.state === "active"), "both connections to be active");
    const sessions = await testDb().selectFrom("bgp_sessions").select(["connection_id", "info", "imported", "exported"]).orderBy("connection_id").execute();
    expect(sessions.map((session) => session.info)).toEqual(["Established", "Established"]);
    expect(sessions.every((session) => session.imported === 1 && session.exported === 1)).toBe(true);
    const deployments = await testDb().selectFrom("deployments").select(["status", "trigger"]).execute();
    expect(deployments.some((deployment) => deployment.status === "succeeded")).toBe(true);
  }, 120_000);
});
