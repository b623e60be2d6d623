import "server-only";
import { addressLiteral, prefixListEntry, safeText } from "./escape";

type Peer = { name: string; ipv4: string | null; ipv6: string | null };

export type RouterConfigInput = {
  asn: number;
  networkName: string | null;
  lanName: string;
  ztNetworkId: string;
  ipv4: string | null;
  ipv6: string | null;
  rsAsn: number;
  routeServers: Peer[];
  /** The member's prefixes from its IRR prefix list, when ztix has one (else placeholders). */
  prefixes4: string[] | null;
  prefixes6: string[] | null;
  /** The LAN's blackhole addresses (RFC 7999), per family; null where the LAN has none. */
  blackholeIpv4: string | null;
  blackholeIpv6: string | null;
};

export const ROUTER_CONFIG_FLAVORS = ["bird", "frr"] as const;
export type RouterConfigFlavor = (typeof ROUTER_CONFIG_FLAVORS)[number];

/** Placeholders the member must fill in; each line carrying one says so. */
export const PLACEHOLDER = {
  ipv4Prefix: "<YOUR-IPV4-PREFIX>",
  ipv6Prefix: "<YOUR-IPV6-PREFIX>",
  password: "<BGP-PASSWORD>",
  ipv4Address: "<AN-IPV4-ADDRESS-OF-YOURS>",
  ipv6Address: "<AN-IPV6-ADDRESS-OF-YOURS>",
} as const;

const blackholeOf = (input: RouterConfigInput, family: 4 | 6) => (family === 4 ? input.blackholeIpv4 : input.blackholeIpv6);

/** What the route servers do with a blackhole request, in the flavor's comment style. */
function blackholeNote(input: RouterConfigInput, family: 4 | 6, comment: string) {
  const hostLength = family === 4 ? 32 : 128;
  return [
    `${comment} Blackholing (RFC 7999): to have traffic to one address of your own space dropped at the exchange,`,
    `${comment} announce that address alone (/${hostLength}) with the community 65535:666. The route servers pass it on`,
    `${comment} with next hop ${addressLiteral(blackholeOf(input, family)!, family)} (the LAN's blackhole address) and NO_EXPORT, and only for your`,
    `${comment} own space (your IRR prefix list or RPKI): anything else is filtered with reason 16.`,
  ];
}

const peerName = (name: string) => safeText(name).replace(/[^A-Za-z0-9]/g, "_");

function header(input: RouterConfigInput, comment: string) {
  if (!/^[0-9a-f]{16}$/.test(input.ztNetworkId)) throw new Error(`not a ZeroTier network id: ${JSON.stringify(input.ztNetworkId)}`);
  const c = (line = "") => (line ? `${comment} ${line}` : comment);
  return [
    c(`ztix router configuration for AS${input.asn}${input.networkName ? ` (${safeText(input.networkName)})` : ""} on ${safeText(input.lanName)}.`),
    c(`Sessions with the route servers (AS${input.rsAsn}); load it after filling in the lines marked PLACEHOLDER.`),
    c(),
    c("The ZeroTier side, once, on this router:"),
    c(`  zerotier-cli join ${input.ztNetworkId}`),
    c(`  zerotier-cli set ${input.ztNetworkId} allowGlobal=1`),
    c("ZeroTier puts public IX addresses on the interface only with allowGlobal=1 (measured with zerotier-one 1.14.1)."),
    c(`Your addresses on the LAN: ${[input.ipv4, input.ipv6].filter(Boolean).join(" and ")} (check with: zerotier-cli listnetworks).`),
    c(),
  ];
}

/** Each family the member and at least one route server have an address in. */
function families(input: RouterConfigInput) {
  return ([4, 6] as const).filter((family) => (family === 4 ? input.ipv4 : input.ipv6) && input.routeServers.some((server) => (family === 4 ? server.ipv4 : server.ipv6)));
}

