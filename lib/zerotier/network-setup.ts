import "server-only";
import { ZeroTierError } from "./errors";
import { normalizeNetworkId } from "./ids";
import type { NetworkConfig, ZeroTierProvider } from "./types";

/** A peering LAN's network: private, nothing assigned automatically, a route per LAN prefix. */
export function lanNetworkConfig(input: { name: string; ipv4Prefix: string; ipv6Prefix: string; mtu: number }): NetworkConfig {
  return {
    name: input.name,
    private: true,
    mtu: input.mtu,
    // Static ipAssignments reach members only inside a route: one per LAN prefix, on-link.
    routes: [
      { target: input.ipv4Prefix, via: null },
      { target: input.ipv6Prefix, via: null },
    ],
    v4AssignMode: { zt: false },
    v6AssignMode: { zt: false, rfc4193: false, "6plane": false },
    ipAssignmentPools: [],
    enableBroadcast: true,
  };
}

export async function createLanNetwork(provider: ZeroTierProvider, input: { name: string; ipv4Prefix: string; ipv6Prefix: string; mtu: number }) {
  const created = await provider.createNetwork(lanNetworkConfig(input));
  return { networkId: created.networkId, network: created };
}

/** Why an existing network cannot serve as this LAN (empty when it can). */
export async function checkExistingNetwork(provider: ZeroTierProvider, networkId: string, prefixes: { ipv4Prefix: string; ipv6Prefix: string }) {
  const nwid = normalizeNetworkId(networkId);
  const readiness = await provider.readiness();
  if (!readiness.ready) throw new ZeroTierError("not_ready", `ZeroTier not ready: ${readiness.reason}`, true);
  const network = await provider.getNetwork(nwid);
  if (!network) return [`network ${nwid} does not exist on the controller`];
  const problems: string[] = [];
  if (provider.kind === "self_hosted_controller" && !nwid.startsWith(readiness.nodeId)) problems.push(`it belongs to controller ${nwid.slice(0, 10)}, not this one (${readiness.nodeId}): members could never join`);
  if (!network.private) problems.push("it is public: anyone could join without approval");
  if (network.v4AssignMode.zt) problems.push("IPv4 auto-assignment is on");
  if (Object.values(network.v6AssignMode).some(Boolean)) problems.push("IPv6 auto-assignment is on");
  for (const prefix of [prefixes.ipv4Prefix, prefixes.ipv6Prefix]) {
    if (!network.routes.some((route) => route.target === prefix && route.via === null)) problems.push(`it has no on-link route for ${prefix}`);
  }
  return problems;
}
