/**
 * Route-server config for 100 to 2,000 members × 2 families: render time (a cold process, and
 * warm), config size, and `bird -p` time with Debian's bird2 (and BIRD 3 when BIRD3_PATH points
 * at one). Members have IRR prefix lists (half of them), RPKI and blackholing are on.
 * Run: npm run bench:rs-render [-- 100 500 …]
 * Targets (2-core machine): 2,000 members render ≤ 200 ms cold; bird2 `bird -p` ≤ 3 s.
 */
import { execFileSync } from "node:child_process";
import { parseCheck } from "../lib/routeserver/bird-check";
import { renderBirdConfig } from "../lib/routeserver/render";
import { DEFAULT_POLICY, type RouteServerRenderInput } from "../lib/routeserver/types";

function benchInput(count: number): RouteServerRenderInput {
  return {
    generatedBy: "ztix bench",
    lan: { id: 1, name: "bench", rsAsn: 64496, ipv4Prefix: "10.64.0.0/16", ipv6Prefix: "2001:db8:ffff::/64", rpkiServers: [{ host: "rtr1.example.net", port: 3323 }, { host: "rtr2.example.net", port: 3323 }], blackholeIpv4: "10.64.255.66", blackholeIpv6: "2001:db8:ffff::66" },
    routeServer: { id: 1, name: "rs1", routerId: "10.64.0.1", ipv4Address: "10.64.0.1", ipv6Address: "2001:db8:ffff::1", localIncludeDir: null },
    policy: DEFAULT_POLICY,
    members: Array.from({ length: count }, (_, i) => ({
      connectionId: i + 1,
      asn: 1000 + i,
      name: `Member ${i}`,
      irrAsSet: `AS-MEMBER${i}`,
      ipv4Address: `10.64.${Math.floor((i + 11) / 250)}.${((i + 11) % 250) + 1}`,
      ipv6Address: `2001:db8:ffff::${(i + 11).toString(16)}`,
      maxPrefix4: 100,
      maxPrefix6: 20,
      maxPrefixOverride4: null,
      maxPrefixOverride6: null,
      irrPrefixes4: i % 2 ? [`11.${i % 250}.0.0/16{16,24}`, `12.${i % 250}.${i % 256}.0/24`] : null,
      irrPrefixes6: i % 2 ? [`2a0a:${i.toString(16)}::/32{32,48}`] : null,
      bgpPassword: null,
    })),
  };
}

const cold = process.argv.indexOf("--cold");
if (cold >= 0) {
  // A fresh process: module loading is done, this is the first render (no JIT warm-up).
  const input = benchInput(Number(process.argv[cold + 1]));
  const started = performance.now();
  const cpu = process.cpuUsage();
  renderBirdConfig(input);
  const used = process.cpuUsage(cpu);
  console.log(JSON.stringify({ ms: performance.now() - started, cpuMs: (used.user + used.system) / 1000 }));
  process.exit(0);
}

const sizes = process.argv.slice(2).map(Number).filter((value) => value > 0);
const bird3 = process.env.BIRD3_PATH;
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
// Wall time, and the CPU time in brackets: on a loaded machine the difference is waiting for a core.
console.log(`members × 2 families | render cold (CPU) | render warm | config | bird2 -p${bird3 ? " | BIRD 3 -p" : ""}`);
for (const count of sizes.length > 0 ? sizes : [100, 500, 1000, 2000]) {
  const coldRun = JSON.parse(execFileSync(process.execPath, [...process.execArgv, import.meta.filename, "--cold", String(count)], { encoding: "utf8" })) as { ms: number; cpuMs: number };
  const input = benchInput(count);
  const runs: number[] = [];
  let config = "";
  for (let i = 0; i < 7; i++) {
    const started = performance.now();
    config = renderBirdConfig(input);
    runs.push(performance.now() - started);
  }
  const warmMs = runs.sort((a, b) => a - b)[3]!;
  const parse = async (birdPath?: string) => {
    const started = performance.now();
    const result = await parseCheck(config, birdPath ? { birdPath } : {});
    return `${seconds(performance.now() - started)}${result.ok ? "" : ` (FAILS: ${result.message})`}`;
  };
  const bird2 = await parse();
  const bird3Result = bird3 ? await parse(bird3) : null;
  console.log(
    `${String(count).padStart(5)} | ${coldRun.ms.toFixed(0).padStart(5)} ms (${coldRun.cpuMs.toFixed(0)} ms) | ${warmMs.toFixed(0).padStart(5)} ms | ${(config.length / 1024 / 1024).toFixed(2)} MiB, ${config.split("\n").length} lines | ${bird2}${bird3Result ? ` | ${bird3Result}` : ""}`,
  );
}
console.log("targets: 2,000 members render ≤ 200 ms cold; bird2 bird -p ≤ 3 s");
