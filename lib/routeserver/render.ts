import "server-only";
import { addressLiteral, asnLiteral, hostLiteral, passwordLiteral, prefixListEntry, safeAsSet, safeText } from "./escape";
import type { RouteServerMember, RouteServerRenderInput } from "./types";

/**
 * Filter reasons, tagged on filtered routes as the large community (RS_ASN, 1101, reason) and
 * kept (`import keep filtered`) so a member can be told why a route was not announced.
 */
export const FILTER_REASONS = {
  1: "prefix length outside the allowed range",
  3: "bogon prefix (reserved, private or documentation space)",
  4: "bogon ASN in the AS path (private, reserved or documentation ASN)",
  5: "AS path too long",
  6: "address family does not match the session",
  7: "first AS in the path is not the member's ASN",
  8: "next hop is not the member's own peering-LAN address",
  9: "prefix not in the member's IRR prefix list",
  13: "RPKI invalid",
  14: "transit-free network in the AS path (route leak)",
  16: "blackhole request (65535:666) for space the member does not hold (not in its IRR prefix list, not RPKI valid)",
} as const;

const BOGONS_V4 = [
  "0.0.0.0/8+", "10.0.0.0/8+", "100.64.0.0/10+", "127.0.0.0/8+", "169.254.0.0/16+", "172.16.0.0/12+", "192.0.0.0/24+",
  "192.0.2.0/24+", "192.168.0.0/16+", "198.18.0.0/15+", "198.51.100.0/24+", "203.0.113.0/24+", "224.0.0.0/4+", "240.0.0.0/4+",
];
// Only 2000::/3 is global unicast; within it, documentation and other special ranges.
const BOGONS_V6 = ["2001:db8::/32+", "2001::/32{32,128}", "2002::/16+", "3ffe::/16+", "3fff::/20+"];
const BOGON_ASNS = ["0", "23456", "64496..64511", "64512..65534", "65535", "65536..65551", "65552..131071", "4200000000..4294967294", "4294967295"];
const PUBLIC_BOGON_ASNS = ["0", "23456", "65535", "65552..131071", "4294967295"];

type Family = 4 | 6;

/** The highest receive limit ever rendered (README): a huge PeeringDB count must not mean "no limit". */
export const MAX_PREFIX_CEILING = 2_000_000;

function maxPrefix(member: RouteServerMember, family: Family, input: RouteServerRenderInput) {
  const override = family === 4 ? member.maxPrefixOverride4 : member.maxPrefixOverride6;
  if (override) return Math.min(override, MAX_PREFIX_CEILING);
  const fromPeeringDb = family === 4 ? member.maxPrefix4 : member.maxPrefix6;
  if (fromPeeringDb && fromPeeringDb > 0) return Math.min(MAX_PREFIX_CEILING, Math.ceil(fromPeeringDb * (1 + input.policy.maxPrefixMarginPercent / 100)));
  return family === 4 ? input.policy.defaultMaxPrefix4 : input.policy.defaultMaxPrefix6;
}

function sessionName(member: RouteServerMember, family: Family) {
  return `pb_c${member.connectionId}_v${family}`;
}

function is16Bit(asn: number) {
  return asn <= 65535;
}

/** A LAN's blackhole address for a family, as a literal, or null when blackholing is off for it. */
function blackholeAddress(input: RouteServerRenderInput, family: Family) {
  const address = family === 4 ? input.lan.blackholeIpv4 : input.lan.blackholeIpv6;
  return address ? addressLiteral(address, family) : null;
}

/**
 * The import policy, shared by every member session of a family. Everything that differs per
 * member arrives as arguments, so BIRD parses the policy once, not once per member (BIRD 2.0.12
 * keeps a placeholder symbol for every name used inside each filter scope; 8,000 per-member
 * filters made `bird -p` of a 2,000-member config take 40 s).
 */
