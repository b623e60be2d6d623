import { describe, expect, it } from "vitest";
import { parseCheck } from "@/lib/routeserver/bird-check";
import { routerSnippets } from "@/lib/routeserver/snippet";

describe("member router snippets", () => {
  const snippets = routerSnippets({
    asn: 1000,
    ipv4: "192.0.2.11",
    ipv6: "2001:db8:ffff:0:a500:0:1000:1",
    rsAsn: 64496,
    lanName: 'main "LAN"',
    routeServers: [
      { name: "rs1", ipv4: "192.0.2.1", ipv6: "2001:db8:ffff::1" },
      { name: "rs-2", ipv4: "192.0.2.2", ipv6: null },
    ],
  });

  it("gives a BIRD 2 config that parses once an export filter exists", async () => {
    expect(snippets.bird).toContain("neighbor 192.0.2.1 as 64496;");
    expect(snippets.bird).toContain("protocol bgp ix_rs_2_v4 {");
    expect(snippets.bird).not.toContain("ix_rs_2_v6");
    const config = `router id 192.0.2.11;\nprotocol device {}\nfilter EXPORT_FILTER { accept; }\n${snippets.bird}`;
    expect(await parseCheck(config)).toEqual({ ok: true });
  });

  it("gives an FRR config with every route-server neighbor in its address family", () => {
    expect(snippets.frr).toContain("router bgp 1000");
    expect(snippets.frr).toContain(" neighbor 192.0.2.2 remote-as 64496");
    expect(snippets.frr).toMatch(/address-family ipv6 unicast\n {2}neighbor 2001:db8:ffff::1 activate/);
  });
});
