/**
 * A worker SIGKILLed in the middle of a deployment to a real BIRD over a real sshd (the test's own
 * sshd and BIRD, as in rs-deploy.integration.test.ts), with BIRD held by SIGSTOP so that
 * `birdc configure` hangs: nothing it started survives it, the deployment is recorded
 * `interrupted`, and the next worker deploys the LAN again so the route server runs the latest config.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { enqueueJob } from "@/jobs/enqueue";
import { closeDb, resetDatabase, testDb } from "../support/db";
import { createLanRow } from "../support/fixtures";
import { processesMatching, startWorkerProcess, waitFor, type WorkerProcess } from "../support/worker-process";

const dir = mkdtempSync(path.join(os.tmpdir(), "ztix-deploy-crash-"));
const controlSocket = path.join(dir, "bird.ctl");
const configPath = path.join(dir, "bird.conf");
const birdPidFile = path.join(dir, "bird.pid");
let sshd: ChildProcess | undefined;
let sshPort = 0;
let hostKey = "";
const workers: WorkerProcess[] = [];

const birdPid = () => Number(readFileSync(birdPidFile, "utf8").trim());
const birdc = (...command: string[]) => spawnSync("birdc", ["-s", controlSocket, ...command], { encoding: "utf8", timeout: 20_000 }).stdout;

function freePort() {
  return new Promise<number>((resolve) => {
    const probe = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

async function provisionedConnection(lanId: number, n: number) {
  const asn = 1000 * n;
  await testDb().insertInto("networks").values({ asn, name: `Network ${asn}` }).onConflict((oc) => oc.doNothing()).execute();
  return testDb()
    .insertInto("connections")
    .values({ lan_id: lanId, asn, zt_node_id: (0xe200000000 + n).toString(16), state: "provisioned", ipv4_address: `192.0.2.${20 + n}`, ipv6_address: `2001:db8:ffff::${20 + n}` })
    .returning("id")
    .executeTakeFirstOrThrow();
}

const deployments = () => testDb().selectFrom("deployments").select(["id", "status", "error", "log", "sha256"]).orderBy("id").execute();

describe("a worker killed during a deployment", () => {
  beforeAll(async () => {
    await resetDatabase();
    mkdirSync("/run/sshd", { recursive: true });
    execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", path.join(dir, "client_key")]);
    execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", path.join(dir, "host_key")]);
    hostKey = execFileSync("ssh-keygen", ["-l", "-E", "sha256", "-f", path.join(dir, "host_key.pub")], { encoding: "utf8" }).split(" ")[1]!;
    sshPort = await freePort();
    writeFileSync(path.join(dir, "authorized_keys"), readFileSync(path.join(dir, "client_key.pub")));
    writeFileSync(
      path.join(dir, "sshd_config"),
      [`Port ${sshPort}`, "ListenAddress 127.0.0.1", `HostKey ${path.join(dir, "host_key")}`, `AuthorizedKeysFile ${path.join(dir, "authorized_keys")}`, `PidFile ${path.join(dir, "sshd.pid")}`, "PermitRootLogin prohibit-password", "PasswordAuthentication no", "KbdInteractiveAuthentication no", "UsePAM no", "StrictModes no", "Subsystem sftp internal-sftp", ""].join("\n"),
    );
    sshd = spawn(existsSync("/usr/sbin/sshd") ? "/usr/sbin/sshd" : "sshd", ["-D", "-e", "-f", path.join(dir, "sshd_config")], { stdio: "ignore" });
    await waitFor("sshd to listen", () => new Promise<boolean>((resolve) => {
      const socket = net.connect(sshPort, "127.0.0.1", () => (socket.end(), resolve(true)));
      socket.on("error", () => resolve(false));
    }), 20_000, 100);
    writeFileSync(configPath, "router id 192.0.2.1;\nprotocol device {}\n");
    execFileSync("bird", ["-c", configPath, "-s", controlSocket, "-P", birdPidFile]);
  });
  afterEach(async (context) => {
    for (const started of workers.splice(0)) {
      await started.kill("SIGKILL");
      if (context.task.result?.state === "fail") console.log(started.output().slice(-4000));
    }
  });
  afterAll(async () => {
    try {
      process.kill(birdPid(), "SIGCONT");
      process.kill(birdPid(), "SIGTERM");
    } catch {
      // already gone
    }
    if (sshd && sshd.exitCode === null) {
      const exited = new Promise((resolve) => sshd!.once("exit", resolve));
      sshd.kill("SIGTERM");
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
    await closeDb();
  });

  it(
    "leaves no child process behind, is recorded interrupted, and a new deployment puts the latest config in place",
    async () => {
      const lan = await createLanRow({ reserved: 10 });
      const { addRouteServer } = await import("@/lib/routeserver/registry");
      await addRouteServer(
        testDb(),
        { lan: String(lan.id), name: "rs1", sshHost: "127.0.0.1", sshPort, sshUser: "root", hostKey, ipv4: "192.0.2.1", ipv6: "2001:db8:ffff::1", routerId: "192.0.2.1", configPath, controlSocket, deployOrder: 1 },
        { type: "cli", label: "test" },
      );
      await provisionedConnection(lan.id, 1);
      const env = { DATABASE_URL: process.env.DATABASE_URL!, RS_SSH_KEY_FILE: path.join(dir, "client_key") };

      const first = startWorkerProcess(env);
      workers.push(first);
      try {
        process.kill(birdPid(), "SIGSTOP");
        await enqueueJob(testDb(), "deploy_route_servers", { lanId: lan.id, reason: "test" }, { jobKey: `deploy_route_servers:${lan.id}`, jobKeyMode: "replace", maxAttempts: 5 });
        // The config is in place and `birdc configure` waits on the stopped BIRD.
        await waitFor("the deployment to reach birdc configure", async () => (await deployments()).find((row) => row.status === "running" && /installed /.test(row.log)), 60_000, 200);
        await waitFor("birdc configure to run", async () => (await processesMatching(`${controlSocket} configure`)).length > 0, 20_000, 100);
        await first.kill("SIGKILL");
        // Nothing the dead worker started is left: no birdc, no bird -p, no tether shell.
        await waitFor("its child processes to end", async () => (await processesMatching(controlSocket)).every((found) => found.pid === birdPid()) && (await processesMatching("ztix-tether")).length === 0, 20_000, 200);
      } finally {
        process.kill(birdPid(), "SIGCONT");
      }
      expect((await deployments()).map((row) => row.status)).toEqual(["running"]);

      // The latest config: one more connection while no worker runs.
      const latest = await provisionedConnection(lan.id, 2);
      const second = startWorkerProcess(env);
      workers.push(second);
      const done = await waitFor("a new deployment to succeed", async () => {
        const rows = await deployments();
        return rows.some((row) => row.status === "succeeded") ? rows : undefined;
      }, 60_000, 250);
      expect(done.map((row) => row.status)).toEqual(["interrupted", "succeeded"]);
      expect(done[0]!.error).toMatch(/interrupted: the worker running this deployment died before it finished/);
      expect(done[0]!.log).toMatch(/installed .*\n.*interrupted/);

      const live = readFileSync(configPath, "utf8");
      expect(createHash("sha256").update(live).digest("hex")).toBe(done[1]!.sha256);
      expect(live).toContain("AS2000");
      // BIRD runs it, not only the file on disk: the newest connection's sessions exist.
      expect(birdc("show", "protocols")).toContain(`pb_c${latest.id}_v4`);
      expect(birdc("show", "status")).toContain("Daemon is up and running");
    },
    240_000,
  );
});
