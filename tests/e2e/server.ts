/**
 * Playwright's web server: a fresh database on the test PostgreSQL (DATABASE_URL, or an embedded
 * one under .data/test), then the real start supervisor (`npm start`'s code) against it.
 */
import { spawn } from "node:child_process";
import path from "node:path";
import { baseDatabase } from "../support/base-database";
import { createTestDatabase, dropTestDatabase } from "../support/database";

const base = await baseDatabase();
const database = await createTestDatabase(base.url, "ztix_e2e");

const supervisor = spawn(process.execPath, ["--conditions=react-server", "--import", "tsx", path.resolve("scripts/start.ts")], {
  stdio: "inherit",
  env: {
    ...process.env,
    DATABASE_URL: database.url,
    PORT: process.env.E2E_PORT ?? "3100",
    NEXTAUTH_URL: `http://127.0.0.1:${process.env.E2E_PORT ?? "3100"}`,
    ZTIX_DATA_DIR: path.resolve(".data", "e2e"),
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
  await dropTestDatabase(base.url, database.name).catch(() => undefined);
  await base.stop();
  process.exit(code);
}
supervisor.once("exit", (code) => void cleanUp(code ?? 1));
process.on("SIGTERM", () => void cleanUp(0));
process.on("SIGINT", () => void cleanUp(0));
