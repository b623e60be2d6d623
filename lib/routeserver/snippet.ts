import "server-only";
import { safeText } from "./escape";

type Peer = { name: string; ipv4: string | null; ipv6: string | null };

/** A ready-to-paste router config for peering with a LAN's route servers (BIRD 2 and FRR). */
export function routerSnippets(input: { asn: number; ipv4: string | null; ipv6: string | null; rsAsn: number; lanName: string; routeServers: Peer[] }) {
  const servers = input.routeServers.map((server) => ({ ...server, name: safeText(server.name).replace(/[^A-Za-z0-9]/g, "_") }));
  const bird = [
    `# ${safeText(input.lanName)}: sessions with the route servers (AS${input.rsAsn}). Replace EXPORT_FILTER with your own.`,
    ...servers.flatMap((server) =>
      ([4, 6] as const).flatMap((family) => {
        const local = family === 4 ? input.ipv4 : input.ipv6;
        const remote = family === 4 ? server.ipv4 : server.ipv6;
        if (!local || !remote) return [];
        return [
          `protocol bgp ix_${server.name}_v${family} {`,
          `  local ${local} as ${input.asn};`,
          `  neighbor ${remote} as ${input.rsAsn};`,
          "  # The route server does not put its ASN in the path.",
          "  enforce first as off;",
          `  ipv${family} {`,
          "    import all;  # or your own import policy",
          "    export filter EXPORT_FILTER;",
          "  };",
          "}",
          "",
        ];
      }),
    ),
  ].join("\n");
  const frr = [
    `! ${safeText(input.lanName)}: sessions with the route servers (AS${input.rsAsn}). Fill in your prefix lists / route maps.`,
    `router bgp ${input.asn}`,
    " no bgp enforce-first-as",
    ...servers.flatMap((server) => [server.ipv4, server.ipv6].filter((address): address is string => Boolean(address)).flatMap((address) => [` neighbor ${address} remote-as ${input.rsAsn}`, ` neighbor ${address} description route server ${server.name}`])),
    ...([4, 6] as const).flatMap((family) => {
      const addresses = servers.map((server) => (family === 4 ? server.ipv4 : server.ipv6)).filter((address): address is string => Boolean(address));
      if (addresses.length === 0 || !(family === 4 ? input.ipv4 : input.ipv6)) return [];
      return [
        ` address-family ipv${family} unicast`,
        ...addresses.flatMap((address) => [`  neighbor ${address} activate`, `  neighbor ${address} route-map IX-IN in`, `  neighbor ${address} route-map IX-OUT out`]),
        " exit-address-family",
      ];
    }),
    "!",
  ].join("\n");
  return { bird, frr };
}
