/**
 * `npm run demo`: ztix with simulated outside systems, for a first look. Starts the ZeroTier
 * controller and PeeringDB simulators, the portal (embedded PostgreSQL under .data/demo, or
 * ZTIX_DATA_DIR), then creates a demo LAN, an admin, an operator and three members with their
 * PeeringDB data, a read API key (passwords and key printed once), connections in every state a
 * connection rests in and, where bird2 is installed, a local route server. PORT, ZT_SIM_PORT and
 * PDB_SIM_PORT move it off 3000, 9393 and 9390. While it runs, `npm run cli` reaches its database
 * and simulators (.data/demo-environment.json). Never in production: it refuses NODE_ENV=production.
 */
import { execFile, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { findRunningEmbeddedPostgres } from "../db/embedded";
import { onStopSignal } from "../lib/stop-signals";
import { startPeeringDbSimulator } from "../simulators/peeringdb/server";
import { startZeroTierSimulator } from "../simulators/zerotier/server";
import { demoEnvironmentPath, runningDemo } from "../cli/demo-environment";

if (process.env.NODE_ENV === "production") {
  console.error("ztix demo: refusing to run with NODE_ENV=production (the demo uses simulators, not real systems)");
  process.exit(1);
}

const port = Number(process.env.PORT ?? 3000);
const portalUrl = `http://localhost:${port}`;
const dataDir = path.resolve(process.env.ZTIX_DATA_DIR ?? path.join(".data", "demo"));
mkdirSync(dataDir, { recursive: true });
const say = (message: string) => console.error(`ztix demo: ${message}`);
const run = promisify(execFile);

/** The demo's routers (node ids are fixed, so a restart finds them again). */
const DEMO_ROUTERS = {
  provisioned: "d000000a01",
  refused: "d000000a02",
  waiting: "d000000b01",
  withdrawn: "d000000b02",
  unseen: "d000000c01",
  rejected: "d000000c02",
} as const;
/** The local route server's own ZeroTier node: ztix authorizes it on the demo LAN. */
const DEMO_ROUTE_SERVER_NODE = "d000000e01";

const zerotier = await startZeroTierSimulator({ port: Number(process.env.ZT_SIM_PORT ?? 9393), token: "demo-controller-token" });
// One router the controller refuses (a simulator switch): its connection fails, and Retry fails again.
zerotier.setFaults({ refuseMember: DEMO_ROUTERS.refused });
const peeringDb = await startPeeringDbSimulator({ port: Number(process.env.PDB_SIM_PORT ?? 9390), redirectUris: [`${portalUrl}/api/auth/callback/peeringdb`] });
say(`simulated ZeroTier controller on ${zerotier.url}, simulated PeeringDB on ${peeringDb.url}`);

const env: NodeJS.ProcessEnv = {
  ...process.env,
  ZTIX_DEMO: "1",
  ZTIX_DATA_DIR: dataDir,
  PORT: String(port),
  NEXTAUTH_URL: portalUrl,
  ZT_PROVIDER: "self_hosted_controller",
  ZT_CONTROLLER_URL: zerotier.controllerUrl,
  ZT_CONTROLLER_TOKEN: zerotier.token,
  PEERINGDB_AUTH_URL: peeringDb.authUrl,
  PEERINGDB_API_URL: peeringDb.apiUrl,
  PEERINGDB_CLIENT_ID: peeringDb.clientId,
  PEERINGDB_CLIENT_SECRET: peeringDb.clientSecret,
};
// Its own embedded PostgreSQL, never the developer's database (start.ts skips DATABASE_URL in .env too).
delete env.DATABASE_URL;

const portal = spawn(process.execPath, ["--conditions=react-server", "--import", "tsx", "--import", path.resolve("scripts/exit-with-parent.mjs"), path.resolve("scripts/start.ts")], { env, stdio: "inherit" });
let birdPid: number | null = null;
// Whether .data/demo-environment.json is this demo's (another demo of the project may hold it).
let ownsEnvironmentFile = false;
// The portal stops cleanly (see scripts/start.ts); then the route server and the simulators.
const stop = () => {
  if (portal.exitCode === null) portal.kill("SIGTERM");
};
onStopSignal(stop);
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) stop();
}, 1_000).unref();
portal.once("exit", async (code) => {
  if (ownsEnvironmentFile && runningDemo()?.pid === process.pid) rmSync(demoEnvironmentPath(), { force: true });
  // Read again at exit: bird writes its pid file after it daemonizes, possibly after we looked.
  const birdPidFile = path.join(dataDir, "bird", "bird.pid");
  if (birdPid !== null && existsSync(birdPidFile)) birdPid = Number(readFileSync(birdPidFile, "utf8").trim()) || birdPid;
  if (birdPid) await stopProcess(birdPid);
  await zerotier.close();
  await peeringDb.close();
  process.exit(code ?? 0);
});

