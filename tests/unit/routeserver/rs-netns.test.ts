/**
 * A real route server in a lab: network namespaces for the route server and two members, joined
 * by a Linux bridge (standing in for the ZeroTier LAN), each running Debian's BIRD. The route
 * server runs the rendered configuration and checks RPKI against a real RTR cache (Debian's
 * stayrtr serving a local VRP file, on the route server's own loopback). Needs root, iproute2,
 * bird2 and stayrtr (installed by .ci/run).
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderBirdConfig } from "@/lib/routeserver/render";
import { parseRtrStates } from "@/lib/routeserver/rtr-state";
import { DEFAULT_POLICY } from "@/lib/routeserver/types";
import { netnsLab, until } from "../../support/netns-lab";
import { member } from "../../support/rs-fixtures";

const hosts = { rs: "192.0.2.1", m1: "192.0.2.11", m2: "192.0.2.12" } as const;
const lab = netnsLab("r", ["rs", "m1", "m2"]);
const dir = lab.dir;
const blackhole = "192.0.2.66";
// The route server's BIRD: Debian's bird2, or another build (e.g. BIRD 3) named by BIRD3_PATH.
const routeServerBird = process.env.BIRD3_PATH ?? "bird";
// The RTR cache's data (rpki-client's JSON format): member A (AS1000) holds 11.1.0.0/16 up to /24
// and 11.4.0.0/16 exactly; 11.3.0.0/16 belongs to AS9999; nothing covers 11.6.0.0/16.
const vrps = {
  roas: [
    { prefix: "11.1.0.0/16", maxLength: 24, asn: "AS1000" },
    { prefix: "11.3.0.0/16", maxLength: 24, asn: "AS9999" },
    { prefix: "11.4.0.0/16", maxLength: 16, asn: "AS1000" },
  ],
};
let rtrCache: ChildProcess | null = null;
const birdc = lab.birdc;

describe("route server in network namespaces (real BIRD)", () => {
  beforeAll(async () => {
    lab.bridge();
    for (const host of ["rs", "m1", "m2"] as const) lab.attach(host, hosts[host]);

    writeFileSync(path.join(dir, "vrps.json"), JSON.stringify(vrps));
    rtrCache = spawn(
      "ip",
      ["netns", "exec", lab.ns.rs, "stayrtr", "-bind", "127.0.0.1:3323", "-cache", path.join(dir, "vrps.json"), "-checktime=false", "-metrics.addr", "127.0.0.1:9847"],
      { stdio: ["ignore", "ignore", "ignore"] },
    );

    // BIRD retries a failed RTR connection only after its retry interval: start with a listening cache.
    await until(() => lab.inNs("rs", "ss", ["-ltnH", "sport", "=", ":3323"]), (out) => out.includes("3323"), "stayrtr to listen", 60);

    const config = renderBirdConfig({
      generatedBy: "ztix lab test",
      lan: { id: 1, name: "lab", rsAsn: 64496, ipv4Prefix: "192.0.2.0/24", ipv6Prefix: "2001:db8:ffff::/64", rpkiServers: [{ host: "127.0.0.1", port: 3323 }], blackholeIpv4: blackhole },
      routeServer: { id: 1, name: "rs1", routerId: hosts.rs, ipv4Address: hosts.rs, ipv6Address: null, localIncludeDir: null },
      policy: DEFAULT_POLICY,
      members: [
        // Member A's IRR prefix list: everything in 11.0.0.0/8 from /16 to /24.
        member({ connectionId: 1, asn: 1000, name: "Member A", ipv4Address: hosts.m1, ipv6Address: null, irrPrefixes4: ["11.0.0.0/8{16,24}"] }),
        member({ connectionId: 2, asn: 2000, name: "Member B", ipv4Address: hosts.m2, ipv6Address: null }),
      ],
    }).replace("log syslog all;", `log "${lab.file("rs", "log")}" all;`);
    lab.startBird("rs", config, routeServerBird);
    lab.startBird(
      "m1",
      lab.memberConfig("m1", {
        address: hosts.m1,
        asn: 1000,
        routeServer: hosts.rs,
        rsClient: true,
        statics: [
          "route 11.1.1.0/24 blackhole;   # valid",
          "route 10.1.0.0/24 blackhole;   # bogon",
          "route 11.1.2.0/25 blackhole;   # too long",
          "route 11.1.4.0/24 via 192.0.2.99;   # someone else's next hop",
          "route 11.1.5.0/24 blackhole;   # first AS is not member A's",
          "route 12.0.0.0/24 blackhole;   # outside member A's IRR prefix list",
          "route 11.3.0.0/24 blackhole;   # RPKI invalid: AS9999's space",
          "route 11.4.1.0/24 blackhole;   # RPKI invalid: longer than the ROA allows",
          "route 11.6.0.0/24 blackhole;   # RPKI not found",
          "route 11.1.1.66/32 blackhole;   # blackhole request (RFC 7999) for its own space",
        ],
        exportFilter: "filter { if net = 11.1.1.66/32 then bgp_community.add((65535, 666)); if net = 11.1.5.0/24 then bgp_path.prepend(3000); else bgp_path.prepend(1000); accept; }",
      }),
    );
    // Member B asks to blackhole an address in member A's space.
    lab.startBird(
      "m2",
      lab.memberConfig("m2", { address: hosts.m2, asn: 2000, routeServer: hosts.rs, rsClient: true, statics: ["route 11.1.1.77/32 blackhole;"], exportFilter: "filter { bgp_community.add((65535, 666)); bgp_path.prepend(2000); accept; }" }),
    );
  }, 120_000);

  afterAll(() => {
    rtrCache?.kill("SIGKILL");
    lab.teardown();
  });

  const prefixesAtB = (): string[] => [...(birdc("m2", "show", "route", "protocol", "to_rs").match(/\d+\.\d+\.\d+\.\d+\/\d+/g) ?? [])].sort();
  const filteredOnRs = () => birdc("rs", "show", "route", "filtered", "all");
  const reasons = (filtered: string, prefix: string) => {
    const block = filtered.split(/\n(?=\S)/).find((entry) => entry.startsWith(`${prefix} `)) ?? "";
    return [...block.matchAll(/\(64496, 1101, (\d+)\)/g)].map((match) => Number(match[1])).sort((a, b) => a - b);
  };
  const accepted = ["11.1.1.0/24", "11.1.1.66/32", "11.6.0.0/24"];

  it("passes only the valid prefixes from member A to member B, and keeps the others with their filter reasons", async () => {
    await until(() => birdc("rs", "show", "protocols"), (out) => (out.match(/Established/g) ?? []).length >= 3, "both member sessions and the RTR cache to be Established on the route server");
    // The route server runs the BIRD it was meant to (bird2, or BIRD3_PATH's build).
    const version = /version (\S+)/.exec(spawnSync(routeServerBird, ["--version"], { encoding: "utf8" }).stderr)?.[1];
    expect(birdc("rs", "show", "status")).toContain(`BIRD ${version}`);
    await until(prefixesAtB, (routes) => accepted.every((prefix) => routes.includes(prefix)), "member B to learn the accepted prefixes");
    // Give the filtered ones every chance to (wrongly) arrive as well.
    const filtered = await until(filteredOnRs, (out) => out.split(/\n(?=\S)/).filter((block) => /\(64496, 1101, /.test(block)).length >= 8, "eight filtered routes on the route server");
    expect(prefixesAtB()).toEqual(accepted);

    expect(reasons(filtered, "10.1.0.0/24")).toContain(3);
    expect(reasons(filtered, "11.1.2.0/25")).toContain(1);
    expect(reasons(filtered, "11.1.4.0/24")).toContain(8);
    expect(reasons(filtered, "11.1.5.0/24")).toContain(7);
    expect(reasons(filtered, "12.0.0.0/24")).toEqual([9]);
    expect(reasons(filtered, "11.1.1.0/24")).toEqual([]);

    // What the operators' page reads for member A's session.
    const { parseFilteredRoutes } = await import("@/lib/routeserver/birdc");
    const parsed = parseFilteredRoutes(birdc("rs", "show", "route", "filtered", "all", "protocol", "pb_c1_v4"), 64496);
    expect(parsed.map((route) => route.prefix).sort()).toEqual(["10.1.0.0/24", "11.1.2.0/25", "11.1.4.0/24", "11.1.5.0/24", "11.3.0.0/24", "11.4.1.0/24", "12.0.0.0/24"]);
    expect(parsed.find((route) => route.prefix === "11.1.4.0/24")?.reasons).toContain(8);
  }, 120_000);

  it("checks RPKI against the RTR cache: valid and not-found pass, invalid (other origin, too long) is filtered with reason 13", () => {
    // What the route server's page and the dashboard show, read as the collector reads it.
    expect(parseRtrStates(birdc("rs", "show", "protocols", '"rpki_*"'))).toEqual([{ name: "rpki_1", state: "up", since: expect.any(String), info: "Established" }]);
    expect(birdc("rs", "show", "route", "table", "r4", "count")).toMatch(/\b3 of 3 routes/);
    const filtered = filteredOnRs();
    expect(reasons(filtered, "11.3.0.0/24")).toEqual([13]);
    expect(reasons(filtered, "11.4.1.0/24")).toEqual([13]);
    expect(reasons(filtered, "11.1.2.0/25")).toEqual([1, 9, 13]);
    expect(prefixesAtB()).toContain("11.1.1.0/24"); // valid
    expect(prefixesAtB()).toContain("11.6.0.0/24"); // not found
  }, 30_000);

  it("blackholes (RFC 7999) a /32 of member A's own space: B gets it with the blackhole next hop and NO_EXPORT; B's request for A's space is filtered", () => {
    const route = birdc("m2", "show", "route", "11.1.1.66/32", "all");
    expect(route).toContain(`via ${blackhole}`);
    expect(route).toMatch(new RegExp(`BGP\\.next_hop: ${blackhole.replace(/\./g, "\\.")}\\b`));
    expect(route).toMatch(/BGP\.community:.*\(65535,666\)/);
    expect(route).toMatch(/BGP\.community:.*\(65535,65281\)/);

    const fromB = birdc("rs", "show", "route", "filtered", "all", "protocol", "pb_c2_v4");
    expect(reasons(fromB, "11.1.1.77/32")).toEqual([16]);
    expect(birdc("m1", "show", "route", "protocol", "to_rs")).not.toContain("11.1.1.77/32");
  }, 30_000);

  it("keeps every route as it was when the RTR cache stops (no withdrawal, invalid stays filtered)", async () => {
    const before = prefixesAtB();
    rtrCache?.kill("SIGKILL");
    await until(() => birdc("rs", "show", "protocols", "rpki_1"), (out) => out.includes("rpki_1") && !out.includes("Established"), "the route server to notice the RTR cache is gone", 60);
    // A flap would show within the BGP hold time of a reload; look twice, a few seconds apart.
    await new Promise((resolve) => setTimeout(resolve, 5000));
    expect(prefixesAtB()).toEqual(before);
    expect(birdc("rs", "show", "route", "table", "r4", "count")).toMatch(/\b3 of 3 routes/);
    expect(reasons(filteredOnRs(), "11.3.0.0/24")).toEqual([13]);
    expect(birdc("m2", "show", "protocols", "to_rs")).toContain("Established");
    const [rtr] = parseRtrStates(birdc("rs", "show", "protocols", '"rpki_*"'));
    expect(rtr?.name).toBe("rpki_1");
    expect(rtr?.info).not.toMatch(/^Established/);
  }, 120_000);
});
