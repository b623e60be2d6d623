/**
 * Deployment to real route servers: two BIRD daemons on this host, each reached through its own
 * real sshd on 127.0.0.1 with its own host key (the test's own sshd processes and config files;
 * the system sshd is never touched). Needs root, openssh-server and bird2 (installed by .ci/run).
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { closeDb, resetDatabase, testDb } from "../support/db";
import { createLanRow } from "../support/fixtures";
import { freePort, sshdBinary, waitForPort, writeSshdConfig } from "../support/sshd";

const dir = mkdtempSync(path.join(os.tmpdir(), "ztix-rs-deploy-"));
const servers = [1, 2].map((n) => ({ n, dir: path.join(dir, `rs${n}`), port: 0, sshd: undefined as ChildProcess | undefined, fingerprint: "" }));

const keygen = (file: string) => execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", file]);
const fingerprint = (file: string) => execFileSync("ssh-keygen", ["-l", "-E", "sha256", "-f", file], { encoding: "utf8" }).split(" ")[1]!;
const birdc = (server: (typeof servers)[number], ...command: string[]) => spawnSync("birdc", ["-s", path.join(server.dir, "bird.ctl"), ...command], { encoding: "utf8" }).stdout;
async function startSshd(server: (typeof servers)[number]) {
  server.sshd = spawn(sshdBinary, ["-D", "-e", "-f", path.join(server.dir, "sshd_config")], { stdio: "ignore" });
  await waitForPort(server.port);
}

async function stopSshd(server: (typeof servers)[number]) {
  if (!server.sshd || server.sshd.exitCode !== null) return;
  const exited = new Promise((resolve) => server.sshd!.once("exit", resolve));
  server.sshd.kill("SIGTERM");
  await exited;
}

let lanId = 0;
let connectionSeq = 0;

async function addProvisionedConnection(asn: number) {
  connectionSeq++;
  await testDb().insertInto("networks").values({ asn, name: `Network ${asn}` }).onConflict((oc) => oc.doNothing()).execute();
  return testDb()
    .insertInto("connections")
    .values({ lan_id: lanId, asn, zt_node_id: (0xe100000000 + connectionSeq).toString(16), state: "provisioned", ipv4_address: `192.0.2.${20 + connectionSeq}`, ipv6_address: `2001:db8:ffff::${20 + connectionSeq}` })
    .returning("id")
    .executeTakeFirstOrThrow();
}

async function deploy() {
  const { deployLan } = await import("@/lib/routeserver/deploy");
  const { connectRouteServer } = await import("@/lib/routeserver/registry");
  return deployLan(testDb(), lanId, "test", connectRouteServer);
}

const liveConfig = (server: (typeof servers)[number]) => readFileSync(path.join(server.dir, "bird.conf"), "utf8");

describe("route-server deployment over SSH with real sshd and BIRD", () => {
  beforeAll(async () => {
    mkdirSync("/run/sshd", { recursive: true });
    keygen(path.join(dir, "client_key"));
    process.env.RS_SSH_KEY_FILE = path.join(dir, "client_key");
    for (const server of servers) {
      mkdirSync(server.dir, { recursive: true });
      keygen(path.join(server.dir, "host_key"));
      server.fingerprint = fingerprint(path.join(server.dir, "host_key.pub"));
      server.port = await freePort();
      writeFileSync(path.join(server.dir, "authorized_keys"), readFileSync(path.join(dir, "client_key.pub")));
      writeSshdConfig(server.dir, server.port);
      await startSshd(server);
      writeFileSync(path.join(server.dir, "bird.conf"), `router id 192.0.2.${server.n};\nprotocol device {}\n`);
      execFileSync("bird", ["-c", path.join(server.dir, "bird.conf"), "-s", path.join(server.dir, "bird.ctl"), "-P", path.join(server.dir, "bird.pid")]);
    }
  });

  beforeEach(async () => {
    await resetDatabase();
    for (const server of servers) {
      if (server.sshd?.exitCode !== null) await startSshd(server);
      writeFileSync(path.join(server.dir, "bird.conf"), `router id 192.0.2.${server.n};\nprotocol device {}\n`);
      birdc(server, "configure");
    }
    lanId = (await createLanRow({ reserved: 10 })).id;
    const { addRouteServer } = await import("@/lib/routeserver/registry");
    for (const server of servers) {
      await addRouteServer(
        testDb(),
        {
          lan: String(lanId),
          name: `rs${server.n}`,
          sshHost: "127.0.0.1",
          sshPort: server.port,
          sshUser: "root",
          hostKey: server.fingerprint,
          ipv4: `192.0.2.${server.n}`,
          ipv6: `2001:db8:ffff::${server.n}`,
          routerId: `192.0.2.${server.n}`,
          configPath: path.join(server.dir, "bird.conf"),
          controlSocket: path.join(server.dir, "bird.ctl"),
          deployOrder: server.n,
        },
        { type: "cli", label: "test" },
      );
    }
    await addProvisionedConnection(1000);
  });

  afterAll(async () => {
    for (const server of servers) {
      await stopSshd(server);
      try {
        process.kill(Number(readFileSync(path.join(server.dir, "bird.pid"), "utf8")), "SIGTERM");
      } catch {
        // already gone
      }
    }
    rmSync(dir, { recursive: true, force: true });
    await closeDb();
  });

  it("deploys to both route servers, one after the other, and records each deployment", async () => {
    expect(await deploy()).toEqual([
      { routeServer: "rs1", status: "succeeded" },
      { routeServer: "rs2", status: "succeeded" },
    ]);
    for (const server of servers) {
      expect(liveConfig(server)).toContain("protocol bgp pb_c");
      expect(birdc(server, "show", "protocols")).toMatch(/pb_c\d+_v4/);
    }
    const rows = await testDb().selectFrom("deployments").innerJoin("route_servers", "route_servers.id", "deployments.route_server_id").select(["route_servers.name", "deployments.status", "deployments.started_at", "deployments.finished_at", "deployments.log"]).orderBy("deployments.id").execute();
    expect(rows.map((row) => [row.name, row.status])).toEqual([["rs1", "succeeded"], ["rs2", "succeeded"]]);
    expect(rows[1]!.started_at.getTime()).toBeGreaterThanOrEqual(rows[0]!.finished_at!.getTime());
    expect(rows[0]!.log).toContain("bird -p: the new config parses on the route server");
    // Nothing changed: nothing is reloaded.
    expect(await deploy()).toEqual([
      { routeServer: "rs1", status: "unchanged" },
      { routeServer: "rs2", status: "unchanged" },
    ]);
  });

  it("with the second route server unreachable, updates the first, leaves the second untouched, fails with the reason; a retry completes it", async () => {
    await deploy();
    const before2 = liveConfig(servers[1]!);
    await addProvisionedConnection(2000);
    await stopSshd(servers[1]!);
    await expect(deploy()).rejects.toThrow(/deployment to rs2 failed: SSH to root@127\.0\.0\.1:\d+ failed/);
    expect(liveConfig(servers[0]!)).toContain("AS2000");
    expect(liveConfig(servers[1]!)).toBe(before2);
    const failed = await testDb().selectFrom("deployments").select(["status", "error"]).orderBy("id", "desc").executeTakeFirstOrThrow();
    expect(failed.status).toBe("failed");
    expect(failed.error).toMatch(/ECONNREFUSED|connect/);

    await startSshd(servers[1]!);
    expect(await deploy()).toEqual([
      { routeServer: "rs1", status: "unchanged" },
      { routeServer: "rs2", status: "succeeded" },
    ]);
    expect(liveConfig(servers[1]!)).toContain("AS2000");
  });

  it("reports a config edited on the host as drift, and the next deployment puts the deployed one back", async () => {
    await deploy();
    const deployed = liveConfig(servers[0]!);
    writeFileSync(path.join(servers[0]!.dir, "bird.conf"), `${deployed}# edited by hand at 3 a.m.\n`);
    const { collectSessionStates } = await import("@/lib/routeserver/sessions");
    const { connectRouteServer } = await import("@/lib/routeserver/registry");
    expect((await collectSessionStates(testDb(), lanId, connectRouteServer)).problems).toEqual([]);
    const drift = await testDb().selectFrom("drift_items").select(["kind", "subject", "resolved_at"]).execute();
    expect(drift).toEqual([{ kind: "route_server_config", subject: "rs1", resolved_at: null }]);

    expect(await deploy()).toEqual([
      { routeServer: "rs1", status: "succeeded" },
      { routeServer: "rs2", status: "unchanged" },
    ]);
    expect(liveConfig(servers[0]!)).toBe(deployed);
    expect((await testDb().selectFrom("drift_items").select(["resolved_at"]).executeTakeFirstOrThrow()).resolved_at).not.toBeNull();
  });

  it("a route server whose SSH is down is recorded as unreadable on it, with its sessions' age, not as a failed look; read again, it clears", async () => {
    await deploy();
    const { collect_session_states } = await import("@/jobs/tasks/collect_session_states");
    const { renderMetrics } = await import("@/lib/metrics");
    const reads = () => testDb().selectFrom("route_servers").select(["name", "read_at", "read_error", "read_error_since"]).orderBy("name").execute();
    const look = () => collect_session_states({ lanId }, {} as never);
    await look();
    const [rs1, rs2] = await reads();
    expect(rs2).toMatchObject({ read_error: null, read_error_since: null });
    expect(rs2!.read_at).not.toBeNull();
    const sessionsOfRs2 = await testDb().selectFrom("bgp_sessions").innerJoin("route_servers", "route_servers.id", "bgp_sessions.route_server_id").select(["info"]).where("route_servers.name", "=", "rs2").execute();
    expect(sessionsOfRs2.length).toBeGreaterThan(0);

    await stopSshd(servers[1]!);
    // The look ends well (the job is not failed): rs1 is read, rs2 says why it is not.
    await expect(look()).resolves.toBeUndefined();
    const [rs1Now, rs2Down] = await reads();
    expect(rs1Now).toMatchObject({ read_error: null });
    expect(rs1Now!.read_at!.getTime()).toBeGreaterThanOrEqual(rs1!.read_at!.getTime());
    expect(rs2Down!.read_error).toMatch(/SSH to root@127\.0\.0\.1:\d+ failed/);
    expect(rs2Down!.read_error_since).not.toBeNull();
    expect(rs2Down!.read_at).toEqual(rs2!.read_at);
    // What rs2 said last is kept, as of read_at.
    expect(await testDb().selectFrom("bgp_sessions").innerJoin("route_servers", "route_servers.id", "bgp_sessions.route_server_id").select(["info"]).where("route_servers.name", "=", "rs2").execute()).toEqual(sessionsOfRs2);
    // The API says the same to automation.
    const { listRouteServersDto } = await import("@/lib/api/v1");
    expect((await listRouteServersDto(testDb())).find((server) => server.name === "rs2")).toMatchObject({
      readError: rs2Down!.read_error,
      unreadableSince: rs2Down!.read_error_since!.toISOString(),
      readAt: rs2!.read_at!.toISOString(),
    });
    const { body } = await renderMetrics(testDb(), async () => ({ ready: true }));
    expect(body).toContain('ztix_route_server_unreadable_seconds{route_server="rs1"} 0');
    expect(body).toMatch(/ztix_route_server_unreadable_seconds\{route_server="rs2"\} (?!0\n)\d/);

    // Still down: since when stays the first failed look.
    await look();
    expect((await reads())[1]!.read_error_since).toEqual(rs2Down!.read_error_since);

    await startSshd(servers[1]!);
    await look();
    const [, rs2Up] = await reads();
    expect(rs2Up).toMatchObject({ read_error: null, read_error_since: null });
    expect(rs2Up!.read_at!.getTime()).toBeGreaterThan(rs2!.read_at!.getTime());
  });

  it("never activates a config that fails bird -p on the route server; the previous one stays live", async () => {
    await deploy();
    const live = liveConfig(servers[0]!);
    const { sshTransport } = await import("@/lib/routeserver/transport");
    const { deployConfig } = await import("@/lib/routeserver/deploy");
    const transport = await sshTransport({ host: "127.0.0.1", port: servers[0]!.port, username: "root", privateKeyFile: path.join(dir, "client_key"), hostKeyFingerprint: servers[0]!.fingerprint });
    try {
      await expect(
        deployConfig(transport, { configPath: path.join(servers[0]!.dir, "bird.conf"), controlSocket: path.join(servers[0]!.dir, "bird.ctl"), birdPath: "bird", birdcPath: "birdc" }, "router id 192.0.2.1;\nprotocol bgp rs {\n}\n", () => undefined),
      ).rejects.toThrow(/bird -p refused the new config at line 2/);
    } finally {
      await transport.close();
    }
    expect(liveConfig(servers[0]!)).toBe(live);
    expect(existsSync(path.join(servers[0]!.dir, "bird.conf.ztix-new"))).toBe(false);
    expect(birdc(servers[0]!, "show", "status")).toContain("Daemon is up and running");
    expect(birdc(servers[0]!, "show", "protocols")).toMatch(/pb_c\d+_v4/);
  });

  it("refuses a host whose key does not match the pinned one, before uploading anything", async () => {
    await testDb().updateTable("route_servers").set({ host_key_fingerprint: servers[1]!.fingerprint }).where("name", "=", "rs1").execute();
    const before = liveConfig(servers[0]!);
    await expect(deploy()).rejects.toThrow(/deployment to rs1 failed: host key of 127\.0\.0\.1:\d+ is SHA256:\S+, not the pinned SHA256/);
    expect(liveConfig(servers[0]!)).toBe(before);
    expect(existsSync(path.join(servers[0]!.dir, "bird.conf.ztix-new"))).toBe(false);
    // The fan-out stopped: rs2 was not touched either.
    expect(liveConfig(servers[1]!)).not.toContain("protocol bgp");
  });

  it("reads each route server's RTR sessions (for its page and the dashboard): Established with a cache, not once it stops", async () => {
    // A real RTR cache on this host's loopback, on a port of this test's own range.
    const rtrPort = 3257;
    writeFileSync(path.join(dir, "vrps.json"), JSON.stringify({ roas: [{ prefix: "11.1.0.0/16", maxLength: 24, asn: "AS1000" }] }));
    const cache = spawn("stayrtr", ["-bind", `127.0.0.1:${rtrPort}`, "-cache", path.join(dir, "vrps.json"), "-checktime=false", "-metrics.addr", `127.0.0.1:${rtrPort + 1}`], { stdio: "ignore" });
    try {
      await waitForPort(rtrPort);
      await testDb().updateTable("lans").set({ rpki_servers: JSON.stringify([{ host: "127.0.0.1", port: rtrPort }]) }).where("id", "=", lanId).execute();
      await deploy();
      const { collectRtrStates, rtrStatesOf } = await import("@/lib/routeserver/rtr-state");
      const { connectRouteServer } = await import("@/lib/routeserver/registry");
      const ids = (await testDb().selectFrom("route_servers").select("id").orderBy("id").execute()).map((row) => row.id);
      const infos = async () => {
        expect((await collectRtrStates(testDb(), lanId, connectRouteServer)).problems).toEqual([]);
        return Promise.all(ids.map(async (id) => (await rtrStatesOf(testDb(), id))!.states.map((entry) => `${entry.name} ${entry.info}`)));
      };
      let seen: string[][] = [[]];
      for (let i = 0; i < 60 && !seen.every((states) => states.length === 1 && states[0] === "rpki_1 Established"); i++) {
        if (i > 0) await new Promise((resolve) => setTimeout(resolve, 500));
        seen = await infos();
      }
      expect(seen).toEqual([["rpki_1 Established"], ["rpki_1 Established"]]);

      cache.kill("SIGKILL");
      for (let i = 0; i < 60 && seen.some((states) => states[0] === "rpki_1 Established"); i++) {
        await new Promise((resolve) => setTimeout(resolve, 500));
        seen = await infos();
      }
      expect(seen.flat().every((state) => state.startsWith("rpki_1 ") && !state.endsWith("Established"))).toBe(true);
      expect((await rtrStatesOf(testDb(), ids[0]!))!.checkedAt).not.toBeNull();
    } finally {
      cache.kill("SIGKILL");
    }
  }, 120_000);
});
