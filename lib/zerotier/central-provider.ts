import "server-only";
import { BaseProvider } from "./base-provider";
import { ZeroTierError } from "./errors";
import { normalizeNetworkId, normalizeNodeId } from "./ids";
import type { MemberInfo, MemberUpsert, NetworkConfig, NetworkInfo, Readiness, ZeroTierProvider } from "./types";

type CentralMember = { networkId: string; nodeId: string; name?: string; config: { authorized: boolean; ipAssignments: string[]; noAutoAssignIps: boolean; revision: number } };
type CentralNetwork = { id: string; config: { name: string; private: boolean; mtu: number; routes: { target: string; via: string | null }[]; v4AssignMode: { zt: boolean }; v6AssignMode: Record<string, boolean>; ipAssignmentPools: { ipRangeStart: string; ipRangeEnd: string }[] } };

function member(raw: CentralMember): MemberInfo {
  return {
    networkId: raw.networkId.toLowerCase(),
    nodeId: raw.nodeId.toLowerCase(),
    authorized: raw.config.authorized,
    ipAssignments: raw.config.ipAssignments ?? [],
    noAutoAssignIps: raw.config.noAutoAssignIps,
    name: raw.name || null,
    revision: raw.config.revision,
  };
}

function network(raw: CentralNetwork): NetworkInfo {
  return {
    networkId: raw.id.toLowerCase(),
    name: raw.config.name,
    private: raw.config.private,
    mtu: raw.config.mtu,
    routes: raw.config.routes ?? [],
    v4AssignMode: raw.config.v4AssignMode ?? { zt: false },
    v6AssignMode: raw.config.v6AssignMode ?? {},
    ipAssignmentPools: raw.config.ipAssignmentPools ?? [],
  };
}

/** ZeroTier Central API v1 (compatibility only): `Authorization: token`, fields under `config`. */
export class CentralProvider extends BaseProvider implements ZeroTierProvider {
  readonly kind = "central" as const;

  protected authHeaders() {
    return { Authorization: `token ${this.token()}` };
  }

  protected label() {
    return "ZeroTier Central";
  }

  async readiness(): Promise<Readiness> {
    try {
      const status = await this.call("GET", "/status", { once: true });
      if (status.status !== 200) return { ready: false, kind: "error", reason: `GET /status answered ${status.status}` };
      return { ready: true, nodeId: "central", version: String((status.body as { version?: unknown }).version ?? "central") };
    } catch (error) {
      if (error instanceof ZeroTierError) {
        const kind = error.kind === "unauthorized" ? "unauthorized" : error.kind === "timeout" ? "timeout" : error.kind === "unreachable" ? "unreachable" : "error";
        return { ready: false, kind, reason: error.kind === "unauthorized" ? `${this.baseUrl} rejected the API token: check ZT_CENTRAL_API_TOKEN` : error.message };
      }
      return { ready: false, kind: "error", reason: String(error) };
    }
  }

  async getNetwork(networkId: string) {
    const result = await this.call("GET", `/network/${normalizeNetworkId(networkId)}`);
    return result.status === 404 ? null : network(result.body as CentralNetwork);
  }

  protected async postNetwork(networkId: string | null, config: NetworkConfig) {
    const path = networkId ? `/network/${networkId}` : "/network";
    const result = await this.call("POST", path, { body: { config }, idempotent: networkId !== null });
    if (result.status !== 200) throw new ZeroTierError("rejected", `POST ${path} answered ${result.status}`, false, result.status);
    return network(result.body as CentralNetwork);
  }

  async getMember(networkId: string, nodeId: string) {
    const result = await this.call("GET", `/network/${normalizeNetworkId(networkId)}/member/${normalizeNodeId(nodeId)}`);
    return result.status === 404 ? null : member(result.body as CentralMember);
  }

  protected async postMember(networkId: string, nodeId: string, body: MemberUpsert | { authorized: false; ipAssignments: [] }) {
    const { name, ...config } = body as MemberUpsert;
    const result = await this.call("POST", `/network/${networkId}/member/${nodeId}`, { body: { ...(name ? { name } : {}), config }, idempotent: true });
    if (result.status === 404) throw new ZeroTierError("not_found", `network ${networkId} does not exist on Central`, false, 404);
    if (result.status !== 200) throw new ZeroTierError("rejected", `member ${nodeId}: POST answered ${result.status}`, false, result.status);
  }

  async listMembers(networkId: string) {
    const result = await this.call("GET", `/network/${normalizeNetworkId(networkId)}/member`);
    if (result.status === 404) throw new ZeroTierError("not_found", `network ${networkId} does not exist on Central`, false, 404);
    return (result.body as CentralMember[]).map(member);
  }

  protected async removeMember(networkId: string, nodeId: string) {
    const result = await this.call("DELETE", `/network/${networkId}/member/${nodeId}`);
    return result.status === 200;
  }
}