function importFunction(input: RouteServerRenderInput, family: Family, rpki: boolean) {
  const lengths = family === 4 ? input.policy.ipv4PrefixLength : input.policy.ipv6PrefixLength;
  const blackhole = blackholeAddress(input, family);
  const lines = [
    ...(family === 4
      ? [
          "# The import policy of every member session. Arguments: the member's ASN and peering-LAN address;",
          "# transit_free = 1 when the member is itself one of TRANSIT_FREE_ASNS; irr = 0 without an IRR prefix",
          "# list (not checked), 1 with one (irr_set; irr_bh is the same space down to single addresses, for",
          "# blackholing), 2 with an empty one (nothing is accepted).",
        ]
      : ["# The same for IPv6 sessions."]),
    `function rs_import_v${family}(int peer_asn; ip peer_nh; int transit_free; int irr; prefix set irr_set; prefix set irr_bh)`,
    "bool bh_request;",
    "{",
    `  if net.type != NET_IP${family} then { rs_tag(6); reject; }`,
    "  # Our own filter-reason tags are ours to set; the member's control communities are kept.",
    "  bgp_large_community.delete([(RS_ASN, 1101, *)]);",
    "  if (65535, 0) ~ bgp_community then bgp_local_pref = 0;",
  ];
  if (blackhole) {
    lines.push(
      "  # RFC 7999: a BLACKHOLE request may be as long as /" + (family === 4 ? "32" : "128") + ", but only for the member's own space.",
      "  bh_request = (65535, 666) ~ bgp_community || (RS_ASN, 666, 0) ~ bgp_large_community;",
    );
  } else {
    lines.push("  # No blackhole address for this family on this LAN: BLACKHOLE requests are ordinary routes.", "  bh_request = false;");
  }
  lines.push(
    `  if net.len < ${lengths.min} || (net.len > ${lengths.max} && !bh_request) then rs_tag(1);`,
    family === 4 ? "  if net ~ BOGONS_V4 then rs_tag(3);" : "  if !(net ~ [2000::/3+]) || net ~ BOGONS_V6 then rs_tag(3);",
    "  if bgp_path ~ BOGON_ASNS then rs_tag(4);",
    `  if bgp_path.len > ${input.policy.maxAsPathLength} then rs_tag(5);`,
    "  if bgp_path.first != peer_asn then rs_tag(7);",
    "  if bgp_next_hop != peer_nh then rs_tag(8);",
  );
  if (input.policy.transitFreeAsns.length > 0) lines.push("  if transit_free = 0 && bgp_path ~ TRANSIT_FREE_ASNS then rs_tag(14);");
  if (blackhole) {
    const rpkiOwner = rpki ? ` && roa_check(r${family}, net, bgp_path.last) != ROA_VALID` : "";
    lines.push(
      "  if bh_request then {",
      `    if !(irr = 1 && net ~ irr_bh)${rpkiOwner} then rs_tag(16);`,
      "  } else {",
      ...(rpki ? [`    if roa_check(r${family}, net, bgp_path.last) = ROA_INVALID then rs_tag(13);`] : []),
      "    if irr = 2 || (irr = 1 && !(net ~ irr_set)) then rs_tag(9);",
      "  }",
      "  if bgp_large_community ~ [(RS_ASN, 1101, *)] then reject;",
      "  if bh_request then {",
      `    bgp_next_hop = RS_BLACKHOLE_V${family};`,
      "    bgp_community.add((65535, 65281));",
      "  }",
    );
  } else {
    if (rpki) lines.push(`  if roa_check(r${family}, net, bgp_path.last) = ROA_INVALID then rs_tag(13);`);
    lines.push("  if irr = 2 || (irr = 1 && !(net ~ irr_set)) then rs_tag(9);", "  if bgp_large_community ~ [(RS_ASN, 1101, *)] then reject;");
  }
  lines.push("  accept;", "}");
  return lines.join("\n");
}

/** The export policy, shared by every session: announcement control for the receiving member. */
function exportFunction(input: RouteServerRenderInput) {
  const lines = [
    "# Announcement control for the receiving member: (RS, 0, peer) never to peer; (RS, 0, 0) to",
    "# nobody except (RS, 1, peer). Our own communities are removed before sending.",
    "function rs_export(int peer_asn) {",
    "  if (RS_ASN, 0, peer_asn) ~ bgp_large_community then reject;",
    "  if (RS_ASN, 0, 0) ~ bgp_large_community && !((RS_ASN, 1, peer_asn) ~ bgp_large_community) then reject;",
  ];
  if (is16Bit(input.lan.rsAsn)) {
    lines.push(
      "  if peer_asn <= 65535 then {",
      "    if (0, peer_asn) ~ bgp_community then reject;",
      "    if (0, RS_ASN) ~ bgp_community && !((RS_ASN, peer_asn) ~ bgp_community) then reject;",
      "  }",
    );
  }
  lines.push("  bgp_large_community.delete([(RS_ASN, *, *)]);");
  if (is16Bit(input.lan.rsAsn)) lines.push("  bgp_community.delete([(0, *), (RS_ASN, *)]);");
  if (input.routeServer.drained) {
    lines.push("  # Drained for maintenance (RFC 8326): peers lower these routes' preference and move away first.", "  bgp_community.add((65535, 0));");
  }
  lines.push("  accept;", "}");
  return lines.join("\n");
}

