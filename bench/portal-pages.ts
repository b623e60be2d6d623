/**
 * Portal pages under load: the production build served by `next start`, an operator session, and
 * autocannon (a real HTTP load generator) at 20 concurrent on the login page, the connections
 * list with 2,000 connections, a connection's page, and the connections list again with 20,000
 * connections. Prints p50/p95/p99 latency and throughput side by side, and the connections list's
 * throughput as a share of the login page's (the target: p95 ≤ 150 ms, ≥ 50 %).
 * Needs a build (npm run build).
 * Run: npm run bench:pages -- [seconds per page] [port]
 */
import { spawn } from "node:child_process";
import os from "node:os";
import autocannon from "autocannon";
import { baseDatabase } from "../tests/support/base-database";
import { createTestDatabase, dropTestDatabase } from "../tests/support/database";

const seconds = Number(process.argv[2] ?? 10);
const port = Number(process.argv[3] ?? 3180);
const concurrency = 20;
const base = await baseDatabase();
const scratch = await createTestDatabase(base.url, "ztix_bench_pages");
process.env.DATABASE_URL = scratch.url;

const { getDb, closeDb } = await import("../db");
const { sql } = await import("kysely");
const { createLocalUser } = await import("../lib/users");
const db = getDb();
await createLocalUser(db, { username: "bench-operator", role: "operator", password: "a long bench passphrase" }, { type: "cli", label: "bench" });
const lan = await db
  .insertInto("lans")
  .values({ name: "bench", zt_network_id: "c771ace7ed000001", ipv4_prefix: "10.64.0.0/16", ipv6_prefix: "2001:db8:ffff::/64", rs_asn: 64496 })
  .returning("id")
  .executeTakeFirstOrThrow();
await sql`insert into networks (asn, name) select 64500 + n, 'Network ' || n from generate_series(0, 499) n`.execute(db);
async function seedConnections(from: number, to: number) {
  await sql`
    insert into connections (lan_id, asn, zt_node_id, state, ipv4_address, ipv6_address)
    select ${lan.id}, 64500 + (n % 500), lpad(to_hex(n + 1), 10, '0'),
           (array['requested','provisioned','active','removed'])[1 + n % 4],
           ('10.64.0.0'::inet + n + 11), ('2001:db8:ffff::'::inet + n + 11)
      from generate_series(${from}::int, ${to - 1}::int) n`.execute(db);
  await sql`analyze connections`.execute(db);
}
await seedConnections(0, 2000);
const middle = await db.selectFrom("connections").select("id").orderBy("id").offset(1000).limit(1).executeTakeFirstOrThrow();

const server = spawn(process.execPath, ["node_modules/next/dist/bin/next", "start", "--port", String(port)], {
  env: { ...process.env, NODE_ENV: "production", NEXTAUTH_SECRET: "bench-secret-bench-secret-bench-secret!", NEXTAUTH_URL: `http://127.0.0.1:${port}`, LOG_LEVEL: "warn" },
  stdio: "ignore",
});
const url = `http://127.0.0.1:${port}`;
for (let i = 0; i < 120; i++) {
  if ((await fetch(`${url}/api/health`).catch(() => null))?.status) break;
  await new Promise((resolve) => setTimeout(resolve, 500));
}

// Sign in the way the login form does (next-auth's credentials callback), keep the cookie.
const csrf = await fetch(`${url}/api/auth/csrf`);
const cookies = (csrf.headers.getSetCookie?.() ?? []).map((cookie) => cookie.split(";")[0]).join("; ");
const { csrfToken } = (await csrf.json()) as { csrfToken: string };
const login = await fetch(`${url}/api/auth/callback/credentials`, {
  method: "POST",
  redirect: "manual",
  headers: { "Content-Type": "application/x-www-form-urlencoded", Cookie: cookies },
  body: new URLSearchParams({ csrfToken, username: "bench-operator", password: "a long bench passphrase", json: "true" }),
});
const session = [cookies, ...(login.headers.getSetCookie?.() ?? []).map((cookie) => cookie.split(";")[0])].join("; ");
if (!session.includes("session-token")) throw new Error("bench could not sign in");

type Figures = { name: string; rps: number; p50: number; p95: number; p99: number; bytes: number; statuses: string };

/** One page under load; percentiles from every response's own latency (autocannon has no p95). */
async function measure(name: string, path: string, cookie?: string): Promise<Figures> {
  // Warm up (compiles nothing in production, but fills caches and the connection pool).
  await autocannon({ url: `${url}${path}`, connections: 4, duration: 2, headers: cookie ? { cookie } : {} });
  const latencies: number[] = [];
  let bytes = 0;
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon({ url: `${url}${path}`, connections: concurrency, duration: seconds, headers: cookie ? { cookie } : {} }, (error, done) =>
      error ? reject(error) : resolve(done),
    );
    instance.on("response", (_client, _status, resBytes, responseTime) => {
      latencies.push(responseTime);
      bytes = resBytes;
    });
  });
  latencies.sort((a, b) => a - b);
  const at = (q: number) => Math.round(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN);
  const statuses = Object.entries(result.statusCodeStats ?? {}).map(([code, stat]) => `${code}×${(stat as { count: number }).count}`).join(" ");
  return { name, rps: latencies.length / seconds, p50: at(0.5), p95: at(0.95), p99: at(0.99), bytes, statuses };
}

const figures: Figures[] = [];
figures.push(await measure("login page", "/login"));
figures.push(await measure("connections list (2,000)", "/connections", session));
figures.push(await measure("connection page", `/connections/${middle.id}`, session));
await seedConnections(2000, 20000);
figures.push(await measure("connections list (20,000)", "/connections", session));

const login1 = figures[0]!.rps;
console.log(`\n${concurrency} concurrent, ${seconds} s per page, ${os.cpus().length} CPUs, load average ${os.loadavg().map((load) => load.toFixed(2)).join(" ")}`);
console.log("page                        req/s   p50 ms  p95 ms  p99 ms  bytes   vs login  statuses");
for (const row of figures) {
  console.log(
    `${row.name.padEnd(27)} ${row.rps.toFixed(1).padStart(6)} ${String(row.p50).padStart(8)} ${String(row.p95).padStart(7)} ${String(row.p99).padStart(7)} ${String(row.bytes).padStart(7)} ${`${Math.round((100 * row.rps) / login1)} %`.padStart(9)}  ${row.statuses}`,
  );
}
for (const row of figures.filter((entry) => entry.name.startsWith("connections list"))) {
  const ok = row.p95 <= 150 && row.rps >= login1 / 2;
  console.log(`target (${row.name}: p95 ≤ 150 ms, ≥ 50 % of login's req/s): ${ok ? "met" : "NOT met"}`);
}

server.kill("SIGTERM");
await closeDb();
await dropTestDatabase(base.url, scratch.name);
await base.stop();
