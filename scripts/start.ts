/**
 * `npm start`: the whole portal in one process tree.
 *   1. validate the configuration (one message listing every problem),
 *   2. PostgreSQL: DATABASE_URL, or the embedded cluster under .data/,
 *   3. migrations (ztix and graphile-worker),
 *   4. `next build` when the build is missing or older than the sources,
 *   5. the web server (`next start` in ZTIX_WEB_PROCESSES processes on one port) and one worker process,
 * and on Ctrl-C, SIGTERM, SIGHUP (terminal closed) or when the process that started it goes away
 * (a SIGKILLed npm): the web server stops accepting, running jobs get ZTIX_STOP_GRACE_SECONDS to
 * finish (the worker then releases the rest for the next start), then the embedded database
 * stops; exit status 0. When the embedded PostgreSQL dies and cannot be restarted (child.ts
 * restarts it a few times), everything stops with one line: never a portal on a dead database.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";
import pg from "pg";
import { startEmbeddedPostgres, type EmbeddedPostgres } from "@/db/embedded";
import { migrateToLatest } from "@/db/migrate";
import { ConfigError, getConfig } from "@/lib/config";
import { dataDir } from "@/lib/database-url";
import { loadEnvFiles } from "@/lib/load-env";
import { onStopSignal } from "@/lib/stop-signals";
import { loadSecretKey } from "@/lib/secrets";

const root = process.cwd();
const say = (message: string) => process.stderr.write(`ztix: ${message}\n`);

/** The session-signing secret: from the environment, else generated once and kept in .data/. */
async function nextAuthSecret(dir: string, production: boolean) {
  if (process.env.NEXTAUTH_SECRET) return process.env.NEXTAUTH_SECRET;
  if (production) throw new ConfigError(["NEXTAUTH_SECRET: is required when NODE_ENV=production"]);
  const file = path.join(dir, "nextauth-secret");
  if (existsSync(file)) return (await readFile(file, "utf8")).trim();
  const secret = randomBytes(32).toString("base64url");
  await writeFile(file, `${secret}\n`, { mode: 0o600 });
  say(`generated NEXTAUTH_SECRET in ${path.relative(root, file)} (set NEXTAUTH_SECRET in production)`);
  return secret;
}

const buildInputs = ["app", "lib", "db", "jobs", "public", "cli"];
const buildFiles = ["package.json", "package-lock.json", "next.config.ts", "tsconfig.json", "postcss.config.mjs", "proxy.ts"];

async function listFiles(dir: string): Promise<string[]> {
  if (!existsSync(dir)) return [];
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(
    entries.map((entry) => {
      const full = path.join(dir, entry.name);
      return entry.isDirectory() ? listFiles(full) : Promise.resolve([full]);
    }),
  );
  return nested.flat();
}

/** A fingerprint of everything the build depends on. */
async function sourceFingerprint() {
  const hash = createHash("sha256");
  const files = [
    ...(await Promise.all(buildInputs.map((dir) => listFiles(path.join(root, dir))))).flat(),
    ...buildFiles.map((file) => path.join(root, file)).filter((file) => existsSync(file)),
  ].sort();
  for (const file of files) {
    hash.update(path.relative(root, file));
    hash.update("\0");
    hash.update(await readFile(file));
    hash.update("\0");
  }
  return hash.digest("hex");
}

/** Short-lived helpers (the build): a stop ends them too. */
const helpers = new Set<ChildProcess>();

function runToCompletion(command: string, args: string[], env: NodeJS.ProcessEnv) {
  return new Promise<void>((resolve, reject) => {
    const child = spawn(command, args, { stdio: "inherit", env });
    helpers.add(child);
    child.once("exit", () => helpers.delete(child));
    child.once("error", reject);
    child.once("exit", (code, signal) =>
      code === 0 ? resolve() : reject(new Error(`${path.basename(args[0] ?? command)} ${args[1] ?? ""} failed (${signal ?? `exit ${code}`})`)),
    );
  });
}

async function buildIfStale(env: NodeJS.ProcessEnv) {
  const stampFile = path.join(root, ".next", "ztix-source-fingerprint");
  const fingerprint = await sourceFingerprint();
  const built = existsSync(path.join(root, ".next", "BUILD_ID")) && existsSync(stampFile);
  if (built && readFileSync(stampFile, "utf8").trim() === fingerprint) return;
  say(built ? "sources changed since the last build: building" : "no production build yet: building (takes a minute or two)");
  await runToCompletion(process.execPath, [nextBin, "build"], { ...env, NODE_ENV: "production" });
  await writeFile(stampFile, `${fingerprint}\n`);
}

/** No account yet: say, once per start, how to create the first admin (never a default password). */
async function adviseFirstAdmin(databaseUrl: string) {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ count: string }>("select count(*) from users");
    if (Number(rows[0]?.count) === 0) {
      say("no accounts yet. Create the first admin (you choose the password):");
      say("  npm run cli -- users create --username admin --role admin");
    }
  } finally {
    await client.end();
  }
}

const nextBin = path.join(root, "node_modules", "next", "dist", "bin", "next");
// Preloaded into the web server and the worker: they stop when this supervisor is gone.
const exitWithParent = path.join(root, "scripts", "exit-with-parent.mjs");
const webServer = path.join(root, "scripts", "web-server.mjs");
const socketAddressPreload = pathToFileURL(path.join(root, "scripts", "socket-address.mjs")).href;

function waitForExit(child: ChildProcess, ms: number) {
  return new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      resolve();
    }, ms);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