/** The member's own prefixes as plain prefixes (an IRR list's `+` or `{a,b}` ranges dropped), or null. */
function prefixesOf(input: RouterConfigInput, family: 4 | 6) {
  const known = family === 4 ? input.prefixes4 : input.prefixes6;
  if (!known || known.length === 0) return null;
  return [...new Set(known.map((entry) => prefixListEntry(entry, family).replace(/[+{].*$/, "")))];
}

function birdConfig(input: RouterConfigInput) {
  const out = header(input, "#");
  out.push(
    "# Router id: your router's own id; the LAN address below works if you have none.",
    `router id ${addressLiteral(input.ipv4 ?? "192.0.2.1", 4)};`,
    "",
    "protocol device {",
    "}",
    "",
  );
  for (const family of families(input)) {
    const prefixes = prefixesOf(input, family);
    const placeholder = family === 4 ? PLACEHOLDER.ipv4Prefix : PLACEHOLDER.ipv6Prefix;
    out.push(
      `# Routes learned from the exchange go to the kernel (your own announcements stay out of it).`,
      "protocol kernel {",
      `  ipv${family} { export where source = RTS_BGP; };`,
      "}",
      "",
      `# The IPv${family} prefixes AS${input.asn} announces: one "route … blackhole;" line each`,
      "# (the blackhole is only for the aggregate: your more specific routes still win).",
      `protocol static own_v${family} {`,
      `  ipv${family};`,
      ...(prefixes
        ? [`  # From your IRR prefix list (its first 50 entries at most); keep only what this router should announce.`, ...prefixes.map((prefix) => `  route ${prefix} blackhole;`)]
        : [`  # PLACEHOLDER: uncomment and put in your prefix, one line per prefix.`, `  # route ${placeholder} blackhole;`]),
      "}",
      "",
    );
    const blackhole = blackholeOf(input, family) !== null;
    if (blackhole) {
      out.push(
        ...blackholeNote(input, family, "#"),
        `protocol static blackhole_v${family} {`,
        `  ipv${family};`,
        `  # PLACEHOLDER: uncomment with the address whose traffic is to be dropped.`,
        `  # route ${family === 4 ? PLACEHOLDER.ipv4Address : PLACEHOLDER.ipv6Address}/${family === 4 ? 32 : 128} blackhole;`,
        "}",
        "",
      );
    }
    out.push(
      `# Only your own prefixes are announced to the exchange${blackhole ? " (and blackhole requests, tagged 65535:666)" : ""}.`,
      `filter ix_export_v${family} {`,
      `  if proto = "own_v${family}" then accept;`,
      ...(blackhole ? [`  if proto = "blackhole_v${family}" then { bgp_community.add((65535, 666)); accept; }`] : []),
      "  reject;",
      "}",
      "",
    );
  }
  for (const server of input.routeServers) {
    for (const family of families(input)) {
      const local = family === 4 ? input.ipv4 : input.ipv6;
      const remote = family === 4 ? server.ipv4 : server.ipv6;
      if (!local || !remote) continue;
      out.push(
        `protocol bgp rs_${peerName(server.name)}_v${family} {`,
        `  description "route server ${safeText(server.name)}";`,
        `  local ${addressLiteral(local, family)} as ${input.asn};`,
        `  neighbor ${addressLiteral(remote, family)} as ${input.rsAsn};`,
        "  # The route server does not put its own AS in the path.",
        "  enforce first as off;",
        "  # Retry soon: the route server takes this session seconds after your connection is approved.",
        "  connect retry time 5;",
        "  error wait time 5, 60;",
        `  # PLACEHOLDER: only if the exchange set a BGP password for this connection.`,
        `  # password "${PLACEHOLDER.password}";`,
        `  ipv${family} {`,
        "    import all;",
        `    export filter ix_export_v${family};`,
        "  };",
        "}",
        "",
      );
    }
  }
  return out.join("\n");
}

function frrConfig(input: RouterConfigInput) {
  const out = header(input, "!");
  const fams = families(input);
  const neighbors = (family: 4 | 6) => input.routeServers.flatMap((server) => ((family === 4 ? server.ipv4 : server.ipv6) ? [{ server, address: addressLiteral((family === 4 ? server.ipv4 : server.ipv6)!, family) }] : []));
  const prefixes = (family: 4 | 6) => prefixesOf(input, family) ?? [family === 4 ? PLACEHOLDER.ipv4Prefix : PLACEHOLDER.ipv6Prefix];
  // FRR has no comments after a command: the mark goes on the line before.
  const indent = (line: string) => /^\s*/.exec(line)![0];
  const marked = (family: 4 | 6, line: string) => (prefixesOf(input, family) ? line : `${indent(line)}! PLACEHOLDER: your prefix (one line per prefix)\n${line}`);
  out.push("frr defaults traditional", "!");
  for (const family of fams) {
    for (const prefix of prefixes(family)) out.push(marked(family, `${family === 4 ? "ip" : "ipv6"} route ${prefix} Null0`));
    out.push("!");
  }
  out.push(`router bgp ${input.asn}`, ` ! Router id: your router's own id; the LAN address works if you have none.`, ` bgp router-id ${addressLiteral(input.ipv4 ?? "192.0.2.1", 4)}`, " no bgp enforce-first-as", " no bgp default ipv4-unicast");
  for (const family of fams) {
    for (const { server, address } of neighbors(family)) {
      out.push(
        ` neighbor ${address} remote-as ${input.rsAsn}`,
        ` neighbor ${address} description route server ${safeText(server.name)}`,
        " ! PLACEHOLDER: only if the exchange set a BGP password for this connection:",
        ` ! neighbor ${address} password ${PLACEHOLDER.password}`,
      );
    }
  }
  for (const family of fams) {
    out.push(` address-family ipv${family} unicast`);
    for (const prefix of prefixes(family)) out.push(marked(family, `  network ${prefix}`));
    for (const { address } of neighbors(family)) out.push(`  neighbor ${address} activate`, `  neighbor ${address} route-map IX-IN in`, `  neighbor ${address} route-map IX-OUT-V${family} out`);
    out.push(" exit-address-family");
  }
  out.push("!");
  for (const family of fams) {
    const list = family === 4 ? "ip prefix-list" : "ipv6 prefix-list";
    prefixes(family).forEach((prefix, index) => out.push(marked(family, `${list} IX-OWN-V${family} seq ${(index + 1) * 5} permit ${prefix}`)));
    out.push(`route-map IX-OUT-V${family} permit 10`, ` match ${family === 4 ? "ip" : "ipv6"} address prefix-list IX-OWN-V${family}`, "!");
  }
  out.push("route-map IX-IN permit 10", "!");
  for (const family of fams.filter((candidate) => blackholeOf(input, candidate) !== null)) {
    const address = `${family === 4 ? PLACEHOLDER.ipv4Address : PLACEHOLDER.ipv6Address}/${family === 4 ? 32 : 128}`;
    const ip = family === 4 ? "ip" : "ipv6";
    out.push(
      ...blackholeNote(input, family, "!"),
      `! PLACEHOLDER: uncomment with the address, and add " network ${address}" under address-family ipv${family} unicast.`,
      `! ${ip} route ${address} Null0`,
      `! ${ip} prefix-list IX-BLACKHOLE-V${family} seq 5 permit ${address}`,
      `! route-map IX-OUT-V${family} permit 5`,
      `!  match ${ip} address prefix-list IX-BLACKHOLE-V${family}`,
      "!  set community 65535:666 additive",
      "!",
    );
  }
  return out.join("\n") + "\n";
}

/** A complete, minimal router configuration for peering with a LAN's route servers. */
export function routerConfig(input: RouterConfigInput, flavor: RouterConfigFlavor) {
  return flavor === "bird" ? birdConfig(input) : frrConfig(input);
}
