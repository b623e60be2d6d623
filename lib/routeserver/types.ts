import "server-only";

/** Everything one route server's BIRD configuration is rendered from: plain data, no timestamps. */
export type RouteServerRenderInput = {
  generatedBy: string;
  lan: {
    id: number;
    name: string;
    rsAsn: number;
    ipv4Prefix: string;
    ipv6Prefix: string;
    /** RTR caches (validators); none means RPKI is not checked and the config says so. */
    rpkiServers: { host: string; port: number }[];
    /**
     * RFC 7999 blackholing: where accepted BLACKHOLE routes point (an address on the LAN whose
     * traffic is discarded). Unset for a family: BLACKHOLE-tagged routes are ordinary routes.
     */
    blackholeIpv4?: string | null;
    blackholeIpv6?: string | null;
  };
  routeServer: {
    id: number;
    name: string;
    routerId: string;
    ipv4Address: string | null;
    ipv6Address: string | null;
    /** A directory of host-local, version-specific snippets (must exist on the host), or null. */
    localIncludeDir: string | null;
    /** Drained for maintenance: every route it sends carries GRACEFUL_SHUTDOWN (65535:0, RFC 8326). */
    drained?: boolean;
  };
  policy: RoutePolicy;
  members: RouteServerMember[];
};

export type RoutePolicy = {
  maxAsPathLength: number;
  ipv4PrefixLength: { min: number; max: number };
  ipv6PrefixLength: { min: number; max: number };
  /** Extra headroom over PeeringDB's counts before max-prefix trips. */
  maxPrefixMarginPercent: number;
  defaultMaxPrefix4: number;
  defaultMaxPrefix6: number;
  /** Networks no member may have in its path (unless it is one of them). */
  transitFreeAsns: number[];
  /** Lab and test setups only: private and documentation ASNs would otherwise be bogons. */
  allowPrivateAsns?: boolean;
};

export type RouteServerMember = {
  connectionId: number;
  asn: number;
  /** From PeeringDB: never trusted, only ever written into comments and descriptions, sanitized. */
  name: string | null;
  irrAsSet: string | null;
  ipv4Address: string | null;
  ipv6Address: string | null;
  maxPrefix4: number | null;
  maxPrefix6: number | null;
  maxPrefixOverride4: number | null;
  maxPrefixOverride6: number | null;
  /** bgpq4-style prefix lists when IRR filtering is configured (null: not filtered by IRR). */
  irrPrefixes4: string[] | null;
  irrPrefixes6: string[] | null;
  bgpPassword: string | null;
};

export const DEFAULT_POLICY: RoutePolicy = {
  maxAsPathLength: 64,
  ipv4PrefixLength: { min: 8, max: 24 },
  ipv6PrefixLength: { min: 16, max: 48 },
  maxPrefixMarginPercent: 20,
  defaultMaxPrefix4: 1000,
  defaultMaxPrefix6: 500,
  // Large transit networks (arouteserver's default list): seen behind a member, it is a leak.
  transitFreeAsns: [174, 209, 701, 702, 1239, 1299, 2914, 3257, 3320, 3356, 3491, 3549, 3561, 5511, 6453, 6461, 6762, 6830, 7018, 12956],
};
