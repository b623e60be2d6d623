/**
 * Connection requests and approvals through the API handlers with N in flight, while a worker
 * runs the jobs they enqueue (provisioning on the controller simulator, PeeringDB refreshes on
 * its simulator): every answer's status, latency figures, and whether any job was enqueued twice
 * or lost. Run: npm run bench:concurrent-writes -- [requests=2000] [inFlight=16]
 * (DATABASE_URL's server, else the embedded test cluster; a scratch database, dropped after.)
 */
import { baseDatabase } from "../tests/support/base-database";
import { createTestDatabase, dropTestDatabase } from "../tests/support/database";
import { startPeeringDbSimulator } from "../simulators/peeringdb/server";
import { startZeroTierSimulator } from "../simulators/zerotier/server";

const total = Number(process.argv[2] ?? 2000);
const inFlight = Number(process.argv[3] ?? 16);
const base = await baseDatabase();
const scratch = await createTestDatabase(base.url, "ztix_bench");
const sim = await startZeroTierSimulator({});
const peeringDb = await startPeeringDbSimulator({});
process.env.PEERINGDB_API_URL = peeringDb.apiUrl;
process.env.DATABASE_URL = scratch.url;
process.env.ZT_CONTROLLER_URL = sim.controllerUrl;
process.env.ZT_CONTROLLER_TOKEN = sim.token;
process.env.ZTIX_API_RATE_LIMIT = "100000000";
process.env.LOG_LEVEL = "error";

const { sql } = await import("kysely");
const { getDb, closeDb } = await import("../db");
const { startWorker } = await import("../jobs/runner");
const { createLan } = await import("../lib/lans");
const { createApiKey } = await import("../lib/api/keys");
const { getZeroTierProvider } = await import("../lib/zerotier/client");
const { POST: createRoute } = await import("../app/api/v1/connections/route");
const { POST: approveRoute } = await import("../app/api/v1/connections/[id]/approve/route");

const actor = { type: "cli" as const, label: "bench" };
const lan = await createLan(getDb(), getZeroTierProvider(), { name: "bench", ipv4: "10.64.0.0/16", ipv6: "2001:db8:ffff::/64", rsAsn: 64496 }, { create: true }, actor);
const { key } = await createApiKey(getDb(), { name: "bench", scope: "admin" }, actor);
const worker = await startWorker({ databaseUrl: scratch.url, concurrency: 4 });

async function call(handler: typeof createRoute, path: string, body: unknown, params: Record<string, string> = {}) {
  const started = performance.now();
  const response = await handler(new Request(`http://bench${path}`, { method: "POST", headers: { "X-API-Key": key, "Content-Type": "application/json" }, body: JSON.stringify(body) }), { params: Promise.resolve(params) });
  const json = (await response.json()) as { data?: { id: number }; error?: { code: string } };
  return { status: response.status, json, ms: performance.now() - started };
}

const statuses = new Map<string, number>();
const latencies: number[] = [];
const count = (label: string) => statuses.set(label, (statuses.get(label) ?? 0) + 1);
let next = 0;
const benchStarted = performance.now();
await Promise.all(
  Array.from({ length: inFlight }, async () => {
    while (next < total) {
      const i = next++;
      // Every ASN asks twice (two routers), so refreshes of the same network collide too.
      const created = await call(createRoute, "/api/v1/connections", { asn: 4_200_000_000 + (i % Math.ceil(total / 2)), lan: lan.id, ztNodeId: (0xa100000000 + i).toString(16) });
      latencies.push(created.ms);
      count(`create ${created.status}${created.json.error ? ` ${created.json.error.code}` : ""}`);
      if (created.status !== 201) continue;
      const id = String(created.json.data!.id);
      const approved = await call(approveRoute as typeof createRoute, `/api/v1/connections/${id}/approve`, {}, { id });
      latencies.push(approved.ms);
      count(`approve ${approved.status}${approved.json.error ? ` ${approved.json.error.code}` : ""}`);
    }
  }),
);
const seconds = (performance.now() - benchStarted) / 1000;

// Every approved connection is provisioned once: wait for the worker to drain the queue.
const drainStarted = performance.now();
for (;;) {
  const pending = await sql<{ n: number }>`select count(*)::int as n from connections where state <> 'provisioned'`.execute(getDb());
  if (pending.rows[0]!.n === 0 || performance.now() - drainStarted > 600_000) break;
  await new Promise((resolve) => setTimeout(resolve, 500));
}
const drainSeconds = (performance.now() - drainStarted) / 1000;
const states = await sql<{ state: string; n: number }>`select state, count(*)::int as n from connections group by state order by state`.execute(getDb());
const audits = await sql<{ action: string; n: number }>`select action, count(*)::int as n from audit_events where action in ('connection.requested', 'connection.approved', 'connection.provisioned') group by action order by action`.execute(getDb());
const authorized = sim.members(lan.zt_network_id).filter((member) => member.authorized).length;
const memberWrites = Object.entries(sim.counters.byRoute).filter(([route]) => route.startsWith("POST") && route.includes("/member/")).reduce((sum, [, n]) => sum + n, 0);

latencies.sort((a, b) => a - b);
const at = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))]!.toFixed(1);
console.log(`${total} requests + approvals, ${inFlight} in flight: ${seconds.toFixed(1)} s, ${(latencies.length / seconds).toFixed(0)} API calls/s; latency p50 ${at(50)} ms, p99 ${at(99)} ms, max ${latencies.at(-1)!.toFixed(1)} ms`);
console.log(`answers: ${[...statuses.entries()].sort().map(([label, n]) => `${label}: ${n}`).join(", ")}`);
console.log(`connections: ${states.rows.map((row) => `${row.state} ${row.n}`).join(", ")} (queue drained in ${drainSeconds.toFixed(1)} s)`);
console.log(`audit: ${audits.rows.map((row) => `${row.action} ${row.n}`).join(", ")}`);
console.log(`controller: ${authorized} members authorized, ${memberWrites} member writes`);
const lost = total - (states.rows.find((row) => row.state === "provisioned")?.n ?? 0);
console.log(`lost: ${lost}, non-2xx answers: ${[...statuses.entries()].filter(([label]) => !/ 2\d\d/.test(label)).reduce((sum, [, n]) => sum + n, 0)}`);

await worker.stop();
await closeDb();
await sim.close();
await peeringDb.close();
await dropTestDatabase(base.url, scratch.name);
