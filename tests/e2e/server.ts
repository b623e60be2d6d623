/**
 * Playwright's web server: a fresh database on the test PostgreSQL (DATABASE_URL, or an embedded
 * one under .data/test), then the real start supervisor (`npm start`'s code) against it.
 */
import { execFile, spawn } from "node:child_process";
import { promisify } from "node:util";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { startPeeringDbSimulator } from "../../simulators/peeringdb/server";
import { startZeroTierSimulator } from "../../simulators/zerotier/server";
import { baseDatabase } from "../support/base-database";
import { createTestDatabase, dropTestDatabase } from "../support/database";

const base = await baseDatabase();
const database = await createTestDatabase(base.url, "ztix_e2e");
const port = process.env.E2E_PORT ?? "3100";
const portalUrl = `http://127.0.0.1:${port}`;
const peeringDb = await startPeeringDbSimulator({ port: Number(process.env.E2E_PEERINGDB_PORT ?? 3190), redirectUris: [`${portalUrl}/api/auth/callback/peeringdb`] });

const zerotier = await startZeroTierSimulator({ port: Number(process.env.E2E_ZEROTIER_PORT ?? 3191) });

// Tests read this to reach the database and the simulators behind the portal's back.
const dataDir = path.resolve(".data", "e2e");
mkdirSync(dataDir, { recursive: true });
writeFileSync(
  path.join(dataDir, "state.json"),
  JSON.stringify({ databaseUrl: database.url, peeringDbUrl: peeringDb.url, zerotierUrl: zerotier.url, zerotierToken: zerotier.token }),
);
const simulatorEnv = {
  PEERINGDB_AUTH_URL: peeringDb.authUrl,
  PEERINGDB_API_URL: peeringDb.apiUrl,
  PEERINGDB_CLIENT_ID: peeringDb.clientId,
  PEERINGDB_CLIENT_SECRET: peeringDb.clientSecret,
  ZT_CONTROLLER_URL: zerotier.controllerUrl,
  ZT_CONTROLLER_TOKEN: zerotier.token,
};

// One peering LAN, made the way an operator makes it (asynchronously: the simulators live here).
await promisify(execFile)(
  process.execPath,
  ["--conditions=react-server", "--import", "tsx", "cli/index.ts", "lans", "create", "--name", "e2e-lan", "--ipv4", "192.0.2.0/24", "--ipv6", "2001:db8:ffff::/64", "--rs-asn", "64496", "--create-network"],
  { env: { ...process.env, ...simulatorEnv, DATABASE_URL: database.url } },
);


const supervisor = spawn(process.execPath, ["--conditions=react-server", "--import", "tsx", path.resolve("scripts/start.ts")], {
  stdio: "inherit",
  env: {
    ...process.env,
    DATABASE_URL: database.url,
    PORT: port,
    NEXTAUTH_URL: portalUrl,
    ZTIX_DATA_DIR: dataDir,
    ...simulatorEnv,
    ZTIX_API_RATE_LIMIT: process.env.E2E_API_RATE_LIMIT ?? "100",
    // Within Playwright's 30 s for the web server to stop.
    ZTIX_STOP_GRACE_SECONDS: "10",
  },
});

let cleaning = false;
async function cleanUp(code: number) {
  if (cleaning) return;
  cleaning = true;
  if (supervisor.exitCode === null) {
    supervisor.kill("SIGTERM");
    await new Promise((resolve) => supervisor.once("exit", resolve));
  }
  await peeringDb.close().catch(() => undefined);
  await zerotier.close().catch(() => undefined);
  await dropTestDatabase(base.url, database.name).catch(() => undefined);
  await base.stop();
  process.exit(code);
}
supervisor.once("exit", (code) => void cleanUp(code ?? 1));
process.on("SIGTERM", () => void cleanUp(0));
process.on("SIGINT", () => void cleanUp(0));
