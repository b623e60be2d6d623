import "server-only";
import pg from "pg";
import { version } from "./version";
import { HEARTBEAT_STALE_AFTER_MS } from "./worker-heartbeat";

export type ComponentStatus = "ok" | "degraded" | "down";

export type HealthReport = {
  status: ComponentStatus;
  version: string;
  checkedAt: string;
  database: { status: "ok" | "down"; latencyMs?: number; error?: string };
  worker: { status: "ok" | "stale" | "unknown"; lastSeenAt: string | null; running: number };
  /** Present when a controller check was asked for; its outage degrades ztix, it does not stop it. */
  controller?: { status: "ok" | "down"; reason?: string; nodeId?: string; version?: string };
};

export type ControllerReadiness = { ready: true; nodeId?: string; version?: string } | { ready: false; reason: string };

async function checkController(readiness: () => Promise<ControllerReadiness>, timeoutMs: number): Promise<NonNullable<HealthReport["controller"]>> {
  try {
    const result = await withTimeout(readiness(), timeoutMs, "the ZeroTier controller");
    return result.ready ? { status: "ok", nodeId: result.nodeId, version: result.version } : { status: "down", reason: result.reason };
  } catch (error) {
    return { status: "down", reason: error instanceof Error ? error.message : String(error) };
  }
}

class TimeoutError extends Error {}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutError(`${what} did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Checks the database and the worker heartbeat. Bounded in time even when the database hangs:
 * the health pool has short timeouts and the whole check races a timer.
 */
export async function checkHealth(
  pool: pg.Pool,
  options: { timeoutMs?: number; staleAfterMs?: number; controller?: () => Promise<ControllerReadiness> } = {},
): Promise<HealthReport> {
  // The controller is checked alongside the database, not after it.
  const controller = options.controller ? checkController(options.controller, options.timeoutMs ?? 1_500) : Promise.resolve(undefined);
  const timeoutMs = options.timeoutMs ?? 1_500;
  const staleAfterMs = options.staleAfterMs ?? HEARTBEAT_STALE_AFTER_MS;
  const checkedAt = new Date();
  const started = performance.now();
  try {
    const result = await withTimeout(
      pool.query<{ last_seen_at: Date | null; running: string }>(
        `select max(last_seen_at) as last_seen_at,
                count(*) filter (where last_seen_at > now() - $1::int * interval '1 millisecond') as running
           from worker_heartbeats where stopped_at is null`,
        [staleAfterMs],
      ),
      timeoutMs,
      "PostgreSQL",
    );
    const latencyMs = Math.round(performance.now() - started);
    const row = result.rows[0];
    const running = Number(row?.running ?? 0);
    const lastSeenAt = row?.last_seen_at ? row.last_seen_at.toISOString() : null;
    const worker: HealthReport["worker"] = {
      status: running > 0 ? "ok" : lastSeenAt ? "stale" : "unknown",
      lastSeenAt,
      running,
    };
    const controllerStatus = await controller;
    return {
      status: worker.status !== "ok" ? "down" : controllerStatus?.status === "down" ? "degraded" : "ok",
      version,
      checkedAt: checkedAt.toISOString(),
      database: { status: "ok", latencyMs },
      worker,
      ...(controllerStatus ? { controller: controllerStatus } : {}),
    };
  } catch (error) {
    const controllerStatus = await controller;
    return {
      ...(controllerStatus ? { controller: controllerStatus } : {}),
      status: "down",
      version,
      checkedAt: checkedAt.toISOString(),
      database: { status: "down", error: describeDatabaseError(error) },
      worker: { status: "unknown", lastSeenAt: null, running: 0 },
    };
  }
}

function describeDatabaseError(error: unknown): string {
  if (error instanceof TimeoutError) return error.message;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === "ECONNREFUSED") return "PostgreSQL refused the connection (is it running?)";
  if (error instanceof Error && /timeout/i.test(error.message)) return "PostgreSQL did not answer in time";
  return error instanceof Error ? error.message : "PostgreSQL is unreachable";
}

type HealthGlobal = { ztixHealthPool?: { url: string; pool: pg.Pool } };
const holder = globalThis as HealthGlobal;

/** A small pool of its own, so health answers even when the main pool is exhausted. */
export function getHealthPool(): pg.Pool {
  const url = process.env.DATABASE_URL ?? "";
  if (!holder.ztixHealthPool || holder.ztixHealthPool.url !== url) {
    const pool = new pg.Pool({
      connectionString: url,
      max: 2,
      connectionTimeoutMillis: 1_500,
      query_timeout: 1_500,
      idleTimeoutMillis: 10_000,
    });
    pool.on("error", () => undefined);
    pool.on("connect", (client) => client.on("error", () => undefined));
    holder.ztixHealthPool = { url, pool };
  }
  return holder.ztixHealthPool.pool;
}
