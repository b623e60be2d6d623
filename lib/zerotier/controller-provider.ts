import "server-only";
import { BaseProvider, type ProviderOptions } from "./base-provider";
import { ZeroTierError } from "./errors";
import { normalizeNetworkId, normalizeNodeId } from "./ids";
import type { MemberInfo, MemberUpsert, NetworkConfig, NetworkInfo, Readiness, ZeroTierProvider } from "./types";

type RawMember = { id: string; nwid: string; authorized: boolean; ipAssignments: string[]; noAutoAssignIps: boolean; name?: string; revision: number };
type RawNetwork = { id: string; name: string; private: boolean; mtu: number; routes: { target: string; via: string | null }[]; v4AssignMode: { zt: boolean }; v6AssignMode: Record<string, boolean>; ipAssignmentPools: { ipRangeStart: string; ipRangeEnd: string }[] };

export function memberFromController(raw: RawMember): MemberInfo {
  return {
    networkId: raw.nwid.toLowerCase(),
    nodeId: raw.id.toLowerCase(),
    authorized: raw.authorized,
    ipAssignments: raw.ipAssignments ?? [],
    noAutoAssignIps: raw.noAutoAssignIps,
    name: raw.name ?? null,
    revision: raw.revision,
  };
}

export function networkFromController(raw: RawNetwork): NetworkInfo {
  return {
    networkId: raw.id.toLowerCase(),
    name: raw.name,
    private: raw.private,
    mtu: raw.mtu,
    routes: raw.routes ?? [],
    v4AssignMode: raw.v4AssignMode ?? { zt: false },
    v6AssignMode: raw.v6AssignMode ?? {},
    ipAssignmentPools: raw.ipAssignmentPools ?? [],
  };
}

/**
 * The controller embedded in zerotier-one (1.14.x, the last openly licensed one): local API under
 * ZT_CONTROLLER_URL (…/controller), token from authtoken.secret in X-ZT1-Auth.
 */
export class ControllerProvider extends BaseProvider implements ZeroTierProvider {
  readonly kind = "self_hosted_controller" as const;
  /** The service root (…:9993), where /status lives. */
  private readonly serviceUrl: string;

  constructor(options: ProviderOptions) {
    super(options);
    this.serviceUrl = this.baseUrl.replace(/\/controller$/, "");
  }

  protected authHeaders() {
    return { "X-ZT1-Auth": this.token() };
  }

  protected label() {
    return "ZeroTier controller";
  }

  async readiness(): Promise<Readiness> {
    try {
      const status = await this.call("GET", "/status", { base: this.serviceUrl, once: true });
      const nodeId = (status.body as { address?: unknown } | null)?.address;
      if (status.status !== 200 || typeof nodeId !== "string" || !/^[0-9a-f]{10}$/.test(nodeId)) {
        return { ready: false, kind: "error", reason: `GET /status answered ${status.status} without a node address` };
      }
      const controller = await this.call("GET", "", { answers: [503], once: true });
      const body = controller.body as { controller?: boolean; databaseReady?: boolean } | null;
      if (controller.status === 404) return { ready: false, kind: "no_controller", reason: `no controller at ${this.baseUrl} (404: zerotier-one built without its controller?)` };
      if (controller.status === 503 || body?.databaseReady === false) return { ready: false, kind: "database_not_ready", reason: "the controller's database is not ready (databaseReady: false)" };
      if (controller.status !== 200 || body?.controller !== true) return { ready: false, kind: "error", reason: `GET /controller answered ${controller.status}` };
      return { ready: true, nodeId, version: String((status.body as { version?: unknown }).version ?? "unknown") };
    } catch (error) {
      if (error instanceof ZeroTierError) {
        const kind = error.kind === "unauthorized" ? "unauthorized" : error.kind === "timeout" ? "timeout" : error.kind === "unreachable" ? "unreachable" : "error";
        const reason =
          error.kind === "unauthorized"
            ? `${this.serviceUrl} rejected the token (401): check ZT_CONTROLLER_TOKEN / ZT_CONTROLLER_TOKEN_FILE, and allowManagementFrom if ztix is not on the controller's host`
            : error.message;
        return { ready: false, kind, reason };
      }
      return { ready: false, kind: "error", reason: error instanceof Error ? error.message : String(error) };
    }
  }

  async getNetwork(networkId: string) {
    const result = await this.call("GET", `/network/${normalizeNetworkId(networkId)}`);
    if (result.status === 404) return null;
    return networkFromController(result.body as RawNetwork);
  }

  protected async postNetwork(networkId: string | null, config: NetworkConfig) {
    // Create under our own prefix (the controller only serves networks that start with its id).
    const path = networkId ? `/network/${networkId}` : `/network`;
    const result = await this.call("POST", path, { body: config, idempotent: networkId !== null });
    if (result.status !== 200) throw new ZeroTierError("rejected", `POST ${path} answered ${result.status}`, false, result.status);
    return networkFromController(result.body as RawNetwork);
  }

  async getMember(networkId: string, nodeId: string) {
    const result = await this.call("GET", `/network/${normalizeNetworkId(networkId)}/member/${normalizeNodeId(nodeId)}`);
    if (result.status === 404) return null;
    return memberFromController(result.body as RawMember);
  }

  protected async postMember(networkId: string, nodeId: string, body: MemberUpsert | { authorized: false; ipAssignments: [] }) {
    // A create-or-merge of whole values: sending it twice is harmless, so it may be retried.
    const result = await this.call("POST", `/network/${networkId}/member/${nodeId}`, { body, idempotent: true });
    if (result.status === 404) throw new ZeroTierError("not_found", `network ${networkId} does not exist on the controller`, false, 404);
    if (result.status !== 200) throw new ZeroTierError("rejected", `member ${nodeId}: POST answered ${result.status}`, false, result.status);
  }

  async listMembers(networkId: string) {
    const nwid = normalizeNetworkId(networkId);
    const unstable = await this.call("GET", `/network/${nwid}/member`, { base: `${this.serviceUrl}/unstable/controller` });
    if (unstable.status === 200 && Array.isArray((unstable.body as { data?: unknown })?.data)) {
      return ((unstable.body as { data: RawMember[] }).data).map(memberFromController);
    }
    // Before 1.14: ids and revisions, then one GET each.
    const list = await this.call("GET", `/network/${nwid}/member`);
    if (list.status === 404) throw new ZeroTierError("not_found", `network ${nwid} does not exist on the controller`, false, 404);
    const ids = Array.isArray(list.body) ? list.body.flatMap((entry) => Object.keys(entry as object)) : Object.keys(list.body as object);
    const members: MemberInfo[] = [];
    for (const id of ids) {
      const member = await this.getMember(nwid, id);
      if (!member) throw new ZeroTierError("mismatch", `member ${id} vanished while listing ${nwid}; the list is incomplete`, true);
      members.push(member);
    }
    return members;
  }

  protected async removeMember(networkId: string, nodeId: string) {
    const result = await this.call("DELETE", `/network/${networkId}/member/${nodeId}`);
    return result.status === 200;
  }
}
