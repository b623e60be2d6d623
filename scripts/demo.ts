/**
 * `npm run demo`: ztix with simulated outside systems, for a first look. Starts the ZeroTier
 * controller and PeeringDB simulators, the portal (embedded PostgreSQL under .data/demo), then
 * creates a demo LAN, an operator and a member (passwords printed once) and, where bird2 is
 * installed, a local route server. Never in production: it refuses NODE_ENV=production.
 */
import { execFile, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { findRunningEmbeddedPostgres } from "../db/embedded";
import { onStopSignal } from "../lib/stop-signals";
import { startPeeringDbSimulator } from "../simulators/peeringdb/server";
import { startZeroTierSimulator } from "../simulators/zerotier/server";

if (process.env.NODE_ENV === "production") {
  console.error("ztix demo: refusing to run with NODE_ENV=production (the demo uses simulators, not real systems)");
  process.exit(1);
}

const port = Number(process.env.PORT ?? 3000);
const portalUrl = `http://localhost:${port}`;
const dataDir = path.resolve(process.env.ZTIX_DATA_DIR ?? path.join(".data", "demo"));
mkdirSync(dataDir, { recursive: true });
const say = (message: string) => console.error(`ztix demo: ${message}`);

const zerotier = await startZeroTierSimulator({ port: Number(process.env.ZT_SIM_PORT ?? 9393), token: "demo-controller-token" });
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
delete env.DATABASE_URL;

const portal = spawn(process.execPath, ["--conditions=react-server", "--import", "tsx", "--import", path.resolve("scripts/exit-with-parent.mjs"), path.resolve("scripts/start.ts")], { env, stdio: "inherit" });
let birdPid: number | null = null;
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
  if (birdPid) {
    try {
      process.kill(birdPid, "SIGTERM");
    } catch {
      // already gone
    }
  }
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
  const run = promisify(execFile);
  const cli = (args: string[], input?: string) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      const child = execFile(process.execPath, ["--conditions=react-server", "--import", "tsx", "cli/index.ts", ...args], { env: { ...env, DATABASE_URL: databaseUrl } }, (error, stdout, stderr) =>
        resolve({ code: error ? 1 : 0, stdout: String(stdout), stderr: String(stderr) }),
      );
      if (input !== undefined) child.stdin?.end(input);
    });
  const seededFile = path.join(dataDir, "demo-seeded");
  if (!existsSync(seededFile)) {
    const lan = await cli(["lans", "create", "--name", "demo-lan", "--ipv4", "192.0.2.0/24", "--ipv6", "2001:db8:ffff::/64", "--rs-asn", "64496", "--create-network"]);
    if (lan.code !== 0) say(`could not create the demo LAN: ${lan.stderr.trim()}`);
    const passwords: string[] = [];
    for (const [username, role] of [["demo-operator", "operator"], ["demo-member", "member"]] as const) {
      const password = randomBytes(12).toString("base64url");
      const created = await cli(["users", "create", "--username", username, "--role", role, "--password-stdin"], `${password}\n`);
      if (created.code === 0) passwords.push(`  ${username.padEnd(14)} ${password}   (${role})`);
    }
    await cli(["users", "affiliate", "--username", "demo-member", "--asn", "64500"]);
    let birdNote = "bird2 is not installed: no route server (apt-get install bird2 and start the demo afresh)";
    if ((await run("bird", ["--version"]).then(() => true, () => false)) === true) {
      const birdDir = path.join(dataDir, "bird");
      mkdirSync(birdDir, { recursive: true });
      writeFileSync(path.join(birdDir, "bird.conf"), "router id 192.0.2.1;\nprotocol device {}\n");
      const added = await cli(["route-servers", "add", "--lan", "demo-lan", "--name", "rs1", "--local", "--ipv4", "192.0.2.1", "--ipv6", "2001:db8:ffff::1", "--router-id", "192.0.2.1", "--config-path", path.join(birdDir, "bird.conf"), "--control-socket", path.join(birdDir, "bird.ctl")]);
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
        "  or click \"Log in with PeeringDB\": the simulator logs you in as Alex Example (AS64500, AS64501)",
        `  ${birdNote}`,
        "",
      ].join("\n"),
    );
  } else {
    say(`demo data exists (created ${readFileSync(seededFile, "utf8").trim()}); delete ${path.relative(process.cwd(), dataDir)} to start afresh`);
  }
  // The demo's route server runs while the demo does.
  const birdDir = path.join(dataDir, "bird");
  if (existsSync(path.join(birdDir, "bird.conf"))) {
    const started = await run("bird", ["-c", path.join(birdDir, "bird.conf"), "-s", path.join(birdDir, "bird.ctl"), "-P", path.join(birdDir, "bird.pid")]).then(() => true, () => false);
    if (started) birdPid = Number(readFileSync(path.join(birdDir, "bird.pid"), "utf8"));
  }
}
