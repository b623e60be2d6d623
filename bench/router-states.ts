/**
 * Router states: one collect_router_states pass over a LAN of N routers (default 2,000) against
 * the controller simulator, with no added latency and with 5 ms per controller request (a
 * controller on another host, or busy). Half the routers run (the simulator knows them as
 * peers). The job runs every minute: a pass must end well inside that. Prints the pass's time,
 * routers per second, controller requests and the most it had in flight. Figures only.
 * Run: npm run bench:router-states -- [routers]
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

// lib/ is server-only: outside the react-server condition, run again inside it.
try {
  await import("server-only");
} catch {
  const rerun = spawnSync(process.execPath, ["--conditions=react-server", "--import", "tsx", fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: "inherit" });
  process.exit(rerun.status ?? 1);
}

const { baseDatabase } = await import("../tests/support/base-database");
const { createTestDatabase, dropTestDatabase } = await import("../tests/support/database");

const count = Number(process.argv[2] ?? 2000);
if (!Number.isInteger(count) || count < 1 || count > 60_000) throw new Error(`routers must be 1 to 60000, not ${process.argv[2]}`);

const base = await baseDatabase();
const scratch = await createTestDatabase(base.url, "ztix_bench_router_states");
process.env.DATABASE_URL = scratch.url;
const { getDb, closeDb } = await import("../db");
const { sql } = await import("kysely");
const { createZeroTierProvider } = await import("../lib/zerotier");
const { createLanNetwork } = await import("../lib/zerotier/network-setup");
const { collectRouterStates } = await import("../lib/router-state/collect");
const { startZeroTierSimulator } = await import("../simulators/zerotier/server");

const sim = await startZeroTierSimulator({ seed: 1 });
const rows: Record<string, string | number>[] = [];
try {
  const provider = createZeroTierProvider({ provider: "self_hosted_controller", controllerUrl: sim.controllerUrl, controllerToken: sim.token, centralUrl: "" });
  const { networkId } = await createLanNetwork(provider, { name: "bench", ipv4Prefix: "10.64.0.0/16", ipv6Prefix: "2001:db8:ffff::/64", mtu: 2800 });
  const db = getDb();
  const lan = await db
    .insertInto("lans")
    .values({ name: "bench", zt_network_id: networkId, ipv4_prefix: "10.64.0.0/16", ipv6_prefix: "2001:db8:ffff::/64", rs_asn: 64496 })
    .returning("id")
    .executeTakeFirstOrThrow();
  await sql`insert into networks (asn, name) select 64500 + n, 'Network ' || n from generate_series(0, 499) n`.execute(db);
  await sql`
    insert into connections (lan_id, asn, zt_node_id, state, ipv4_address, ipv6_address)
    select ${lan.id}, 64500 + (n % 500), lpad(to_hex(n + 1), 10, '0'), 'provisioned', ('10.64.0.0'::inet + n + 11), ('2001:db8:ffff::'::inet + n + 11)
      from generate_series(0, ${count - 1}::int) n`.execute(db);
  for (let n = 0; n < count; n++) {
    const nodeId = (n + 1).toString(16).padStart(10, "0");
    await provider.upsertMember(networkId, nodeId, { authorized: true, ipAssignments: [`10.64.${Math.floor((n + 11) / 256)}.${(n + 11) % 256}`], noAutoAssignIps: true });
    if (n % 2 === 0) sim.setPeer({ mid: nodeId, nwid: networkId, version: "1.14.1", physicalAddress: "203.0.113.5/9993", latency: 8 });
  }

  for (const latencyMs of [0, 5]) {
    sim.setFaults({ latencyMs });
    // Counted by wrapping the reader: the most requests the pass had open at once.
    let open = 0;
    let most = 0;
    const counted = <T>(request: () => Promise<T>) => {
      most = Math.max(most, ++open);
      return request().finally(() => open--);
    };
    const reader = {
      getMember: (network: string, node: string) => counted(() => provider.getMember(network, node)),
      getPeer: (network: string, node: string) => counted(() => provider.getPeer(network, node)),
    };
    sim.resetCounters();
    const started = performance.now();
    const result = await collectRouterStates(db, lan.id, reader);
    const seconds = (performance.now() - started) / 1000;
    const stored = await db.selectFrom("router_states").select((eb) => eb.fn.countAll<string>().as("n")).where("error", "is", null).executeTakeFirstOrThrow();
    rows.push({
      "controller latency": `${latencyMs} ms`,
      routers: count,
      "pass s": seconds.toFixed(2),
      "routers/s": (count / seconds).toFixed(0),
      checked: result.checked,
      problems: result.problems.length,
      "stored without error": Number(stored.n),
      "controller requests": sim.counters.requests,
      "most in flight": most,
    });
  }
} finally {
  await sim.close();
  await closeDb();
  await dropTestDatabase(base.url, scratch.name);
  await base.stop();
}
console.log(`One collect_router_states pass over a LAN of ${count} routers (half running) against the controller simulator`);
console.table(rows);
