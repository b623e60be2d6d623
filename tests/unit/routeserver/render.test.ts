import { describe, expect, it } from "vitest";
import { parseCheck } from "@/lib/routeserver/bird-check";
import { describePolicy, MAX_PREFIX_CEILING, renderBirdConfig } from "@/lib/routeserver/render";
import { member, renderInput } from "../../support/rs-fixtures";

/** The config's skeleton: every line with names, numbers and strings blanked out. */
function structure(config: string) {
  return config
    .split("\n")
    .filter((line) => !line.startsWith("#") && !line.trim().startsWith("#"))
    .map((line) => line.replace(/"[^"]*"/g, '"…"'));
}

describe("BIRD route-server configuration", () => {
  it("parses with bird -p for both families, 16- and 32-bit ASNs, with and without RPKI and IRR", async () => {
    const plain = renderBirdConfig(renderInput());
    expect(await parseCheck(plain)).toEqual({ ok: true });
    expect(plain).toContain("routes are NOT checked against RPKI");
    expect(plain).toContain("prefixes are NOT checked against the IRR");

    const full = renderBirdConfig(
      renderInput({
        lan: { id: 1, name: "main", rsAsn: 4200000000, ipv4Prefix: "192.0.2.0/24", ipv6Prefix: "2001:db8:ffff::/64", rpkiServers: [{ host: "rtr.example.net", port: 3323 }, { host: "192.0.2.250", port: 8282 }], blackholeIpv4: "192.0.2.66", blackholeIpv6: "2001:db8:ffff::66" },
        members: [
          member({ connectionId: 1, asn: 1000, irrPrefixes4: ["11.1.0.0/16{16,24}", "11.2.0.0/24"], irrPrefixes6: ["2a0a:1000::/32+"], bgpPassword: "s3cret-key" }),
          member({ connectionId: 2, asn: 2000, irrPrefixes4: [], irrPrefixes6: [] }),
        ],
      }),
    );
    expect(await parseCheck(full)).toEqual({ ok: true });
    expect(full).toContain("roa_check(r4, net, bgp_path.last) = ROA_INVALID");
    expect(full).toContain('remote "rtr.example.net" port 3323;');
    expect(full).toContain("define IRR_C1_V4 = [ 11.1.0.0/16{16,24}, 11.2.0.0/24 ];");
    // Blackholing: the member's space down to single addresses, and where accepted requests point.
    expect(full).toContain("define IRR_C1_V4_BH = [ 11.1.0.0/16+, 11.2.0.0/24+ ];");
    expect(full).toContain("define RS_BLACKHOLE_V6 = 2001:db8:ffff::66;");
    expect(full).toContain("import filter { rs_import_v4(1000, 192.0.2.11, 0, 1, IRR_C1_V4, IRR_C1_V4_BH); };");
    // An empty list (mode 2) filters everything with reason 9; no list (mode 0) checks nothing.
    expect(full).toContain("import filter { rs_import_v4(2000, 192.0.2.12, 0, 2, RS_NO_PREFIXES_V4, RS_NO_PREFIXES_V4); };");
    expect(plain).not.toContain("RS_BLACKHOLE_V4");
    expect(plain).toContain("bh_request = false;");
    expect(full).toContain("if irr = 2 || (irr = 1 && !(net ~ irr_set)) then rs_tag(9);");
    // A 32-bit RS ASN cannot carry standard control communities.
    expect(full).not.toContain("bgp_community.delete([(0, *), (RS_ASN, *)])");
  });

  it("sends every route with GRACEFUL_SHUTDOWN (65535:0) while the route server is drained, and parses", async () => {
    const base = renderInput();
    const normal = renderBirdConfig(base);
    const drained = renderBirdConfig({ ...base, routeServer: { ...base.routeServer, drained: true } });
    expect(normal).not.toContain("bgp_community.add((65535, 0));");
    expect(drained).toMatch(/function rs_export\(int peer_asn\) \{[\s\S]*?bgp_community\.add\(\(65535, 0\)\);\n  accept;\n\}/);
    expect(await parseCheck(drained)).toEqual({ ok: true });
  });

  it("opens a session per member and family with its own filters and max-prefix", () => {
    const config = renderBirdConfig(renderInput());
    expect(config.match(/^protocol bgp pb_c\d+_v[46] from tpl_rs_v[46] \{$/gm)).toHaveLength(7);
    expect(config).toContain("neighbor 192.0.2.11 as 1000;");
    // The policy is shared code; each session passes its own ASN and next hop.
    expect(config).toContain("if bgp_next_hop != peer_nh then rs_tag(8);");
    expect(config).toContain("if bgp_path.first != peer_asn then rs_tag(7);");
    expect(config).toContain("import filter { rs_import_v4(1000, 192.0.2.11, 0, 0, RS_NO_PREFIXES_V4, RS_NO_PREFIXES_V4); };");
    expect(config).toContain("export filter { rs_export(4200000001); };");
    expect(config.match(/^function /gm)).toHaveLength(4);
    // PeeringDB 100 + 20 %; override 5000; no PeeringDB data: the default.
    expect(config).toMatch(/pb_c1_v4[\s\S]*?receive limit 120 action restart;/);
    expect(config).toMatch(/pb_c4_v4[\s\S]*?receive limit 5000 action restart;/);
    expect(config).toMatch(/pb_c3_v6[\s\S]*?receive limit 500 action restart;/);
  });

  it("caps every receive limit at MAX_PREFIX_CEILING, even for the largest PeeringDB count or override", () => {
    const config = renderBirdConfig(
      renderInput({ members: [member({ connectionId: 1, asn: 1000, maxPrefix4: 2_147_483_647 }), member({ connectionId: 2, asn: 2000, maxPrefixOverride6: 2_147_483_647 })] }),
    );
    expect(config).toMatch(/pb_c1_v4[\s\S]*?receive limit 2000000 action restart;/);
    expect(config).toMatch(/pb_c2_v6[\s\S]*?receive limit 2000000 action restart;/);
    expect(config).not.toContain("2576980377");
    expect(MAX_PREFIX_CEILING).toBe(2_000_000);
  });

  it("renders byte-identical output for the same input, whatever the member order", () => {
    const input = renderInput();
    const first = renderBirdConfig(input);
    expect(renderBirdConfig(input)).toBe(first);
    expect(renderBirdConfig({ ...input, members: [...input.members].reverse() })).toBe(first);
  });

  it("keeps hostile PeeringDB names and as-sets out of the config's structure, and it still parses", async () => {
    const hostile = [
      '"; }; protocol bgp evil { neighbor 6.6.6.6 as 666; }; #',
      "Evil\nprotocol static { route 0.0.0.0/0 blackhole; }",
      "back\\slash \\\" quote",
      "{ } ; ( ) [ ] \r\n\t # ' ` $(reboot)",
      "Ünïcödé ネットワーク 🚀",
    ];
    const benign = renderInput();
    const evil = renderInput({
      members: benign.members.map((entry, index) => ({ ...entry, name: hostile[index % hostile.length]!, irrAsSet: hostile[(index + 1) % hostile.length]! })),
    });
    const rendered = renderBirdConfig(evil);
    expect(structure(rendered)).toEqual(structure(renderBirdConfig(benign)));
    // Whatever the text says, it only ever sits inside a comment or a string.
    expect(rendered).not.toMatch(/^\s*protocol (bgp evil|static)/m);
    expect(rendered.split("\n").filter((line) => line.includes("6.6.6.6")).every((line) => line.trimStart().startsWith("#") || /^\s*description "[^"]*";$/.test(line))).toBe(true);
    expect(await parseCheck(rendered)).toEqual({ ok: true });
  });

  it("refuses addresses, prefixes and passwords that are not what they claim, instead of writing them", () => {
    expect(() => renderBirdConfig(renderInput({ members: [member({ connectionId: 1, asn: 1000, ipv4Address: "192.0.2.1; }" })] }))).toThrow("not an IPv4 address");
    expect(() => renderBirdConfig(renderInput({ members: [member({ connectionId: 1, asn: 1000, irrPrefixes4: ["11.0.0.0/8 ]; reject; ["] })] }))).toThrow("prefix-list entry");
    expect(() => renderBirdConfig(renderInput({ members: [member({ connectionId: 1, asn: 1000, bgpPassword: 'a"b' })] }))).toThrow("BGP password");
  });

  it("reports a config that does not parse with its line and message", async () => {
    const result = await parseCheck("router id 192.0.2.1;\nprotocol bgp rs {\n}\n");
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.line).toBe(2);
      expect(result.message).toMatch(/syntax error/);
    }
  });

  it("describes the policy from the same data, saying whether RPKI and IRR are active", () => {
    const off = describePolicy({ ...renderInput(), irrActive: false });
    expect(off.rpki).toBe(false);
    expect(off.checks).toContain("RPKI: not checked on this LAN.");
    expect(off.filterReasons).toContainEqual({ community: "64496:1101:8", meaning: "next hop is not the member's own peering-LAN address" });
    const on = describePolicy({ ...renderInput({ lan: { ...renderInput().lan, rpkiServers: [{ host: "rtr", port: 3323 }] } }), irrActive: true });
    expect(on.checks).toContain("RPKI: invalid routes are filtered.");
    expect(on.announcementControl.map((entry) => entry.community)).toContain("64496:0:<peer-asn>");
    expect(on.announcementControl.map((entry) => entry.community)).not.toContain("65535:666");
    const blackholing = describePolicy({ ...renderInput({ lan: { ...renderInput().lan, blackholeIpv4: "192.0.2.66" } }), irrActive: true });
    expect(blackholing.announcementControl.map((entry) => entry.community)).toEqual(expect.arrayContaining(["65535:666", "64496:666:0"]));
    expect(blackholing.checks.join("\n")).toContain("next hop 192.0.2.66");
    expect(blackholing.filterReasons.map((entry) => entry.community)).toContain("64496:1101:16");
  });
});
