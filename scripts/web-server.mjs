/**
 * The web server: `next start` in ZTIX_WEB_PROCESSES processes sharing one port (node:cluster).
 * One Node.js process renders pages on one core; with a process per core the portal uses the
 * machine. Every process is stateless (sessions, rate limits and throttles live in PostgreSQL),
 * so any of them can answer any request.
 *
 * Run: node --import ./scripts/socket-address.mjs scripts/web-server.mjs --port 3000
 * (the preload and other node options reach every process: cluster forks with the same ones).
 *
 * A process that dies is started again, at most RESTARTS times in RESTART_WINDOW_MS; then the whole
 * server stops, so the supervisor (npm start, systemd) sees it. SIGTERM or SIGINT stops every
 * process cleanly; a process whose primary is gone (SIGKILL) stops by itself (node:cluster ends a
 * worker whose channel to the primary closes).
 */
import cluster from "node:cluster";
import { availableParallelism } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const nextBin = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "node_modules", "next", "dist", "bin", "next");
const RESTARTS = 5;
const RESTART_WINDOW_MS = 10 * 60_000;

/** ZTIX_WEB_PROCESSES: a whole number ≥ 1, or unset for one per CPU (at most 8). */
function webProcessCount(value = process.env.ZTIX_WEB_PROCESSES, cpus = availableParallelism()) {
  if (value === undefined || value.trim() === "") return Math.max(1, Math.min(8, cpus));
  const count = Number(value);
  if (!Number.isInteger(count) || count < 1 || count > 64) throw new Error(`ZTIX_WEB_PROCESSES must be a whole number from 1 to 64 (got "${value}")`);
  return count;
}

if (cluster.isPrimary) {
  let count;
  try {
    count = webProcessCount();
  } catch (error) {
    process.stderr.write(`ztix: ${error.message}\n`);
    process.exit(1);
  }
  let stopping = false;
  const restarts = [];
  const stop = (signal) => {
    if (stopping) return;
    stopping = true;
    // Each process finishes what it has in flight (next start's own SIGTERM handling).
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill(signal);
    setTimeout(() => process.exit(process.exitCode ?? 0), 15_000).unref();
  };
  cluster.on("exit", () => {
    if (stopping && Object.keys(cluster.workers ?? {}).length === 0) process.exit(process.exitCode ?? 0);
  });
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGTERM"));
  process.on("SIGHUP", () => stop("SIGTERM"));

  cluster.setupPrimary({ exec: fileURLToPath(import.meta.url), args: process.argv.slice(2) });
  cluster.on("exit", (worker, code, signal) => {
    if (stopping) return;
    const now = Date.now();
    while (restarts.length > 0 && now - restarts[0] > RESTART_WINDOW_MS) restarts.shift();
    if (restarts.length >= RESTARTS) {
      process.stderr.write(`ztix: web process ${worker.process.pid} exited (${signal ?? `exit ${code}`}), the ${RESTARTS + 1}th time in 10 minutes: stopping the web server\n`);
      process.exitCode = 1;
      stop("SIGTERM");
      return;
    }
    restarts.push(now);
    process.stderr.write(`ztix: web process ${worker.process.pid} exited (${signal ?? `exit ${code}`}): starting another\n`);
    cluster.fork();
  });
  for (let i = 0; i < count; i++) cluster.fork();
} else {
  process.argv = [process.argv[0], nextBin, "start", ...process.argv.slice(2)];
  await import(nextBin);
}
