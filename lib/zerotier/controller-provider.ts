import "server-only";
import { z } from "zod";
import { BaseProvider, mapLimit, READINESS_CALL, type ProviderOptions } from "./base-provider";
import { ZeroTierError } from "./errors";
import { normalizeNetworkId, normalizeNodeId } from "./ids";
import type { MemberInfo, MemberUpsert, NetworkConfig, NetworkInfo, PeerInfo, Readiness } from "./types";

// The shapes the controller answers with (shared/contracts/zerotier-controller-1.14.1.md); keys
// ztix does not use are left out, missing optional ones get the controller's defaults.
const ZRoute = z.object({ target: z.string(), via: z.string().nullable().default(null) });
const ZNetwork = z.object({
  id: z.string().regex(/^[0-9a-fA-F]{16}$/),
  name: z.string().default(""),
  private: z.boolean().default(true),
  mtu: z.number().int().default(2800),
  routes: z.array(ZRoute).default([]),
  v4AssignMode: z.object({ zt: z.boolean().default(false) }).default({ zt: false }),
  v6AssignMode: z.record(z.string(), z.boolean()).default({}),
  ipAssignmentPools: z.array(z.object({ ipRangeStart: z.string(), ipRangeEnd: z.string() })).default([]),
  enableBroadcast: z.boolean().default(true),
  multicastLimit: z.number().int().default(32),
  revision: z.number().int().nullable().default(null),
});
export const ZControllerMember = z.object({
  id: z.string().regex(/^[0-9a-fA-F]{10}$/),
  nwid: z.string().regex(/^[0-9a-fA-F]{16}$/),
  authorized: z.boolean(),
  ipAssignments: z.array(z.string()).default([]),
  noAutoAssignIps: z.boolean().default(false),
  activeBridge: z.boolean().default(false),
  name: z.string().nullable().optional(),
  revision: z.number().int(),
  creationTime: z.number().default(0),
  lastAuthorizedTime: z.number().default(0),
  lastDeauthorizedTime: z.number().default(0),
  identity: z.string().nullable().optional(),
  vMajor: z.number().int().default(-1),
  vMinor: z.number().int().default(-1),
  vRev: z.number().int().default(-1),
});
// GET /peer/<node id> on the service root (1.14.1 recording): {} for a node never seen.
const ZPeer = z.object({
  address: z.string().regex(/^[0-9a-fA-F]{10}$/),
  latency: z.number().int().default(-1),
  role: z.string().default("LEAF"),
  version: z.string().default("-1.-1.-1"),
  paths: z
    .array(z.object({ address: z.string(), active: z.boolean().default(false), expired: z.boolean().default(false), preferred: z.boolean().default(false), lastReceive: z.number().default(0) }))
    .default([]),
});
const ZStatus = z.object({ address: z.string().regex(/^[0-9a-f]{10}$/, "not a 10-digit lower-case node address"), version: z.string().default("unknown") });
const ZControllerStatus = z.object({ controller: z.boolean().optional(), databaseReady: z.boolean().optional() }).nullable();
const ZUnstableMembers = z.object({ data: z.array(z.unknown()), meta: z.object({ totalCount: z.number().int() }).partial().optional() });
// 1.12.2+: {"id": revision}; 1.12.0/1.12.1: [{"id": revision}, …] (ZeroTierOne #2114).
const ZMemberIds = z.union([z.record(z.string(), z.unknown()), z.array(z.record(z.string(), z.unknown()))]);

export function networkFromController(raw: z.infer<typeof ZNetwork>): NetworkInfo {
  return {
    networkId: raw.id.toLowerCase(),
    name: raw.name,
    private: raw.private,
    mtu: raw.mtu,
    routes: raw.routes,
    v4AssignMode: { zt: raw.v4AssignMode.zt },
    v6AssignMode: { zt: raw.v6AssignMode.zt ?? false, rfc4193: raw.v6AssignMode.rfc4193 ?? false, "6plane": raw.v6AssignMode["6plane"] ?? false },
    ipAssignmentPools: raw.ipAssignmentPools,
    enableBroadcast: raw.enableBroadcast,
    multicastLimit: raw.multicastLimit,
    revision: raw.revision,
  };
}

export function memberFromController(raw: z.infer<typeof ZControllerMember>): MemberInfo {
  return {
    networkId: raw.nwid.toLowerCase(),
    // Stored in the case it was sent (recording #34): ztix always speaks lower-case.
    nodeId: raw.id.toLowerCase(),
    authorized: raw.authorized,
    ipAssignments: raw.ipAssignments,
    noAutoAssignIps: raw.noAutoAssignIps,
    activeBridge: raw.activeBridge,
    name: raw.name ?? null,
    revision: raw.revision,
    creationTime: raw.creationTime,
    lastAuthorizedTime: raw.lastAuthorizedTime,
    lastDeauthorizedTime: raw.lastDeauthorizedTime,
    identity: raw.identity ?? null,
    clientVersion: raw.vMajor >= 0 ? `${raw.vMajor}.${raw.vMinor}.${raw.vRev}` : null,
  };
}

/**
 * The controller embedded in zerotier-one (1.14.x, the last openly licensed one): the local API
 * under ZT_CONTROLLER_URL (…:9993/controller), the token of authtoken.secret in X-ZT1-Auth.
 */
export class ControllerProvider extends BaseProvider {
  readonly kind = "self_hosted_controller" as const;
  /** The service root (…:9993), where /status and /unstable/ live. */
  readonly serviceUrl: string;

  constructor(options: ProviderOptions) {
    const url = options.url.trim().replace(/\/+$/, "");
    // Accept the service root too: the controller API is always under /controller.
    super({ ...options, url: /\/controller$/.test(url) ? url : `${url}/controller` });
    this.serviceUrl = this.baseUrl.replace(/\/controller$/, "");
  }