async function main() {
  // The demo's portal runs on its own embedded PostgreSQL: a developer's DATABASE_URL in .env
  // must not point it at their database (npm run demo unsets the variable; .env would set it again).
  loadEnvFiles(root, { ignore: process.env.ZTIX_DEMO === "1" ? ["DATABASE_URL"] : [] });
  const config = getConfig();
  const dir = dataDir();
  await mkdir(dir, { recursive: true });
  const secret = await nextAuthSecret(dir, config.NODE_ENV === "production");
  const graceMs = config.ZTIX_STOP_GRACE_SECONDS * 1000;
  // The key for secrets at rest: ZTIX_SECRET_KEY, else (outside production) the data directory's.
  // Resolved here because web and worker run with NODE_ENV=production, where it is required.
  const secretKey = loadSecretKey({ ...process.env, NODE_ENV: config.NODE_ENV }).bytes.toString("base64");

  let embedded: EmbeddedPostgres | undefined;
  // Each long-running child with how long it may take to stop before it is killed.
  const children: { child: ChildProcess; stopWithinMs: number }[] = [];
  let shuttingDown = false;
  const shutdown = async (code: number) => {
    if (shuttingDown) return;
    shuttingDown = true;
    for (const helper of helpers) helper.kill("SIGTERM");
    for (const { child } of children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    await Promise.all(children.map(({ child, stopWithinMs }) => waitForExit(child, stopWithinMs)));
    if (embedded) await embedded.stop();
    process.exit(code);
  };
  onStopSignal((signal) => {
    if (!shuttingDown) say(`${signal}: stopping (running jobs get up to ${config.ZTIX_STOP_GRACE_SECONDS} s)`);
    void shutdown(0);
  });
  // npm, a shell or a CI runner that started us was killed: do not live on as an orphan.
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid === parent || shuttingDown) return;
    say(`the process that started ztix (pid ${parent}) is gone: stopping`);
    void shutdown(0);
  }, 1_000).unref();

  let databaseUrl = config.DATABASE_URL;
  if (!databaseUrl) {
    say(`DATABASE_URL is not set: starting the embedded PostgreSQL in ${path.relative(root, dir) || "."}/postgres`);
    embedded = await startEmbeddedPostgres({ dataDir: dir, detached: true });
    databaseUrl = embedded.url;
    void embedded.exited.then((code) => {
      if (shuttingDown) return;
      say(`the embedded PostgreSQL stopped and could not be restarted (exit ${code}); stopping everything`);
      void shutdown(1);
    });
  }

  try {
    const migrated = await migrateToLatest(databaseUrl);
    if (migrated.applied.length > 0) say(`applied ${migrated.applied.length} migration(s)`);
    // The demo creates its own accounts right after the start.
    if (process.env.ZTIX_DEMO !== "1") await adviseFirstAdmin(databaseUrl);

    const env: NodeJS.ProcessEnv = {
      ...process.env,
      DATABASE_URL: databaseUrl,
      NEXTAUTH_SECRET: secret,
      ZTIX_SECRET_KEY: secretKey,
      NEXTAUTH_URL: config.NEXTAUTH_URL ?? `http://localhost:${config.PORT}`,
      PORT: String(config.PORT),
    };
    await buildIfStale(env);
    if (shuttingDown) return;

    // The worker may end itself when PostgreSQL goes away mid-job (graphile-worker gives up a pool
    // whose job it could not record); it is started again (its jobs are freed by the new one at
    // once). The web server is started again when something killed it (a SIGKILL, the OOM killer:
    // its processes end with it); when it stops by itself (its own processes kept dying, a bad
    // setting) it said why, and everything stops. Each at most RESTARTS times in RESTART_WINDOW_MS.
    const RESTARTS = 5;
    const RESTART_WINDOW_MS = 10 * 60_000;
    const start = (name: string, args: string[], stopWithinMs: number, restartWhen: (code: number | null, signal: NodeJS.Signals | null) => boolean) => {
      const entry = { child: undefined as unknown as ChildProcess, stopWithinMs };
      const restarts: number[] = [];
      const launch = () => {
        const child = spawn(process.execPath, ["--import", exitWithParent, ...args], { stdio: "inherit", env: { ...env, NODE_ENV: "production" } });
        entry.child = child;
        child.once("exit", (code, signal) => {
          if (shuttingDown) return;
          const now = Date.now();
          while (restarts.length > 0 && now - restarts[0]! > RESTART_WINDOW_MS) restarts.shift();
          if (restartWhen(code, signal) && restarts.length < RESTARTS) {
            restarts.push(now);
            say(`${name} exited unexpectedly (${signal ?? `exit ${code}`}); starting it again (${restarts.length} of ${RESTARTS} in 10 minutes)`);
            setTimeout(() => shuttingDown || launch(), 1_000).unref();
            return;
          }
          say(`${name} exited unexpectedly (${signal ?? `exit ${code}`}); stopping`);
          void shutdown(1);
        });
      };
      launch();
      children.push(entry);
    };
    // The preload stamps each request with its TCP peer: the only client address nobody can forge.
    // One process per core (scripts/web-server.mjs): a single Node.js process renders on one.
    start("web server", ["--import", socketAddressPreload, webServer, "--port", String(config.PORT)], 20_000, (_code, signal) => signal !== null);
    // The worker gives running jobs the grace period, then releases what is left.
    start("worker", ["--conditions=react-server", "--import", "tsx", path.join(root, "jobs", "worker.ts")], graceMs + 20_000, () => true);
    say(`portal on http://localhost:${config.PORT} (health: /api/health); Ctrl-C stops everything`);
  } catch (error) {
    if (shuttingDown) return;
    say(error instanceof Error ? error.message : String(error));
    await shutdown(1);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(error instanceof ConfigError ? `${error.message}\n` : `ztix: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