// Seed once the portal answers.
for (let i = 0; i < 600; i++) {
  const status = (await fetch(`http://127.0.0.1:${port}/api/health`).catch(() => null))?.status;
  if (status === 200) break;
  await new Promise((resolve) => setTimeout(resolve, 1000));
}
const databaseUrl = findRunningEmbeddedPostgres(dataDir);
if (!databaseUrl) {
  say("the portal did not come up; see its output above");
} else {
  const cli = (args: string[], input?: string) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      const child = execFile(process.execPath, ["--conditions=react-server", "--import", "tsx", "cli/index.ts", ...args], { env: { ...env, DATABASE_URL: databaseUrl } }, (error, stdout, stderr) =>
        resolve({ code: error ? 1 : 0, stdout: String(stdout), stderr: String(stderr) }),
      );
      if (input !== undefined) child.stdin?.end(input);
    });
  // The CLI finds the running demo through this file (removed when the demo stops).
  const cliEnv = Object.fromEntries(
    ["ZT_PROVIDER", "ZT_CONTROLLER_URL", "ZT_CONTROLLER_TOKEN", "PEERINGDB_AUTH_URL", "PEERINGDB_API_URL", "PEERINGDB_CLIENT_ID", "PEERINGDB_CLIENT_SECRET"].map((name) => [name, env[name]]),
  );
  const other = runningDemo();
  if (other && other.pid !== process.pid) {
    say(`another demo (pid ${other.pid}) runs in this project: \`npm run cli\` reaches that one; for this one, set DATABASE_URL=${databaseUrl}`);
  } else {
    mkdirSync(path.dirname(demoEnvironmentPath()), { recursive: true });
    writeFileSync(demoEnvironmentPath(), `${JSON.stringify({ pid: process.pid, env: { DATABASE_URL: databaseUrl, ...cliEnv } }, null, 1)}\n`, { mode: 0o600 });
    ownsEnvironmentFile = true;
  }
  const seededFile = path.join(dataDir, "demo-seeded");
  if (!existsSync(seededFile)) {
    const lan = await cli(["lans", "create", "--name", "demo-lan", "--ipv4", "192.0.2.0/24", "--ipv6", "2001:db8:ffff::/64", "--rs-asn", "64496", "--create-network"]);
    if (lan.code !== 0) say(`could not create the demo LAN: ${lan.stderr.trim()}`);
    const passwords: string[] = [];
    const accounts = [["demo-admin", "admin", null], ["demo-operator", "operator", null], ["demo-member", "member", 64500], ["demo-member2", "member", 64501], ["demo-member3", "member", 64502]] as const;
    for (const [username, role, asn] of accounts) {
      const password = randomBytes(12).toString("base64url");
      const created = await cli(["users", "create", "--username", username, "--role", role, "--password-stdin"], `${password}\n`);
      if (created.code === 0) passwords.push(`  ${username.padEnd(14)} ${password}   (${role}${asn ? `, AS${asn}` : ""})`);
      else say(`could not create ${username}: ${created.stderr.trim()}`);
      if (asn) await cli(["users", "affiliate", "--username", username, "--asn", String(asn)]);
    }
    // Names, as-sets and prefix counts from the (simulated) PeeringDB.
    for (const asn of [64500, 64501, 64502]) await cli(["networks", "refresh", "--asn", String(asn)]);
    const apiKey = await cli(["apikeys", "create", "--name", "demo monitoring", "--scope", "read"]);
    if (apiKey.code === 0) passwords.push(`  API key (read) ${apiKey.stdout.trim()}   (curl -H "X-API-Key: <key>" ${portalUrl}/api/v1/connections)`);
    else say(`could not create the demo API key: ${apiKey.stderr.trim()}`);
    await seedConnections(databaseUrl);
    let birdNote = "bird2 is not installed: no route server (apt-get install bird2 and start the demo afresh)";
    if ((await run("bird", ["--version"]).then(() => true, () => false)) === true) {
      const birdDir = path.join(dataDir, "bird");
      mkdirSync(birdDir, { recursive: true });
      writeFileSync(path.join(birdDir, "bird.conf"), "router id 192.0.2.1;\nprotocol device {}\n");
      // Running before it is added: adding it queues its first deployment, which needs BIRD's socket.
      await startBird(birdDir);
      const added = await cli(["route-servers", "add", "--lan", "demo-lan", "--name", "rs1", "--local", "--ipv4", "192.0.2.1", "--ipv6", "2001:db8:ffff::1", "--router-id", "192.0.2.1", "--zt-node", DEMO_ROUTE_SERVER_NODE, "--config-path", path.join(birdDir, "bird.conf"), "--control-socket", path.join(birdDir, "bird.ctl")]);
      birdNote = added.code === 0 ? `a local BIRD route server (rs1), config in ${path.relative(process.cwd(), birdDir)}` : `route server not added: ${added.stderr.trim()}`;
    }
    writeFileSync(seededFile, `${new Date().toISOString()}\n`);
    console.error(
      [
        "",
        "ztix demo is ready (SIMULATED ZeroTier controller and PeeringDB):",
        `  ${portalUrl}`,
        "  accounts (passwords shown this once):",
        ...passwords,
        ...twoFactorNote(),
        "  or click \"Log in with PeeringDB\": the simulator logs you in as Alex Example (AS64500, AS64501)",
        `  ${birdNote}`,
        "",
      ].join("\n"),
    );
  } else {
    say(`demo data exists (created ${readFileSync(seededFile, "utf8").trim()}); delete ${path.relative(process.cwd(), dataDir)} to start afresh`);
  }
  await showRouters(databaseUrl);
  // The demo's route server runs while the demo does.
  const birdDir = path.join(dataDir, "bird");
  if (birdPid === null && existsSync(path.join(birdDir, "bird.conf"))) await startBird(birdDir);
}