  protected get target() {
    return `ZeroTier controller at ${this.baseUrl}`;
  }

  protected get credentialHint() {
    return "ZT_CONTROLLER_TOKEN or ZT_CONTROLLER_TOKEN_FILE (authtoken.secret), and allowManagementFrom in local.conf if ztix is not on the controller's host";
  }

  protected authHeaders(token: string) {
    return { "X-ZT1-Auth": token };
  }

  /** Only under its own id: the controller never serves networks of another prefix. */
  protected createPath(controllerNodeId: string) {
    return `/network/${controllerNodeId}______`;
  }

  protected encodeNetwork(config: NetworkConfig) {
    return config;
  }

  protected encodeMember(fields: Partial<MemberUpsert>) {
    return fields;
  }

  protected decodeNetwork(body: unknown, what: string) {
    return networkFromController(this.decode(ZNetwork, body, what, "network"));
  }

  protected decodeMember(body: unknown, what: string) {
    return memberFromController(this.decode(ZControllerMember, body, what, "member"));
  }

  /**
   * Ready when GET /status names the node and GET /controller says controller: true and
   * databaseReady: true (research 1.11). `online` in /status is about the roots: not used.
   */
  protected async checkReadiness(): Promise<Readiness> {
    try {
      // Both asked at once (one round trip), judged in order.
      const [statusCall, controllerCall] = await Promise.allSettled([this.call("GET", "/status", { ...READINESS_CALL, base: this.serviceUrl }), this.call("GET", "", { ...READINESS_CALL, answers: [503] })]);
      if (statusCall.status === "rejected") throw statusCall.reason;
      const status = statusCall.value;
      if (status.status === 404) return { ready: false, kind: "error", reason: `${this.serviceUrl} answered 404 to GET /status: this is not a zerotier-one service API` };
      const { address, version } = this.decode(ZStatus, status.body, "GET /status", "node status");
      if (controllerCall.status === "rejected") throw controllerCall.reason;
      const controller = controllerCall.value;
      if (controller.status === 404) {
        return { ready: false, kind: "no_controller", reason: `zerotier-one ${version} at ${this.serviceUrl} has no network controller (GET /controller answered 404): 1.16+ builds include it only with ZT_NONFREE=1; ztix is tested with 1.14.x` };
      }
      const body = ZControllerStatus.safeParse(controller.body).data ?? null;
      if (controller.status === 503 || body?.databaseReady === false) {
        return { ready: false, kind: "database_not_ready", reason: `${this.target} says its database is not ready (GET /controller answered ${controller.status}, databaseReady: false)` };
      }
      if (controller.status !== 200 || body?.controller !== true || body.databaseReady !== true) {
        return { ready: false, kind: "error", reason: `${this.target} answered GET /controller with ${controller.status} ${JSON.stringify(controller.body)}, not controller: true and databaseReady: true` };
      }
      return { ready: true, nodeId: address, version };
    } catch (error) {
      return this.notReady(error);
    }
  }

  /** The router as the controller node's peer; null when the node has never been seen ({}). */
  async getPeer(_networkId: string, nodeId: string): Promise<PeerInfo | null> {
    const mid = normalizeNodeId(nodeId);
    const result = await this.call("GET", `/peer/${mid}`, { base: this.serviceUrl });
    if (result.status === 404 || !result.body || (typeof result.body === "object" && Object.keys(result.body).length === 0)) return null;
    const raw = this.decode(ZPeer, result.body, `GET /peer/${mid}`, "peer");
    return { nodeId: raw.address.toLowerCase(), version: raw.version.startsWith("-1") ? null : raw.version, latency: raw.latency, role: raw.role, paths: raw.paths };
  }

  /**
   * Every member in full, or an error. /unstable/ (1.14+) gives them in one request; older
   * controllers give ids only, then one GET each. A member that vanishes meanwhile makes the list
   * incomplete: an error, never a shorter list.
   */
  async listMembers(networkId: string): Promise<MemberInfo[]> {
    const nwid = normalizeNetworkId(networkId);
    const unstablePath = `/unstable/controller/network/${nwid}/member`;
    const unstable = await this.call("GET", unstablePath, { base: this.serviceUrl });
    if (unstable.status === 200) {
      const { data, meta } = this.decode(ZUnstableMembers, unstable.body, `GET ${unstablePath}`, "member list");
      const members = data.map((raw) => this.decodeMember(raw, `GET ${unstablePath}`));
      if (meta?.totalCount !== undefined && meta.totalCount !== members.length) {
        throw new ZeroTierError("mismatch", `${this.target} listed ${members.length} members of network ${nwid} but counts ${meta.totalCount}: the list is incomplete`, true);
      }
      return members;
    }
    // 404: an unknown network, or a controller older than 1.14 without /unstable/.
    const listing = await this.call("GET", `/network/${nwid}/member`);
    if (listing.status === 404) throw new ZeroTierError("not_found", `network ${nwid} does not exist on ${this.target}`, false, 404);
    const ids = this.decode(ZMemberIds, listing.body, `GET /network/${nwid}/member`, "member list");
    const memberIds = Array.isArray(ids) ? ids.flatMap((entry) => Object.keys(entry)) : Object.keys(ids);
    return mapLimit(memberIds, 8, async (id) => {
      const member = await this.getMember(nwid, id);
      if (!member) throw new ZeroTierError("mismatch", `member ${id} of network ${nwid} disappeared while ${this.target} was being listed: the list is incomplete, try again`, true);
      return member;
    });
  }
}