/** A member's IRR prefix list as named sets (the list, and its space down to /32 or /128), or null. */
function irrSets(member: RouteServerMember, family: Family, withBlackhole: boolean) {
  const irr = family === 4 ? member.irrPrefixes4 : member.irrPrefixes6;
  if (!irr || irr.length === 0) return null;
  const name = `IRR_C${member.connectionId}_V${family}`;
  const entries = [...new Set(irr.map((entry) => prefixListEntry(entry, family)))].sort();
  const lines = [`define ${name} = [ ${entries.join(", ")} ];`];
  if (withBlackhole) {
    const space = [...new Set(entries.map((entry) => `${entry.replace(/(\+|\{.*)$/, "")}+`))].sort();
    lines.push(`define ${name}_BH = [ ${space.join(", ")} ];`);
  }
  return { name, blackholeName: withBlackhole ? `${name}_BH` : `RS_NO_PREFIXES_V${family}`, lines };
}

function session(member: RouteServerMember, family: Family, input: RouteServerRenderInput, neighbor: string, irr: ReturnType<typeof irrSets>) {
  const asn = asnLiteral(member.asn);
  const list = family === 4 ? member.irrPrefixes4 : member.irrPrefixes6;
  const irrMode = list === null ? 0 : irr ? 1 : 2;
  const transitFree = input.policy.transitFreeAsns.includes(member.asn) ? 1 : 0;
  const none = `RS_NO_PREFIXES_V${family}`;
  const lines = [
    `protocol bgp ${sessionName(member, family)} from tpl_rs_v${family} {`,
    `  description "${safeText(`AS${member.asn} ${member.name ?? ""}`)}";`,
    `  neighbor ${neighbor} as ${asn};`,
  ];
  if (member.bgpPassword) lines.push(`  password "${passwordLiteral(member.bgpPassword)}";`);
  lines.push(
    `  ipv${family} {`,
    "    secondary;",
    "    import keep filtered on;",
    "    import table on;",
    `    receive limit ${maxPrefix(member, family, input)} action restart;`,
    `    import filter { rs_import_v${family}(${asn}, ${neighbor}, ${transitFree}, ${irrMode}, ${irr?.name ?? none}, ${irr?.blackholeName ?? none}); };`,
    `    export filter { rs_export(${asn}); };`,
    "  };",
    "}",
  );
  return lines.join("\n");
}

/**
 * Renders one route server's BIRD configuration. Deterministic: the same input gives the same
 * bytes (members sorted, no timestamps). Parses with BIRD 2.0.12 and 3.x (research section 2.2:
 * prefixed names, braced case arms, no typed functions, explicit import and export).
 */
