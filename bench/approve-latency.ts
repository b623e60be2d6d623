/**
 * Approve → member authorized on the controller simulator: p50/p99 over many runs, through the
 * real path (approval transaction, graphile-worker job, provider, simulator).
 * Run: npm run bench:approve -- [runs]   (DATABASE_URL's server, else the embedded test cluster)
 */
import { baseDatabase } from "../tests/support/base-database";
import { createTestDatabase, dropTestDatabase } from "../tests/support/database";
import { startPeeringDbSimulator } from "../simulators/peeringdb/server";
import { startZeroTierSimulator } from "../simulators/zerotier/server";

const runs = Number(process.argv[2] ?? 50);
const base = await baseDatabase();
const scratch = await createTestDatabase(base.url, "ztix_bench");
const sim = await startZeroTierSimulator({});
// Requests enqueue a PeeringDB refresh: it must reach the simulator, never the real PeeringDB.
const peeringDb = await startPeeringDbSimulator({});
process.env.PEERINGDB_API_URL = peeringDb.apiUrl;
process.env.DATABASE_URL = scratch.url;
process.env.ZT_CONTROLLER_URL = sim.controllerUrl;
process.env.ZT_CONTROLLER_TOKEN = sim.token;
process.env.LOG_LEVEL = "warn";

const { getDb, closeDb } = await import("../db");
const { startWorker } = await import("../jobs/runner");
const { createLan } = await import("../lib/lans");
const { getZeroTierProvider } = await import("../lib/zerotier/client");
const { approveConnection, createConnectionRequest } = await import("../lib/connections/service");

const actor = { type: "cli" as const, label: "bench" };
const lan = await createLan(getDb(), getZeroTierProvider(), { name: "bench", ipv4: "10.64.0.0/16", ipv6: "2001:db8:ffff::/64", rsAsn: 64496 }, { create: true }, actor);
const worker = await startWorker({ databaseUrl: scratch.url, concurrency: 4 });

const latencies: number[] = [];
for (let i = 0; i < runs; i++) {
  const nodeId = (0xa100000000 + i).toString(16);
  const { id } = await createConnectionRequest(getDb(), { actor, userId: null }, { asn: 64500 + (i % 50), lanId: lan.id, ztNodeId: nodeId, routeServerPeering: true });
  const started = performance.now();
  await approveConnection(getDb(), actor, id);
  while (!sim.member(lan.zt_network_id, nodeId)?.authorized) await new Promise((resolve) => setTimeout(resolve, 5));
  latencies.push(performance.now() - started);
}
latencies.sort((a, b) => a - b);
const at = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))]!.toFixed(1);
console.log(`approve → authorized on the controller: ${runs} runs, p50 ${at(50)} ms, p99 ${at(99)} ms, max ${latencies.at(-1)!.toFixed(1)} ms`);

await worker.stop();
await closeDb();
await sim.close();
await peeringDb.close();
await dropTestDatabase(base.url, scratch.name);
await base.stop();
