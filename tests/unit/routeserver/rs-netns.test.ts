/**
 * A real route server in a lab: network namespaces for the route server and two members, joined
 * by a Linux bridge (standing in for the ZeroTier LAN), each running Debian's BIRD. The route
 * server runs the rendered configuration. Needs root, iproute2 and bird2 (installed by .ci/run).
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderBirdConfig } from "@/lib/routeserver/render";
import { DEFAULT_POLICY } from "@/lib/routeserver/types";
import { member } from "../../support/rs-fixtures";

const id = `${process.pid % 10000}${Math.floor(Math.random() * 256).toString(16)}`;
const bridgeNs = `zb${id}`;
const hosts = { rs: { ns: `zr${id}`, ip: "192.0.2.1" }, m1: { ns: `za${id}`, ip: "192.0.2.11" }, m2: { ns: `zc${id}`, ip: "192.0.2.12" } } as const;
const dir = mkdtempSync(path.join(os.tmpdir(), "ztix-rs-lab-"));

const run = (command: string, args: string[]) => execFileSync(command, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
const inNs = (ns: string, command: string, args: string[]) => run("ip", ["netns", "exec", ns, command, ...args]);
const birdc = (name: keyof typeof hosts, ...command: string[]) => {
  const result = spawnSync("ip", ["netns", "exec", hosts[name].ns, "birdc", "-s", path.join(dir, `${name}.ctl`), ...command], { encoding: "utf8" });
  return result.stdout;
};

function memberConfig(name: "m1" | "m2", asn: number, statics: string, exportFilter: string) {
  return `router id ${hosts[name].ip};
log "${path.join(dir, `${name}.log`)}" all;
protocol device {}
protocol static announce {
  ipv4;
${statics}
}
protocol bgp to_rs {
  local ${hosts[name].ip} as ${asn};
  neighbor ${hosts.rs.ip} as 64496;
  # Acts as a route-server client itself, so its paths are exactly what its export filter makes.
  rs client;
  connect delay time 1;
  connect retry time 1;
  error wait time 1, 2;
  ipv4 { import all; export ${exportFilter}; };
}
`;
}

async function until<T>(read: () => T, done: (value: T) => boolean, what: string) {
  for (let i = 0; i < 120; i++) {
    const value = read();
    if (done(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe("route server in network namespaces (real BIRD)", () => {
  beforeAll(() => {
    run("ip", ["netns", "add", bridgeNs]);
    inNs(bridgeNs, "ip", ["link", "add", "br0", "type", "bridge"]);
    inNs(bridgeNs, "ip", ["link", "set", "br0", "up"]);
    for (const [name, host] of Object.entries(hosts)) {
      run("ip", ["netns", "add", host.ns]);
      const outer = `v${id}${name}b`;
      run("ip", ["link", "add", "eth0", "netns", host.ns, "type", "veth", "peer", "name", outer, "netns", bridgeNs]);
      inNs(bridgeNs, "ip", ["link", "set", outer, "master", "br0", "up"]);
      inNs(host.ns, "ip", ["addr", "add", `${host.ip}/24`, "dev", "eth0"]);
      inNs(host.ns, "ip", ["link", "set", "eth0", "up"]);
      inNs(host.ns, "ip", ["link", "set", "lo", "up"]);
    }

    const config = renderBirdConfig({
      generatedBy: "ztix lab test",
      lan: { id: 1, name: "lab", rsAsn: 64496, ipv4Prefix: "192.0.2.0/24", ipv6Prefix: "2001:db8:ffff::/64", rpkiServers: [] },
      routeServer: { id: 1, name: "rs1", routerId: hosts.rs.ip, ipv4Address: hosts.rs.ip, ipv6Address: null, localIncludeDir: null },
      policy: DEFAULT_POLICY,
      members: [
        member({ connectionId: 1, asn: 1000, name: "Member A", ipv4Address: hosts.m1.ip, ipv6Address: null }),
        member({ connectionId: 2, asn: 2000, name: "Member B", ipv4Address: hosts.m2.ip, ipv6Address: null }),
      ],
    }).replace("log syslog all;", `log "${path.join(dir, "rs.log")}" all;`);
    writeFileSync(path.join(dir, "rs.conf"), config);
    writeFileSync(
      path.join(dir, "m1.conf"),
      memberConfig(
        "m1",
        1000,
        [
          "  route 11.1.1.0/24 blackhole;   # valid",
          "  route 10.1.0.0/24 blackhole;   # bogon",
          "  route 11.1.2.0/25 blackhole;   # too long",
          "  route 11.1.4.0/24 via 192.0.2.99;   # someone else's next hop",
          "  route 11.1.5.0/24 blackhole;   # first AS is not member A's",
        ].join("\n"),
        "filter { if net = 11.1.5.0/24 then bgp_path.prepend(3000); else bgp_path.prepend(1000); accept; }",
      ),
    );
    writeFileSync(path.join(dir, "m2.conf"), memberConfig("m2", 2000, "", "filter { bgp_path.prepend(2000); accept; }"));
    for (const name of ["rs", "m1", "m2"] as const) {
      inNs(hosts[name].ns, "bird", ["-c", path.join(dir, `${name}.conf`), "-s", path.join(dir, `${name}.ctl`), "-P", path.join(dir, `${name}.pid`)]);
    }
  });

  afterAll(() => {
    for (const name of ["rs", "m1", "m2"] as const) {
      try {
        process.kill(Number(readFileSync(path.join(dir, `${name}.pid`), "utf8").trim()), "SIGTERM");
      } catch {
        // not started, or already gone
      }
    }
    for (const ns of [bridgeNs, ...Object.values(hosts).map((host) => host.ns)]) spawnSync("ip", ["netns", "del", ns]);
    rmSync(dir, { recursive: true, force: true });
  });

  it("passes only the valid prefix from member A to member B, and keeps the others with their filter reasons", async () => {
    await until(() => birdc("rs", "show", "protocols"), (out) => (out.match(/Established/g) ?? []).length >= 2, "both member sessions to be Established on the route server");
    const atB = await until(() => birdc("m2", "show", "route", "protocol", "to_rs"), (out) => out.includes("11.1.1.0/24"), "member B to learn 11.1.1.0/24");
    // Give the filtered ones every chance to (wrongly) arrive as well.
    const filtered = await until(() => birdc("rs", "show", "route", "filtered", "all"), (out) => (out.match(/\(64496, 1101, /g) ?? []).length >= 4, "four filtered routes on the route server");
    const routesAtB = birdc("m2", "show", "route", "protocol", "to_rs").match(/\d+\.\d+\.\d+\.\d+\/\d+/g) ?? [];
    expect(atB).toContain("11.1.1.0/24");
    expect(routesAtB).toEqual(["11.1.1.0/24"]);

    const reasons = (prefix: string) => {
      const block = filtered.split(/\n(?=\S)/).find((entry) => entry.startsWith(prefix)) ?? "";
      return [...block.matchAll(/\(64496, 1101, (\d+)\)/g)].map((match) => Number(match[1])).sort((a, b) => a - b);
    };
    expect(reasons("10.1.0.0/24")).toContain(3);
    expect(reasons("11.1.2.0/25")).toContain(1);
    expect(reasons("11.1.4.0/24")).toContain(8);
    expect(reasons("11.1.5.0/24")).toContain(7);
    expect(reasons("11.1.1.0/24")).toEqual([]);

    // What the operators' page reads for member A's session.
    const { parseFilteredRoutes } = await import("@/lib/routeserver/birdc");
    const parsed = parseFilteredRoutes(birdc("rs", "show", "route", "filtered", "all", "protocol", "pb_c1_v4"), 64496);
    expect(parsed.map((route) => route.prefix).sort()).toEqual(["10.1.0.0/24", "11.1.2.0/25", "11.1.4.0/24", "11.1.5.0/24"]);
    expect(parsed.find((route) => route.prefix === "11.1.4.0/24")?.reasons).toContain(8);
  });
});