export function renderBirdConfig(input: RouteServerRenderInput): string {
  const rs = input.routeServer;
  const rpki = input.lan.rpkiServers.length > 0;
  const members = [...input.members].sort((a, b) => a.asn - b.asn || a.connectionId - b.connectionId);
  const out: string[] = [];
  out.push(
    `# BIRD configuration of route server "${safeText(rs.name)}" (id ${rs.id}) on peering LAN "${safeText(input.lan.name)}".`,
    `# Generated by ${safeText(input.generatedBy)}. Do not edit: ztix replaces this file on every deployment.`,
    `# RPKI: ${rpki ? `checked against ${input.lan.rpkiServers.length} RTR cache(s); invalid routes are filtered.` : "not configured for this LAN; routes are NOT checked against RPKI."}`,
    `# IRR: ${members.some((member) => member.irrPrefixes4 || member.irrPrefixes6) ? "prefix lists where a member has one (IRR_C<connection>_V<family>)." : "no prefix lists configured; prefixes are NOT checked against the IRR."}`,
    "",
    ...(rs.localIncludeDir
      ? [
          "# Host-local, version-specific settings (e.g. `threads` on BIRD 3); the directory may be empty.",
          `include "${safeText(rs.localIncludeDir, 200).replace(/\s/g, "")}/*.conf";`,
          "",
        ]
      : []),
    "log syslog all;",
    `router id ${addressLiteral(rs.routerId, 4)};`,
    `define RS_ASN = ${asnLiteral(input.lan.rsAsn)};`,
    `define BOGONS_V4 = [ ${BOGONS_V4.join(", ")} ];`,
    `define BOGONS_V6 = [ ${BOGONS_V6.join(", ")} ];`,
    `define BOGON_ASNS = [ ${(input.policy.allowPrivateAsns ? PUBLIC_BOGON_ASNS : BOGON_ASNS).join(", ")} ];`,
  );
  // Stands in for "no prefix list" in the shared functions' arguments (never consulted then).
  out.push("define RS_NO_PREFIXES_V4 = [ 0.0.0.0/32 ];", "define RS_NO_PREFIXES_V6 = [ ::/128 ];");
  for (const family of [4, 6] as const) {
    const blackhole = blackholeAddress(input, family);
    if (blackhole) out.push(`define RS_BLACKHOLE_V${family} = ${blackhole};`);
  }
  if (input.policy.transitFreeAsns.length > 0) {
    out.push(`define TRANSIT_FREE_ASNS = [ ${[...new Set(input.policy.transitFreeAsns.map(asnLiteral))].sort((a, b) => Number(a) - Number(b)).join(", ")} ];`);
  }
  out.push(
    "",
    "# Sorted tables and `secondary` channels: a member still sees an alternative path when the",
    "# best one is filtered for it (path hiding).",
    "ipv4 table master4 sorted;",
    "ipv6 table master6 sorted;",
    "",
    "protocol device {",
    "}",
    "",
  );
  if (rpki) {
    out.push(
      "# Validated ROAs. No `keep` timers: BIRD honours the cache's refresh/retry/expire (RFC 8210), so",
      "# when a cache goes away its ROAs stay until expire and no route is withdrawn or re-evaluated.",
      "roa4 table r4;",
      "roa6 table r6;",
      "",
    );
    input.lan.rpkiServers
      .map((server) => ({ host: hostLiteral(server.host), port: server.port }))
      .sort((a, b) => a.host.localeCompare(b.host) || a.port - b.port)
      .forEach((server, index) => {
        if (!Number.isInteger(server.port) || server.port < 1 || server.port > 65535) throw new Error(`bad RTR port ${server.port}`);
        out.push(`protocol rpki rpki_${index + 1} {`, "  roa4 { table r4; };", "  roa6 { table r6; };", `  remote "${server.host}" port ${server.port};`, "}", "");
      });
  }
  out.push(
    "# Tags a route with why it is filtered; tagged routes are kept, not announced.",
    "function rs_tag(int reason) {",
    "  bgp_large_community.add((RS_ASN, 1101, reason));",
    "}",
    "",
    importFunction(input, 4, rpki),
    "",
    importFunction(input, 6, rpki),
    "",
    exportFunction(input),
    "",
  );
  // Session settings every member shares; each member's protocol block only adds its own.
  for (const family of [4, 6] as const) {
    const local = family === 4 ? rs.ipv4Address : rs.ipv6Address;
    if (!local) continue;
    out.push(
      `template bgp tpl_rs_v${family} {`,
      `  local ${addressLiteral(local, family)} as RS_ASN;`,
      "  rs client;",
      "  passive on;",
      "  interpret communities off;",
      "  allow as sets off;",
      "}",
      "",
    );
  }

  const blackholing = { 4: blackholeAddress(input, 4) !== null, 6: blackholeAddress(input, 6) !== null };
  for (const member of members) {
    const asSet = safeAsSet(member.irrAsSet);
    out.push(`# AS${member.asn} ${safeText(member.name)} (connection ${member.connectionId})${asSet ? `, IRR ${asSet}` : ""}`);
    for (const family of [4, 6] as const) {
      const local = family === 4 ? rs.ipv4Address : rs.ipv6Address;
      const neighbor = family === 4 ? member.ipv4Address : member.ipv6Address;
      if (!local || !neighbor) continue;
      const irr = irrSets(member, family, blackholing[family]);
      if (irr) out.push(...irr.lines);
      out.push(session(member, family, input, addressLiteral(neighbor, family), irr), "");
    }
  }
  out.push(`# End of configuration (${members.length} member session group(s)).`, "");
  return out.join("\n");
}

