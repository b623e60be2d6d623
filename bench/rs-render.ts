/**
 * Route-server config for 2,000 members × 2 families: render time and `bird -p` time.
 * Run: npm run bench:rs-render -- [members]
 */
import { parseCheck } from "../lib/routeserver/bird-check";
import { renderBirdConfig } from "../lib/routeserver/render";
import { DEFAULT_POLICY } from "../lib/routeserver/types";

const count = Number(process.argv[2] ?? 2000);
const members = Array.from({ length: count }, (_, i) => ({
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
  irrPrefixes4: null,
  irrPrefixes6: null,
  bgpPassword: null,
}));
const input = {
  generatedBy: "ztix bench",
  lan: { id: 1, name: "bench", rsAsn: 64496, ipv4Prefix: "10.64.0.0/16", ipv6Prefix: "2001:db8:ffff::/64", rpkiServers: [] },
  routeServer: { id: 1, name: "rs1", routerId: "10.64.0.1", ipv4Address: "10.64.0.1", ipv6Address: "2001:db8:ffff::1", localIncludeDir: null },
  policy: DEFAULT_POLICY,
  members,
};

const renderStarted = performance.now();
const config = renderBirdConfig(input);
const renderMs = performance.now() - renderStarted;
const parseStarted = performance.now();
const parsed = await parseCheck(config);
const parseMs = performance.now() - parseStarted;
console.log(
  `${count} members × 2 families: render ${renderMs.toFixed(0)} ms, ${(config.length / 1024 / 1024).toFixed(1)} MiB, ${config.split("\n").length} lines; ` +
    `bird -p ${parseMs.toFixed(0)} ms (${parsed.ok ? "parses" : `FAILS: ${parsed.message}`})`,
);
