import { describe, expect, it } from "vitest";
import { BirdRouteStream, readRoutePage } from "@/lib/routeserver/looking-glass";
import type { Transport } from "@/lib/routeserver/transport";

// As bird2 2.0.12 prints `show route all` (two routes for one prefix: the second has no prefix column).
const BIRD2 = `BIRD 2.0.12 ready.
Table master4:
11.1.0.0/24          unicast [pb_c1_v4 21:14:00.123] * (100) [AS1000i]
\tvia 192.0.2.11 on eth0
\tType: BGP univ
\tBGP.origin: IGP
\tBGP.as_path: 1000
\tBGP.next_hop: 192.0.2.11
\tBGP.local_pref: 100
\tBGP.community: (65535,0) (64496,1000)
\tBGP.large_community: (64496, 1101, 9) (64496, 1101, 3) (1000, 1, 2)
                     unicast [pb_c2_v4 21:14:01.456] (100) [AS2000i]
\tvia 192.0.2.12 on eth0
\tType: BGP univ
\tBGP.as_path: 2000 1000
\tBGP.next_hop: 192.0.2.12
`;

// BIRD 3 spells attributes differently.
const BIRD3 = `Table master6:
2001:db8:1::/48      unicast [pb_c1_v6 2026-11-30 21:14:00] * (100) [AS1000i]
\tvia 2001:db8:ffff::11 on eth0
\tpreference: 100
\tbgp_path: 1000 1000
\tbgp_next_hop: 2001:db8:ffff::11 fe80::1
\tbgp_large_community: (64496, 1101, 13)
`;

function collect(text: string, chunkSize: number) {
  const routes: { prefix: string; nextHop: string | null; asPath: string; communities: string[]; largeCommunities: string[] }[] = [];
  const stream = new BirdRouteStream((route) => routes.push(route));
  for (let i = 0; i < text.length; i += chunkSize) stream.push(text.slice(i, i + chunkSize));
  stream.end();
  return routes;
}

describe("birdc route output, parsed as it streams", () => {
  it.each([1, 7, 4096])("reads BIRD 2 routes, also a second route for one prefix (chunks of %i)", (chunkSize) => {
    expect(collect(BIRD2, chunkSize)).toEqual([
      { prefix: "11.1.0.0/24", nextHop: "192.0.2.11", asPath: "1000", communities: ["65535:0", "64496:1000"], largeCommunities: ["64496:1101:9", "64496:1101:3", "1000:1:2"] },
      { prefix: "11.1.0.0/24", nextHop: "192.0.2.12", asPath: "2000 1000", communities: [], largeCommunities: [] },
    ]);
  });

  it("reads BIRD 3's attribute names", () => {
    expect(collect(BIRD3, 5)).toEqual([{ prefix: "2001:db8:1::/48", nextHop: "2001:db8:ffff::11", asPath: "1000 1000", communities: [], largeCommunities: ["64496:1101:13"] }]);
  });
});

/** A transport that answers every command with the given output, in chunks, as SSH delivers it. */
function transportAnswering(output: string): Transport & { argv: string[] } {
  const transport = {
    argv: [] as string[],
    async exec() {
      throw new Error("the looking glass streams");
    },
    async execStream(argv: string[], onStdout: (chunk: string) => void) {
      transport.argv = argv;
      for (let i = 0; i < output.length; i += 65536) onStdout(output.slice(i, i + 65536));
      return { code: 0, stderr: "" };
    },
    async writeFile() {},
    async close() {},
  };
  return transport;
}

describe("a page of routes", () => {
  const many = ["Table master4:"];
  for (let i = 0; i < 100_000; i++) {
    many.push(`${10 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}.0/24 unicast [pb_c7_v4 12:00:00.000] * (100) [AS1000i]`, "\tvia 192.0.2.11 on eth0", `\tBGP.as_path: 1000 ${i % 2 === 0 ? "64500" : "64501"}`, "\tBGP.large_community: (64496, 1101, 9)");
  }
  const output = `${many.join("\n")}\n`;
  const target = { birdcPath: "birdc", controlSocket: "/run/bird/bird.ctl", rsAsn: 64496 };

  it("counts all 100,000 routes and keeps only the requested page, with the reasons' meanings", async () => {
    const transport = transportAnswering(output);
    const result = await readRoutePage(transport, target, "pb_c7_v4", { kind: "filtered", query: "", page: 3 });
    expect(transport.argv).toEqual(["birdc", "-s", "/run/bird/bird.ctl", "show", "route", "filtered", "all", "protocol", "pb_c7_v4"]);
    expect(result.total).toBe(100_000);
    expect(result.matched).toBe(100_000);
    expect(result.routes).toHaveLength(50);
    expect(result.routes[0]).toMatchObject({ prefix: "10.0.100.0/24", reasons: [{ code: 9, meaning: "prefix not in the member's IRR prefix list" }] });
  }, 60_000);

  it("searches by address (routes covering it) and by text, and pages the matches", async () => {
    const byAddress = await readRoutePage(transportAnswering(output), target, "pb_c7_v4", { kind: "accepted", query: "11.1.2.3", page: 1 });
    expect(byAddress.routes.map((route) => route.prefix)).toEqual(["11.1.2.0/24"]);
    const byPath = await readRoutePage(transportAnswering(output), target, "pb_c7_v4", { kind: "accepted", query: "1000 64501", page: 1000 });
    expect(byPath.matched).toBe(50_000);
    // The 1000th page of the odd-numbered routes starts at route 2 × 49,950 + 1.
    expect(byPath.routes[0]!.prefix).toBe("11.134.61.0/24");
    expect(byPath.routes).toHaveLength(50);
    expect(byPath.routes.every((route) => route.asPath === "1000 64501")).toBe(true);
    const beyond = await readRoutePage(transportAnswering(output), target, "pb_c7_v4", { kind: "exported", query: "", page: 2001 });
    expect(beyond).toMatchObject({ total: 100_000, routes: [] });
  }, 120_000);

  it("reports a session the route server does not have", async () => {
    await expect(readRoutePage(transportAnswering("syntax error, unexpected CF_SYM_UNDEFINED\n"), target, "pb_c8_v4", { kind: "accepted", query: "", page: 1 })).rejects.toThrow(/birdc: syntax error/);
  });
});
