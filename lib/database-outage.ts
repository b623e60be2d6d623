/**
 * Pages while PostgreSQL is unreachable: a page render cannot set its own status, so proxy.ts
 * asks here first and answers a clear 503 page instead of a generic error. The database is
 * probed at most once a second per process (a `select 1` with a 1 s bound), so a healthy
 * portal pays next to nothing and a recovered database is noticed within a second.
 */
import pg from "pg";
import { DATABASE_RETRY_AFTER_SECONDS } from "./database-errors";

const PROBE_EVERY_MS = 1_000;

type ProbeState = { url: string; pool: pg.Pool; up: boolean; checkedAt: number; probing?: Promise<boolean> };
const holder = globalThis as { ztixDatabaseProbe?: ProbeState };

function state(url: string): ProbeState {
  if (!holder.ztixDatabaseProbe || holder.ztixDatabaseProbe.url !== url) {
    const pool = new pg.Pool({ connectionString: url, max: 1, connectionTimeoutMillis: 1_000, query_timeout: 1_000, idleTimeoutMillis: 30_000 });
    pool.on("error", () => undefined);
    pool.on("connect", (client) => client.on("error", () => undefined));
    holder.ztixDatabaseProbe = { url, pool, up: true, checkedAt: 0 };
  }
  return holder.ztixDatabaseProbe;
}

/** Whether PostgreSQL answered within the last second (probing when that is not known). */
export async function databaseReachable(): Promise<boolean> {
  const url = process.env.DATABASE_URL;
  if (!url) return true;
  const probe = state(url);
  if (Date.now() - probe.checkedAt < PROBE_EVERY_MS) return probe.up;
  probe.probing ??= probe.pool
    .query("select 1")
    .then(
      () => true,
      () => false,
    )
    .then((up) => {
      probe.up = up;
      probe.checkedAt = Date.now();
      probe.probing = undefined;
      return up;
    });
  return probe.probing;
}

const page = (nonce: string) => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="refresh" content="${DATABASE_RETRY_AFTER_SECONDS * 2}">
<title>Database unavailable · ztix</title>
<style nonce="${nonce}">
  body { font-family: system-ui, sans-serif; margin: 0; min-height: 100vh; display: grid; place-items: center; background: #f8fafc; color: #0f172a; }
  main { max-width: 32rem; padding: 2rem; }
  h1 { font-size: 1.25rem; margin: 0 0 0.75rem; }
  p { line-height: 1.5; color: #334155; }
</style>
</head>
<body>
<main>
  <h1>The database is unavailable</h1>
  <p>ztix cannot reach its PostgreSQL database at the moment, so this page cannot be shown. Nothing you submitted was lost or half-saved.</p>
  <p>This page reloads by itself and the portal answers again as soon as the database is back. Operators: <code>/api/health</code> says what is down.</p>
</main>
</body>
</html>
`;

/** The 503 page shown instead of any page while the database is unreachable. */
export function databaseUnavailablePage(nonce: string) {
  return new Response(page(nonce), {
    status: 503,
    headers: { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store", "Retry-After": String(DATABASE_RETRY_AFTER_SECONDS) },
  });
}
