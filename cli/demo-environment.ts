import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { loadEnvFiles } from "@/lib/load-env";

/** Where a running `npm run demo` leaves its database and simulator addresses for the CLI. */
export const demoEnvironmentPath = (cwd = process.cwd()) => path.resolve(cwd, ".data", "demo-environment.json");

/** The demo that left its addresses in the project, while that process still runs; else null. */
export function runningDemo(cwd = process.cwd()): { pid: number; env: Record<string, unknown> } | null {
  const file = demoEnvironmentPath(cwd);
  if (!existsSync(file)) return null;
  let state: { pid?: unknown; env?: unknown };
  try {
    state = JSON.parse(readFileSync(file, "utf8")) as typeof state;
  } catch {
    return null;
  }
  if (!state || typeof state.pid !== "number" || !state.env || typeof state.env !== "object") return null;
  try {
    // Signal 0 only asks whether the demo process still exists.
    process.kill(state.pid, 0);
  } catch {
    return null;
  }
  return { pid: state.pid, env: state.env as Record<string, unknown> };
}

/**
 * While a demo runs, a CLI without DATABASE_URL or ZTIX_DATA_DIR talks to the demo (its database
 * and simulators), not to an empty `.data`. Returns true when it did; variables already set win.
 */
export function applyRunningDemo(env: Record<string, string | undefined> = process.env, cwd = process.cwd()): boolean {
  if (env.DATABASE_URL || env.ZTIX_DATA_DIR) return false;
  const demo = runningDemo(cwd);
  if (!demo) return false;
  for (const [name, value] of Object.entries(demo.env)) {
    if (typeof value === "string" && env[name] === undefined) env[name] = value;
  }
  return true;
}

/**
 * The CLI's environment: while a demo runs in this project, its database and simulators (unless
 * the shell sets DATABASE_URL or ZTIX_DATA_DIR), then the `.env` files for the rest. The demo
 * comes first: a `.env` DATABASE_URL names the operator's own database, which the demo's portal
 * ignores too. Returns true when the demo's were taken.
 */
export function loadCliEnvironment(cwd = process.cwd()): boolean {
  const demo = applyRunningDemo(process.env, cwd);
  loadEnvFiles(cwd);
  return demo;
}
