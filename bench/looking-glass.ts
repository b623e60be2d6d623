/**
 * The members' looking glass on a BIRD holding 100,000 routes in one session: how long one page
 * takes (first, last, a search), read with birdc and parsed as it streams, and the memory it
 * needs. A local BIRD with a static protocol named like a member session stands in for the route
 * server (needs bird2). Run: npm run bench:looking-glass -- [routes]
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { readRoutePage } from "../lib/routeserver/looking-glass";
import { localTransport } from "../lib/routeserver/transport";

const count = Number(process.argv[2] ?? 100_000);
const dir = mkdtempSync(path.join(os.tmpdir(), "ztix-lg-bench-"));
const routes = Array.from({ length: count }, (_, i) => `  route ${10 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}.0/24 blackhole { bgp_path.prepend(1000); bgp_path.prepend(${64500 + (i % 7)}); };`);
writeFileSync(path.join(dir, "bird.conf"), `router id 192.0.2.1;\nprotocol device {}\nprotocol static pb_c1_v4 {\n  ipv4;\n${routes.join("\n")}\n}\n`);
const socket = path.join(dir, "bird.ctl");
try {
  execFileSync("bird", ["-c", path.join(dir, "bird.conf"), "-s", socket, "-P", path.join(dir, "bird.pid")]);
  for (let i = 0; i < 600; i++) {
    const count = execFileSync("birdc", ["-s", socket, "show", "route", "count"], { encoding: "utf8" });
    if (new RegExp(`\\b${routes.length} of ${routes.length} routes`).test(count)) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const target = { birdcPath: "birdc", controlSocket: socket, rsAsn: 64496 };
  for (const [label, options] of [
    ["first page", { query: "", page: 1 }],
    ["last page", { query: "", page: Math.ceil(count / 50) }],
    ["search by address", { query: "10.1.2.3", page: 1 }],
    ["search by AS path", { query: "64503 1000", page: 3 }],
  ] as const) {
    const started = performance.now();
    const result = await readRoutePage(localTransport(), target, "pb_c1_v4", { kind: "accepted", ...options });
    console.log(`${label}: ${(performance.now() - started).toFixed(0)} ms (${result.total} routes, ${result.matched} matching, ${result.routes.length} kept; rss ${(process.memoryUsage().rss / 1024 / 1024).toFixed(0)} MiB)`);
  }
} finally {
  try {
    process.kill(Number(readFileSync(path.join(dir, "bird.pid"), "utf8")), "SIGTERM");
  } catch {
    // not started
  }
  rmSync(dir, { recursive: true, force: true });
}