/** The demo's route server, a local bird daemon with its files under birdDir. */
async function startBird(birdDir: string) {
  const started = await run("bird", ["-c", path.join(birdDir, "bird.conf"), "-s", path.join(birdDir, "bird.ctl"), "-P", path.join(birdDir, "bird.pid")]).then(
    () => true,
    () => false,
  );
  if (started) birdPid = existsSync(path.join(birdDir, "bird.pid")) ? Number(readFileSync(path.join(birdDir, "bird.pid"), "utf8").trim()) : 0;
}

/**
 * Connections in every state a connection rests in, made the way people make them (request,
 * approve, reject, withdraw): AS64500 has one router approved (the worker provisions it) and one
 * approved that the controller refuses (failed); AS64501's router has joined and waits for a
 * decision, and it withdrew a request (removed); AS64502 has one request waiting for a router
 * that never joined and one rejected. (Active needs a BGP session with the route server, which a
 * simulated router does not open.)
 */
async function seedConnections(url: string) {
  process.env.DATABASE_URL = url;
  const { getDb } = await import("../db");
  const service = await import("../lib/connections/service");
  const db = getDb();
  const lan = await db.selectFrom("lans").select(["id"]).where("name", "=", "demo-lan").executeTakeFirst();
  if (!lan) return;
  const actor = { type: "cli", label: "demo seed" } as const;
  const userOf = async (username: string) => (await db.selectFrom("users").select("id").where("username", "=", username).executeTakeFirstOrThrow()).id;
  const request = async (username: string, asn: number, ztNodeId: string) =>
    (await service.createConnectionRequest(db, { actor, userId: await userOf(username) }, { asn, lanId: lan.id, ztNodeId, routeServerPeering: true })).id;
  try {
    await service.approveConnection(db, actor, await request("demo-member", 64500, DEMO_ROUTERS.provisioned));
    await service.approveConnection(db, actor, await request("demo-member", 64500, DEMO_ROUTERS.refused));
    await request("demo-member2", 64501, DEMO_ROUTERS.waiting);
    await service.removeConnection(db, actor, await request("demo-member2", 64501, DEMO_ROUTERS.withdrawn));
    await request("demo-member3", 64502, DEMO_ROUTERS.unseen);
    await service.rejectConnection(db, actor, await request("demo-member3", 64502, DEMO_ROUTERS.rejected), "the demo rejects this one: no PeeringDB record for the router's operator");
  } catch (error) {
    say(`could not seed the demo connections: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** On every start (the simulator forgets): the running routers, as the controller node sees them. */
async function showRouters(url: string) {
  process.env.DATABASE_URL = url;
  const { getDb } = await import("../db");
  const lan = await getDb().selectFrom("lans").select("zt_network_id").where("name", "=", "demo-lan").executeTakeFirst();
  if (!lan || !zerotier.network(lan.zt_network_id)) return;
  zerotier.setPeer({ mid: DEMO_ROUTERS.provisioned, nwid: lan.zt_network_id, version: "1.14.1", physicalAddress: "203.0.113.5/9993", latency: 12 });
  zerotier.setPeer({ mid: DEMO_ROUTERS.waiting, nwid: lan.zt_network_id, version: "1.12.2", physicalAddress: "198.51.100.23/21012", latency: 31 });
}

/** Who enrols an authenticator app at the first sign-in (ZTIX_REQUIRE_2FA, as the portal reads it). */
function twoFactorNote() {
  const policy = (process.env.ZTIX_REQUIRE_2FA ?? "").trim() || "staff";
  if (policy === "off") return [];
  const who = policy === "all" ? "every account sets" : "staff (demo-admin, demo-operator) set";
  return [`  ${who} up two-factor sign-in with an authenticator app at the first sign-in (ZTIX_REQUIRE_2FA=${policy})`];
}

/** SIGTERM, then waits (at most 10 s) until the process is gone: the demo leaves nothing running. */
async function stopProcess(pid: number) {
  const alive = () => {
    try {
      process.kill(pid, 0);
    } catch {
      return false;
    }
    // A daemon's zombie waits for whoever adopted it to reap it: it has ended.
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
    } catch {
      return true;
    }
  };
  try {
    process.kill(pid, "SIGTERM");
  } catch {
    return; // already gone
  }
  for (let i = 0; i < 100 && alive(); i++) await new Promise((resolve) => setTimeout(resolve, 100));
}
