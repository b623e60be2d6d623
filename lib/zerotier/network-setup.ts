import "server-only";
import { parsePrefix } from "@/lib/addressing/ip";
import { ZeroTierError } from "./errors";
import { canonicalAddress, canonicalTarget, normalizeNetworkId } from "./ids";
import type { NetworkConfig, NetworkInfo, ZeroTierProvider } from "./types";

export type LanNetworkInput = { name: string; ipv4Prefix: string; ipv6Prefix: string; mtu: number };

function prefixOf(value: string, family: 4 | 6, field: string) {
  const prefix = parsePrefix(value);
  if (!prefix || prefix.family !== family) {
    throw new ZeroTierError("invalid_input", `${field} "${value}" is not an IPv${family} prefix with its host bits zero (such as ${family === 4 ? "192.0.2.0/24" : "2001:db8:ffff::/64"})`, false);
  }
  return prefix.text;
}

/**
 * A peering LAN's network: private (every router is approved), nothing assigned automatically
 * (ztix assigns each address), an on-link route per LAN prefix (a static address reaches a member
 * only inside a route: research 1.8). Assign modes are whole objects: the controller replaces them.
 */
export function lanNetworkConfig(input: LanNetworkInput): NetworkConfig {
  return {
    name: input.name,
    private: true,
    mtu: input.mtu,
    routes: [
      { target: prefixOf(input.ipv4Prefix, 4, "IPv4 prefix"), via: null },
      { target: prefixOf(input.ipv6Prefix, 6, "IPv6 prefix"), via: null },
    ],
    v4AssignMode: { zt: false },
    v6AssignMode: { zt: false, rfc4193: false, "6plane": false },
    ipAssignmentPools: [],
    // NDP (IPv6) needs multicast; only IPv4 ARP works without broadcast.
    enableBroadcast: true,
  };
}

/** Creates and configures the LAN's network on the controller, verified by reading it back. */
export async function createLanNetwork(provider: ZeroTierProvider, input: LanNetworkInput): Promise<{ networkId: string; network: NetworkInfo }> {
  const network = await provider.createNetwork(lanNetworkConfig(input));
  return { networkId: network.networkId, network };
}

/** Writes the LAN's network configuration again (e.g. a changed MTU), verified by reading it back. */
export async function configureLanNetwork(provider: ZeroTierProvider, networkId: string, input: LanNetworkInput): Promise<NetworkInfo> {
  return provider.configureNetwork(normalizeNetworkId(networkId), lanNetworkConfig(input));
}

/**
 * Why an existing network cannot serve as this LAN, one sentence per problem (empty when it can).
 * Throws when the controller cannot be asked: "could not check" is not "no problems".
 */
export async function checkExistingNetwork(
  provider: ZeroTierProvider,
  networkId: string,
  lan: { ipv4Prefix: string; ipv6Prefix: string; mtu?: number },
): Promise<string[]> {
  const nwid = normalizeNetworkId(networkId);
  const wanted = [prefixOf(lan.ipv4Prefix, 4, "IPv4 prefix"), prefixOf(lan.ipv6Prefix, 6, "IPv6 prefix")];
  const readiness = await provider.readiness();
  if (!readiness.ready) throw new ZeroTierError("not_ready", `cannot check network ${nwid}: ${readiness.reason}`, true);
  const network = await provider.getNetwork(nwid);
  if (!network) return [`network ${nwid} does not exist on the controller`];

  const problems: string[] = [];
  if (provider.kind === "self_hosted_controller" && !nwid.startsWith(readiness.nodeId)) {
    problems.push(`it belongs to controller ${nwid.slice(0, 10)}, not this one (${readiness.nodeId}): routers could never join it`);
  }
  if (!network.private) problems.push("it is public: any router could join without approval");
  if (network.v4AssignMode.zt) problems.push("IPv4 auto-assignment is on (v4AssignMode.zt): ztix assigns every address itself");
  const v6 = (["zt", "rfc4193", "6plane"] as const).filter((mode) => network.v6AssignMode[mode]);
  if (v6.length > 0) problems.push(`IPv6 auto-assignment is on (v6AssignMode ${v6.join(", ")}): ztix assigns every address itself`);
  if (!network.enableBroadcast) problems.push("broadcast is off (enableBroadcast: false): IPv6 neighbour discovery would fail");
  if (lan.mtu !== undefined && network.mtu !== lan.mtu) problems.push(`its MTU is ${network.mtu}, not ${lan.mtu}`);

  const routes = network.routes.map((route) => ({ target: canonicalTarget(route.target), via: route.via === null ? null : (canonicalAddress(route.via) ?? route.via) }));
  for (const prefix of wanted) {
    const route = routes.find((candidate) => candidate.target === prefix);
    if (!route) problems.push(`it has no on-link route for ${prefix}: addresses in it would never reach the routers`);
    else if (route.via !== null) problems.push(`its route for ${prefix} goes via ${route.via}; the LAN needs it on-link (via null)`);
  }
  // Every managed route is pushed to every router: on an IX LAN that would steer members' traffic.
  const extra = routes.filter((route) => !wanted.includes(route.target));
  if (extra.length > 0) problems.push(`it pushes other routes to every router: ${extra.map((route) => `${route.target}${route.via ? ` via ${route.via}` : ""}`).join(", ")}`);
  return problems;
}
