/**
 * Member upserts through the provider against the controller simulator, at 0 % and 20 % injected
 * 429s (Retry-After: 0.02 s). Prints p50/p99 latency per upsert (readiness, POST, read-back
 * included), retries, and duplicate effects: members created vs expected, revisions beyond 1,
 * writes applied vs expected. Figures only: nothing about time is asserted.
 * Run: npm run bench:zerotier -- [count]   (or npx tsx bench/zerotier-upserts.ts [count])
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

// lib/zerotier is server-only: outside the react-server condition, run again inside it.
try {
  await import("server-only");
} catch {
  const rerun = spawnSync(process.execPath, ["--conditions=react-server", "--import", "tsx", fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: "inherit" });
  process.exit(rerun.status ?? 1);
}

const { createZeroTierProvider } = await import("../lib/zerotier");
const { createLanNetwork } = await import("../lib/zerotier/network-setup");
const { startZeroTierSimulator } = await import("../simulators/zerotier/server");

const count = Number(process.argv[2] ?? 300);
if (!Number.isInteger(count) || count < 1 || count > 60_000) throw new Error(`count must be 1 to 60000, not ${process.argv[2]}`);

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
const nodeId = (i: number) => (0xb000000000 + i).toString(16);
const address = (i: number) => `10.64.${Math.floor(i / 250)}.${(i % 250) + 1}`;

const sim = await startZeroTierSimulator({ seed: 1 });
const rows: Record<string, string | number>[] = [];
try {
  for (const rate of [0, 0.2]) {
    sim.reset();
    let retries = 0;
    const provider = createZeroTierProvider({
      provider: "self_hosted_controller",
      controllerUrl: sim.controllerUrl,
      controllerToken: sim.token,
      centralUrl: "",
      retry: { maxAttempts: 10, maxTotalMs: 60_000, baseDelayMs: 10, maxDelayMs: 200 },
      onRetry: () => void retries++,
    });
    const { networkId } = await createLanNetwork(provider, { name: "bench", ipv4Prefix: "10.64.0.0/16", ipv6Prefix: "2001:db8:ffff::/64", mtu: 2800 });
    sim.resetCounters();
    sim.setFaults({ rate429: rate, retryAfter: "seconds", retryAfterSeconds: 0.02 });

    const latencies: number[] = [];
    let failed = 0;
    const started = performance.now();
    for (let i = 0; i < count; i++) {
      const begin = performance.now();
      try {
        await provider.upsertMember(networkId, nodeId(i), { authorized: true, ipAssignments: [address(i)], noAutoAssignIps: true });
      } catch (error) {
        failed++;
        if (failed === 1) console.error(`first failure: ${error instanceof Error ? error.message : String(error)}`);
      }
      latencies.push(performance.now() - begin);
    }
    const seconds = (performance.now() - started) / 1000;
    const { requests, throttled, mutatingRequests, mutations } = sim.counters;
    sim.setFaults({ rate429: 0 });

    const members = await provider.listMembers(networkId);
    const expected = new Set(Array.from({ length: count }, (_, i) => nodeId(i)));
    const wrong = members.filter((member) => !expected.has(member.nodeId) || !member.authorized || member.ipAssignments.join() !== address(parseInt(member.nodeId, 16) - 0xb000000000)).length;
    latencies.sort((a, b) => a - b);
    rows.push({
      "429 rate": `${rate * 100} %`,
      upserts: count,
      failed,
      "p50 ms": percentile(latencies, 50).toFixed(2),
      "p99 ms": percentile(latencies, 99).toFixed(2),
      "upserts/s": (count / seconds).toFixed(0),
      requests,
      "429s": throttled,
      retries,
      "POSTs sent": mutatingRequests,
      "members (expected)": `${members.length} (${count})`,
      "wrong members": wrong,
      "revisions > 1": members.reduce((sum, member) => sum + (member.revision - 1), 0),
      "writes (expected)": `${mutations} (${count})`,
    });
  }
} finally {
  await sim.close();
}
console.log(`ZeroTier member upserts against the controller simulator (${count} per run; Retry-After 0.02 s on 429)`);
console.table(rows);
