import { DEFAULT_POLICY, type RouteServerMember, type RouteServerRenderInput } from "@/lib/routeserver/types";

export function member(overrides: Partial<RouteServerMember> & { connectionId: number; asn: number }): RouteServerMember {
  return {
    name: `Network ${overrides.asn}`,
    irrAsSet: null,
    ipv4Address: `192.0.2.${10 + overrides.connectionId}`,
    ipv6Address: `2001:db8:ffff::${(10 + overrides.connectionId).toString(16)}`,
    maxPrefix4: 100,
    maxPrefix6: 20,
    maxPrefixOverride4: null,
    maxPrefixOverride6: null,
    irrPrefixes4: null,
    irrPrefixes6: null,
    bgpPassword: null,
    ...overrides,
  };
}

export function renderInput(overrides: Partial<RouteServerRenderInput> = {}): RouteServerRenderInput {
  return {
    generatedBy: "ztix test",
    lan: { id: 1, name: "main", rsAsn: 64496, ipv4Prefix: "192.0.2.0/24", ipv6Prefix: "2001:db8:ffff::/64", rpkiServers: [] },
    routeServer: { id: 1, name: "rs1", routerId: "192.0.2.1", ipv4Address: "192.0.2.1", ipv6Address: "2001:db8:ffff::1", localIncludeDir: null },
    policy: DEFAULT_POLICY,
    members: [
      member({ connectionId: 1, asn: 1000, irrAsSet: "RIPE::AS-ONE" }),
      member({ connectionId: 2, asn: 2000, name: "Second" }),
      member({ connectionId: 3, asn: 4200000001, maxPrefix4: null, maxPrefix6: null }),
      member({ connectionId: 4, asn: 3000, ipv6Address: null, maxPrefixOverride4: 5000 }),
    ],
    ...overrides,
  };
}
