/**
 * Portal pages under load: 2,000 connections, the production build served by `next start`, an
 * operator session, and autocannon (a real HTTP load generator) on the connections list and a
 * connection's page. Prints latency percentiles and throughput. Needs a build (npm run build).
 * Run: npm run bench:pages -- [seconds] [connections]
 */
import { spawn } from "node:child_process";
import autocannon from "autocannon";
import { baseDatabase } from "../tests/support/base-database";
import { createTestDatabase, dropTestDatabase } from "../tests/support/database";

const seconds = Number(process.argv[2] ?? 10);
const connections = Number(process.argv[3] ?? 2000);
const port = 3180;
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
await sql`
  insert into connections (lan_id, asn, zt_node_id, state, ipv4_address, ipv6_address)
  select ${lan.id}, 64500 + (n % 500), lpad(to_hex(n + 1), 10, '0'),
         (array['requested','provisioned','active','removed'])[1 + n % 4],
         ('10.64.0.0'::inet + n + 11), ('2001:db8:ffff::'::inet + n + 11)
    from generate_series(0, ${connections - 1}) n`.execute(db);
const middle = await db.selectFrom("connections").select("id").orderBy("id").offset(Math.floor(connections / 2)).limit(1).executeTakeFirstOrThrow();

const server = spawn(process.execPath, ["--import", "./scripts/socket-address.mjs", "node_modules/next/dist/bin/next", "start", "--port", String(port)], {
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

for (const [name, path] of [
  ["connections list (50 of 2,000)", "/connections"],
  ["connection page", `/connections/${middle.id}`],
] as const) {
  const result = await autocannon({ url: `${url}${path}`, connections: 10, duration: seconds, headers: { cookie: session } });
  const statuses = Object.entries(result.statusCodeStats ?? {}).map(([code, stat]) => `${code}×${(stat as { count: number }).count}`).join(" ");
  console.log(
    `${name}: ${result.requests.average.toFixed(1)} req/s, latency p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, max ${result.latency.max} ms (10 concurrent, ${seconds} s; ${statuses})`,
  );
}

server.kill("SIGTERM");
await closeDb();
await dropTestDatabase(base.url, scratch.name);
await base.stop();
