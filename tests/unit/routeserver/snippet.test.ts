import { describe, expect, it } from "vitest";
import { parseCheck } from "@/lib/routeserver/bird-check";
import { PLACEHOLDER, routerConfig, type RouterConfigInput } from "@/lib/routeserver/snippet";

const input: RouterConfigInput = {
  asn: 1000,
  networkName: 'Net "One"\nrouter id 1.1.1.1;',
  lanName: 'main "LAN"',
  ztNetworkId: "3e28446cd567124d",
  ipv4: "192.0.2.11",
  ipv6: "2001:db8:ffff:0:a500:0:1000:1",
  rsAsn: 64496,
  routeServers: [
    { name: "rs1", ipv4: "192.0.2.1", ipv6: "2001:db8:ffff::1" },
    { name: "rs-2", ipv4: "192.0.2.2", ipv6: null },
  ],
  prefixes4: null,
  prefixes6: null,
  blackholeIpv4: null,
  blackholeIpv6: null,
};

describe("member router configuration", () => {
  const bird = routerConfig(input, "bird");
  const frr = routerConfig(input, "frr");

  it("is a complete BIRD config: router id, protocol device, a session per route server and family, export of own prefixes only", async () => {
    expect(bird).toContain("router id 192.0.2.11;");
    expect(bird).toContain("protocol device {");
    expect(bird).toContain("protocol bgp rs_rs1_v4 {\n  description \"route server rs1\";\n  local 192.0.2.11 as 1000;\n  neighbor 192.0.2.1 as 64496;");
    expect(bird).toContain("protocol bgp rs_rs1_v6 {");
    expect(bird).toContain("protocol bgp rs_rs_2_v4 {");
    expect(bird).not.toContain("rs_rs_2_v6");
    expect(bird).toContain('filter ix_export_v4 {\n  if proto = "own_v4" then accept;\n  reject;\n}');
    expect(bird).toContain("export filter ix_export_v4;");
    // Names from outside stay inside their comments.
    expect(bird).not.toMatch(/^router id 1\.1\.1\.1;/m);
    // Loads as is (announcing nothing yet) and once the placeholder holds the member's prefix.
    expect(await parseCheck(bird)).toEqual({ ok: true });
    const filled = bird.replace(`# route ${PLACEHOLDER.ipv4Prefix} blackhole;`, "route 203.0.113.0/24 blackhole;");
    expect(filled).not.toBe(bird);
    expect(await parseCheck(filled)).toEqual({ ok: true });
  });

  it("says how to join the ZeroTier network and to allow its global addresses", () => {
    for (const config of [bird, frr]) {
      expect(config).toContain("zerotier-cli join 3e28446cd567124d");
      expect(config).toContain("zerotier-cli set 3e28446cd567124d allowGlobal=1");
    }
  });

  it("marks every line a member must fill in", () => {
    for (const line of bird.split("\n").filter((text) => text.includes("<"))) expect(line).toMatch(/^\s*# (route|password)/);
    expect(bird.match(/PLACEHOLDER/g)!.length).toBeGreaterThanOrEqual(2);
    const frrLines = frr.split("\n");
    frrLines.forEach((line, index) => {
      if (line.includes(PLACEHOLDER.ipv4Prefix) || line.includes(PLACEHOLDER.ipv6Prefix)) expect(frrLines[index - 1]).toMatch(/^\s*! PLACEHOLDER: your prefix/);
    });
    // FRR takes no comment after a command.
    for (const line of frrLines.filter((text) => !text.trimStart().startsWith("!"))) expect(line).not.toContain("!");
  });

  it("prefills the announced prefixes from an IRR prefix list when there is one", async () => {
    const known = routerConfig({ ...input, prefixes4: ["203.0.113.0/24", "198.51.100.0/22{22,24}"], prefixes6: ["2001:db8:1000::/48"] }, "bird");
    expect(known).toContain("  route 203.0.113.0/24 blackhole;\n  route 198.51.100.0/22 blackhole;");
    expect(known).toContain("  route 2001:db8:1000::/48 blackhole;");
    expect(known).not.toContain(PLACEHOLDER.ipv4Prefix);
    expect(await parseCheck(known)).toEqual({ ok: true });
    const knownFrr = routerConfig({ ...input, prefixes4: ["203.0.113.0/24"], prefixes6: null }, "frr");
    expect(knownFrr).toContain("ip prefix-list IX-OWN-V4 seq 5 permit 203.0.113.0/24\n");
    expect(knownFrr).toContain(`! PLACEHOLDER: your prefix (one line per prefix)\nipv6 prefix-list IX-OWN-V6 seq 5 permit ${PLACEHOLDER.ipv6Prefix}\n`);
  });

  it("is a complete FRR config with every route-server neighbor in its address family and only own prefixes out", () => {
    expect(frr).toContain("router bgp 1000\n");
    expect(frr).toContain(" bgp router-id 192.0.2.11");
    expect(frr).toContain(" neighbor 192.0.2.2 remote-as 64496");
    expect(frr).toMatch(/address-family ipv6 unicast\n {2}! PLACEHOLDER.*\n {2}network <YOUR-IPV6-PREFIX>\n {2}neighbor 2001:db8:ffff::1 activate/);
    expect(frr).toContain("  neighbor 192.0.2.1 route-map IX-OUT-V4 out");
    expect(frr).toContain("route-map IX-OUT-V4 permit 10\n match ip address prefix-list IX-OWN-V4");
  });

  it("shows how to ask for blackholing when the LAN has a blackhole address, and loads once filled in", async () => {
    expect(bird).not.toContain("65535");
    expect(frr).not.toContain("65535");
    const withBlackhole = { ...input, blackholeIpv4: "192.0.2.66", blackholeIpv6: null };
    const config = routerConfig(withBlackhole, "bird");
    expect(config).toContain("with next hop 192.0.2.66 (the LAN's blackhole address) and NO_EXPORT");
    expect(config).toContain("filtered with reason 16");
    expect(config).toContain(`protocol static blackhole_v4 {\n  ipv4;\n  # PLACEHOLDER: uncomment with the address whose traffic is to be dropped.\n  # route ${PLACEHOLDER.ipv4Address}/32 blackhole;\n}`);
    expect(config).toContain('  if proto = "blackhole_v4" then { bgp_community.add((65535, 666)); accept; }');
    // Only for the families with a blackhole address.
    expect(config).not.toContain("blackhole_v6");
    expect(await parseCheck(config)).toEqual({ ok: true });
    const filled = config.replace(`# route ${PLACEHOLDER.ipv4Address}/32 blackhole;`, "route 203.0.113.10/32 blackhole;");
    expect(filled).not.toBe(config);
    expect(await parseCheck(filled)).toEqual({ ok: true });

    const frrConfig = routerConfig(withBlackhole, "frr");
    expect(frrConfig).toContain(`! ip prefix-list IX-BLACKHOLE-V4 seq 5 permit ${PLACEHOLDER.ipv4Address}/32\n! route-map IX-OUT-V4 permit 5\n!  match ip address prefix-list IX-BLACKHOLE-V4\n!  set community 65535:666 additive\n`);
    expect(frrConfig).toContain("! with next hop 192.0.2.66 (the LAN's blackhole address) and NO_EXPORT");
    expect(frrConfig).not.toContain("IX-BLACKHOLE-V6");
    for (const line of frrConfig.split("\n").filter((text) => !text.trimStart().startsWith("!"))) expect(line).not.toContain("!");
  });
});