/** What the members' "routing policy and communities" page shows, from the same input. */
export function describePolicy(input: Pick<RouteServerRenderInput, "lan" | "policy"> & { irrActive: boolean }) {
  const rs = input.lan.rsAsn;
  return {
    rsAsn: rs,
    rpki: input.lan.rpkiServers.length > 0,
    irr: input.irrActive,
    checks: [
      "The address family matches the session.",
      `IPv4 prefixes /${input.policy.ipv4PrefixLength.min} to /${input.policy.ipv4PrefixLength.max}, IPv6 /${input.policy.ipv6PrefixLength.min} to /${input.policy.ipv6PrefixLength.max}.`,
      "No bogon prefixes (private, reserved, documentation) and, for IPv6, global unicast (2000::/3) only.",
      "No bogon ASNs (private, reserved, documentation, AS_TRANS) anywhere in the AS path.",
      `AS path at most ${input.policy.maxAsPathLength} ASNs.`,
      "The first AS in the path is the member's own ASN.",
      "The next hop is the member's own peering-LAN address.",
      `No transit-free network in the path (${input.policy.transitFreeAsns.length} ASNs), unless the member is one.`,
      input.lan.rpkiServers.length > 0 ? "RPKI: invalid routes are filtered." : "RPKI: not checked on this LAN.",
      input.lan.blackholeIpv4 || input.lan.blackholeIpv6
        ? `Blackholing (RFC 7999): a route tagged 65535:666 (or ${input.lan.rsAsn}:666:0) for your own space (in your IRR prefix list, or RPKI valid) may be as long as /32 or /128; it is announced to the other members with next hop ${[input.lan.blackholeIpv4, input.lan.blackholeIpv6].filter(Boolean).join(" / ")} (traffic to it is discarded) and NO_EXPORT. For anyone else's space it is filtered.`
        : "Blackholing (RFC 7999): not offered on this LAN; a route tagged 65535:666 is an ordinary route (and a /32 is too long).",
      input.irrActive ? "IRR: prefixes must be in the member's IRR prefix list (from its as-set)." : "IRR: prefixes are not checked against IRR data on this LAN.",
      `Max-prefix per family: the operator's override, else PeeringDB's count plus ${input.policy.maxPrefixMarginPercent} %, else ${input.policy.defaultMaxPrefix4} (IPv4) / ${input.policy.defaultMaxPrefix6} (IPv6); past it the session restarts.`,
      "Graceful shutdown (65535:0) is honoured: such routes get local preference 0.",
    ],
    announcementControl: [
      { community: `${rs}:0:<peer-asn>`, meaning: "do not announce to <peer-asn>" },
      { community: `${rs}:0:0`, meaning: "announce to nobody (combine with the next)" },
      { community: `${rs}:1:<peer-asn>`, meaning: "announce to <peer-asn> even with 0:0" },
      ...(rs <= 65535
        ? [
            { community: "0:<peer-asn>", meaning: "do not announce to <peer-asn> (16-bit ASNs)" },
            { community: `0:${rs}`, meaning: "announce to nobody (combine with the next)" },
            { community: `${rs}:<peer-asn>`, meaning: "announce to <peer-asn> even with 0:rs" },
          ]
        : []),
      { community: "65535:0", meaning: "graceful shutdown (RFC 8326)" },
      ...(input.lan.blackholeIpv4 || input.lan.blackholeIpv6
        ? [
            { community: "65535:666", meaning: "BLACKHOLE (RFC 7999): drop traffic to this prefix of your own space, up to /32 or /128" },
            { community: `${rs}:666:0`, meaning: "the same as a large community" },
          ]
        : []),
    ],
    filterReasons: Object.entries(FILTER_REASONS).map(([code, meaning]) => ({ community: `${rs}:1101:${code}`, meaning })),
  };
}
