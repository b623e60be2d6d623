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

function importFilter(member: RouteServerMember, family: Family, input: RouteServerRenderInput, address: string, rpki: boolean) {
  const asn = asnLiteral(member.asn);
  const lengths = family === 4 ? input.policy.ipv4PrefixLength : input.policy.ipv6PrefixLength;
  const lines = [
    `filter f_imp_c${member.connectionId}_v${family} {`,
    `  if net.type != NET_IP${family} then { rs_tag(6); reject; }`,
    "  # Our own filter-reason tags are ours to set; the member's control communities are kept.",
    "  bgp_large_community.delete([(RS_ASN, 1101, *)]);",
    "  if (65535, 0) ~ bgp_community then bgp_local_pref = 0;",
    `  if net.len < ${lengths.min} || net.len > ${lengths.max} then rs_tag(1);`,
    family === 4 ? "  if net ~ BOGONS_V4 then rs_tag(3);" : "  if !(net ~ [2000::/3+]) || net ~ BOGONS_V6 then rs_tag(3);",
    "  if bgp_path ~ BOGON_ASNS then rs_tag(4);",
    `  if bgp_path.len > ${input.policy.maxAsPathLength} then rs_tag(5);`,
    `  if bgp_path.first != ${asn} then rs_tag(7);`,
    `  if bgp_next_hop != ${address} then rs_tag(8);`,
  ];
  if (input.policy.transitFreeAsns.length > 0 && !input.policy.transitFreeAsns.includes(member.asn)) {
    lines.push("  if bgp_path ~ TRANSIT_FREE_ASNS then rs_tag(14);");
  }
  if (rpki) lines.push(`  if roa_check(r${family}, net, bgp_path.last) = ROA_INVALID then rs_tag(13);`);
  const irr = family === 4 ? member.irrPrefixes4 : member.irrPrefixes6;
  if (irr) {
    const entries = [...new Set(irr.map((entry) => prefixListEntry(entry, family)))].sort();
    lines.push(entries.length > 0 ? `  if !(net ~ [ ${entries.join(", ")} ]) then rs_tag(9);` : "  # The IRR prefix list is empty: nothing is accepted.\n  rs_tag(9);");
  } else {
    lines.push("  # No IRR prefix list for this member: prefixes are not checked against the IRR.");
  }
  lines.push("  if bgp_large_community ~ [(RS_ASN, 1101, *)] then reject;", "  accept;", "}");
  return lines.join("\n");
}

function exportFilter(member: RouteServerMember, family: Family, input: RouteServerRenderInput) {
  const asn = asnLiteral(member.asn);
  const rsAsn = input.lan.rsAsn;
  const lines = [`filter f_exp_c${member.connectionId}_v${family} {`];
  // Announcement control: (RS, 0, peer) never to peer; (RS, 0, 0) to nobody except (RS, 1, peer).
  lines.push(`  if (RS_ASN, 0, ${asn}) ~ bgp_large_community then reject;`);
  lines.push(`  if (RS_ASN, 0, 0) ~ bgp_large_community && !((RS_ASN, 1, ${asn}) ~ bgp_large_community) then reject;`);
  if (is16Bit(rsAsn) && is16Bit(member.asn)) {
    lines.push(`  if (0, ${asn}) ~ bgp_community then reject;`);
    lines.push(`  if (0, RS_ASN) ~ bgp_community && !((RS_ASN, ${asn}) ~ bgp_community) then reject;`);
  }
  lines.push("  bgp_large_community.delete([(RS_ASN, *, *)]);");
  if (is16Bit(rsAsn)) lines.push("  bgp_community.delete([(0, *), (RS_ASN, *)]);");
  lines.push("  accept;", "}");
  return lines.join("\n");
}

function session(member: RouteServerMember, family: Family, input: RouteServerRenderInput, local: string, neighbor: string) {
  const description = safeText(`AS${member.asn} ${member.name ?? ""}`);
  const lines = [
    `protocol bgp ${sessionName(member, family)} {`,
    `  description "${description}";`,
    `  local ${local} as RS_ASN;`,
    `  neighbor ${neighbor} as ${asnLiteral(member.asn)};`,
    "  rs client;",
    "  passive on;",
    "  interpret communities off;",
    "  allow as sets off;",
  ];
  if (member.bgpPassword) lines.push(`  password "${passwordLiteral(member.bgpPassword)}";`);
  lines.push(
    `  ipv${family} {`,
    "    secondary;",
    "    import keep filtered on;",
    "    import table on;",
    `    receive limit ${maxPrefix(member, family, input)} action restart;`,
    `    import filter f_imp_c${member.connectionId}_v${family};`,
    `    export filter f_exp_c${member.connectionId}_v${family};`,
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
    `# IRR: ${members.some((member) => member.irrPrefixes4 || member.irrPrefixes6) ? "prefix lists where a member has one (see each import filter)." : "no prefix lists configured; prefixes are NOT checked against the IRR."}`,
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
    out.push("roa4 table r4;", "roa6 table r6;", "");
    input.lan.rpkiServers
      .map((server) => ({ host: hostLiteral(server.host), port: server.port }))
      .sort((a, b) => a.host.localeCompare(b.host) || a.port - b.port)
      .forEach((server, index) => {
        if (!Number.isInteger(server.port) || server.port < 1 || server.port > 65535) throw new Error(`bad RTR port ${server.port}`);
        out.push(`protocol rpki rpki_${index + 1} {`, "  roa4 { table r4; };", "  roa6 { table r6; };", `  remote "${server.host}" port ${server.port};`, "}", "");
      });
  }
  out.push("# Tags a route with why it is filtered; tagged routes are kept, not announced.", "function rs_tag(int reason) {", "  bgp_large_community.add((RS_ASN, 1101, reason));", "}", "");

  for (const member of members) {
    const asSet = safeAsSet(member.irrAsSet);
    out.push(`# AS${member.asn} ${safeText(member.name)} (connection ${member.connectionId})${asSet ? `, IRR ${asSet}` : ""}`);
    for (const family of [4, 6] as const) {
      const local = family === 4 ? rs.ipv4Address : rs.ipv6Address;
      const neighbor = family === 4 ? member.ipv4Address : member.ipv6Address;
      if (!local || !neighbor) continue;
      const localLiteral = addressLiteral(local, family);
      const neighborLiteral = addressLiteral(neighbor, family);
      out.push(importFilter(member, family, input, neighborLiteral, rpki), "", exportFilter(member, family, input), "", session(member, family, input, localLiteral, neighborLiteral), "");
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
    ],
    filterReasons: Object.entries(FILTER_REASONS).map(([code, meaning]) => ({ community: `${rs}:1101:${code}`, meaning })),
  };
}
