/**
 * Member upserts against the controller simulator at 0 % and 20 % injected 429s.
 * Prints p50/p99 latency, retries and duplicate effects. Run: npm run bench:zerotier -- [count]
 */
import { createZeroTierProvider } from "../lib/zerotier";
import { createLanNetwork } from "../lib/zerotier/network-setup";
import { startZeroTierSimulator } from "../simulators/zerotier/server";

const count = Number(process.argv[2] ?? 300);

function percentile(sorted: number[], p: number) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

const sim = await startZeroTierSimulator({});
for (const rate of [0, 0.2]) {
  sim.reset();
  let retries = 0;
  const provider = createZeroTierProvider({
    provider: "self_hosted_controller",
    controllerUrl: sim.controllerUrl,
    controllerToken: sim.token,
    centralUrl: "",
    retry: { maxAttempts: 10, maxTotalMs: 60_000, baseDelayMs: 5, maxDelayMs: 50 },
    onRetry: () => void retries++,
  });
  const { networkId } = await createLanNetwork(provider, { name: "bench", ipv4Prefix: "10.64.0.0/16", ipv6Prefix: "2001:db8:ffff::/64", mtu: 2800 });
  sim.setFaults({ rate429: rate, retryAfter: "none" });
  const latencies: number[] = [];
  for (let i = 0; i < count; i++) {
    const nodeId = (0xb000000000 + i).toString(16);
    const started = performance.now();
    await provider.upsertMember(networkId, nodeId, { authorized: true, ipAssignments: [`10.64.${Math.floor(i / 250)}.${(i % 250) + 1}`], noAutoAssignIps: true });
    latencies.push(performance.now() - started);
  }
  sim.setFaults({ rate429: 0 });
  const members = await provider.listMembers(networkId);
  const duplicates = members.filter((member) => member.revision !== 1).length + Math.max(0, members.length - count);
  latencies.sort((a, b) => a - b);
  console.log(
    `429 rate ${String(rate * 100).padStart(2)} %: ${count} upserts, p50 ${percentile(latencies, 50).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms, ` +
      `retries ${retries}, throttled answers ${sim.counters.throttled}, members ${members.length}, duplicate effects ${duplicates}`,
  );
}
await sim.close();
