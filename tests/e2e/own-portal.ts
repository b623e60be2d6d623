/**
 * A portal of a test's own, started exactly as an operator starts one (`npm start`), for tests
 * that stop, starve or kill it. Its output goes to a log file the test can read.
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { existsSync, openSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { expect } from "@playwright/test";

export type OwnPortal = {
  npm: ChildProcess;
  url: string;
  /** Resolves with npm's exit status. */
  exited: Promise<number | null>;
  log: () => string;
  /** Kills whatever is left of it (for finally blocks). */
  kill: () => void;
};

/** Ports of a test's own portals: after the e2e server and its simulators, inside the range. */
export function ownPortalPort(offset: number) {
  return Number(process.env.E2E_PORT ?? 3100) + 4 + offset;
}

export function startOwnPortal(options: { port: number; env: Record<string, string>; logFile: string }): OwnPortal {
  const output = openSync(options.logFile, "a");
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(options.port), LOG_LEVEL: "warn", PEERINGDB_API_URL: "http://127.0.0.1:9/api", ...options.env };
  delete env.NEXTAUTH_URL;
  if (options.env.DATABASE_URL === undefined) delete env.DATABASE_URL;
  // Its own process group, so a failed test can clean up all of it.
  const npm = spawn("npm", ["start"], { env, detached: true, stdio: ["ignore", output, output] });
  const exited = new Promise<number | null>((resolve) => npm.once("exit", (code) => resolve(code)));
  return {
    npm,
    url: `http://127.0.0.1:${options.port}`,
    exited,
    log: () => readFileSync(options.logFile, "utf8"),
    kill: () => {
      for (const pid of [npm.pid!, ...descendantsOf(npm.pid!)]) {
        try {
          process.kill(pid, "SIGKILL");
        } catch {
          // already gone
        }
      }
    },
  };
}

export async function waitForHealth(url: string, timeout = 240_000) {
  await expect
    .poll(async () => (await fetch(`${url}/api/health`).catch(() => null))?.status, { timeout, intervals: [1_000] })
    .toBe(200);
}

function stat(pid: number) {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
    return { state: fields[0]!, ppid: Number(fields[1]) };
  } catch {
    return null;
  }
}

/** Every process below `pid` (Linux /proc). */
export function descendantsOf(pid: number): number[] {
  const parents = new Map<number, number>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const info = stat(Number(entry));
    if (info) parents.set(Number(entry), info.ppid);
  }
  const found: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const current = queue.shift()!;
    for (const [child, parent] of parents) {
      if (parent === current && !found.includes(child)) {
        found.push(child);
        queue.push(child);
      }
    }
  }
  return found;
}

/** Those of `pids` still running (a zombie has ended). */
export function stillRunning(pids: number[]) {
  return pids.filter((pid) => {
    const info = stat(pid);
    return info !== null && info.state !== "Z" && info.state !== "X";
  });
}

/** Processes whose command line mentions `needle`. */
export function processesMentioning(needle: string) {
  const found: string[] = [];
  for (const pid of readdirSync("/proc").filter((entry) => /^\d+$/.test(entry))) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ");
      if (cmdline.includes(needle)) found.push(`${pid}: ${cmdline}`);
    } catch {
      // the process ended while we looked
    }
  }
  return found;
}

/** Runs the real CLI against `databaseUrl` (asynchronously: simulators in this process must answer it). */
export async function cliAgainst(databaseUrl: string, args: string[], env: Record<string, string> = {}) {
  const result = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(process.execPath, ["--conditions=react-server", "--import", "tsx", "cli/index.ts", ...args], { env: { ...process.env, ...env, DATABASE_URL: databaseUrl } }, (error, stdout, stderr) =>
      resolve({ code: error ? 1 : 0, stdout: String(stdout), stderr: String(stderr) }),
    );
  });
  expect(result.code, `ztix ${args.join(" ")}: ${result.stderr}`).toBe(0);
  return result.stdout.trim();
}

/** The postmaster's pid of an embedded cluster under `dataDir`. */
export function postmasterPid(dataDir: string) {
  const file = path.join(dataDir, "postgres", "cluster", "postmaster.pid");
  return existsSync(file) ? Number(readFileSync(file, "utf8").split("\n")[0]) : null;
}
