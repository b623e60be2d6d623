import "server-only";
import { z } from "zod";
import { BaseProvider, READINESS_CALL } from "./base-provider";
import { ZeroTierError } from "./errors";
import { normalizeNetworkId, normalizeNodeId } from "./ids";
import type { MemberInfo, MemberUpsert, NetworkConfig, NetworkInfo, PeerInfo, Readiness } from "./types";

// Central API v1 (research section 2): controller fields live under `config`.
const ZCentralNetwork = z.object({
  id: z.string().regex(/^[0-9a-fA-F]{16}$/),
  config: z.object({
    name: z.string().nullable().default(""),
    private: z.boolean().default(true),
    mtu: z.number().int().default(2800),
    routes: z.array(z.object({ target: z.string(), via: z.string().nullable().default(null) })).nullable().default([]),
    v4AssignMode: z.object({ zt: z.boolean().default(false) }).nullable().default({ zt: false }),
    v6AssignMode: z.record(z.string(), z.boolean()).nullable().default({}),
    ipAssignmentPools: z.array(z.object({ ipRangeStart: z.string(), ipRangeEnd: z.string() })).nullable().default([]),
    enableBroadcast: z.boolean().default(true),
    multicastLimit: z.number().int().default(32),
  }),
});
const ZCentralMember = z
  .object({
    networkId: z.string().optional(),
    nodeId: z.string().optional(),
    name: z.string().nullable().optional(),
    config: z.object({
      id: z.string().optional(),
      address: z.string().optional(),
      nwid: z.string().optional(),
      authorized: z.boolean(),
      ipAssignments: z.array(z.string()).nullable().default([]),
      noAutoAssignIps: z.boolean().default(false),
      activeBridge: z.boolean().default(false),
      revision: z.number().int().default(0),
      creationTime: z.number().default(0),
      lastAuthorizedTime: z.number().default(0),
      lastDeauthorizedTime: z.number().default(0),
      identity: z.string().nullable().optional(),
    }),
  })
  .refine((member) => /^[0-9a-fA-F]{10}$/.test(member.nodeId ?? member.config.address ?? member.config.id ?? ""), "no 10-digit node id")
  .refine((member) => /^[0-9a-fA-F]{16}$/.test(member.networkId ?? member.config.nwid ?? ""), "no 16-digit network id");
// Central keeps presence on the member: last contact (ms), the physical address, the client version.
const ZCentralPresence = z.object({
  nodeId: z.string().optional(),
  lastOnline: z.number().nullable().default(0),
  physicalAddress: z.string().nullable().default(null),
  clientVersion: z.string().nullable().default(""),
});
const ZCentralStatus = z.object({ version: z.string().optional(), user: z.unknown().optional() }).loose();

/** ZeroTier Central API v1 (compatibility only): `Authorization: token …`, fields under `config`. */
export class CentralProvider extends BaseProvider {
  readonly kind = "central" as const;

  protected get target() {
    return `ZeroTier Central at ${this.baseUrl}`;
  }

  protected get credentialHint() {
    return "ZT_CENTRAL_API_TOKEN";
  }

  protected authHeaders(token: string) {
    return { Authorization: `token ${token}` };
  }

  protected createPath() {
    return "/network";
  }

  protected encodeNetwork(config: NetworkConfig) {
    return { config };
  }

  protected encodeMember({ name, ...config }: Partial<MemberUpsert>) {
    return { ...(name !== undefined ? { name } : {}), config };
  }

  protected decodeNetwork(body: unknown, what: string): NetworkInfo {
    const raw = this.decode(ZCentralNetwork, body, what, "network");
    const v6 = raw.config.v6AssignMode ?? {};
    return {
      networkId: raw.id.toLowerCase(),
      name: raw.config.name ?? "",
      private: raw.config.private,
      mtu: raw.config.mtu,
      routes: raw.config.routes ?? [],
      v4AssignMode: { zt: raw.config.v4AssignMode?.zt ?? false },
      v6AssignMode: { zt: v6.zt ?? false, rfc4193: v6.rfc4193 ?? false, "6plane": v6["6plane"] ?? false },
      ipAssignmentPools: raw.config.ipAssignmentPools ?? [],
      enableBroadcast: raw.config.enableBroadcast,
      multicastLimit: raw.config.multicastLimit,
      revision: null,
    };
  }

  protected decodeMember(body: unknown, what: string): MemberInfo {
    const raw = this.decode(ZCentralMember, body, what, "member");
    return {
      networkId: (raw.networkId ?? raw.config.nwid ?? "").toLowerCase(),
      nodeId: (raw.nodeId ?? raw.config.address ?? raw.config.id ?? "").toLowerCase(),
      authorized: raw.config.authorized,
      ipAssignments: raw.config.ipAssignments ?? [],
      noAutoAssignIps: raw.config.noAutoAssignIps,
      activeBridge: raw.config.activeBridge,
      name: raw.name || null,
      revision: raw.config.revision,
      creationTime: raw.config.creationTime,
      lastAuthorizedTime: raw.config.lastAuthorizedTime,
      lastDeauthorizedTime: raw.config.lastDeauthorizedTime,
      identity: raw.config.identity ?? null,
    };
  }

  /** A cheap authenticated GET. Central has no controller node id: "central" stands in. */
  protected async checkReadiness(): Promise<Readiness> {
    try {
      const status = await this.call("GET", "/status", READINESS_CALL);
      if (status.status === 404) return { ready: false, kind: "error", reason: `${this.baseUrl} answered 404 to GET /status: this is not the Central API v1 (ZT_CENTRAL_URL)` };
      const body = this.decode(ZCentralStatus, status.body, "GET /status", "account status");
      if ("user" in body && body.user == null) return { ready: false, kind: "unauthorized", reason: `${this.target} did not recognise the API token (GET /status shows no user): check ${this.credentialHint}` };
      return { ready: true, nodeId: "central", version: body.version ?? "central" };
    } catch (error) {
      return this.notReady(error);
    }
  }

  /** Central has no peer API: the member's presence fields stand in (online when heard from in the last 5 minutes). */
  async getPeer(networkId: string, nodeId: string): Promise<PeerInfo | null> {
    const nwid = normalizeNetworkId(networkId);
    const mid = normalizeNodeId(nodeId);
    const result = await this.call("GET", `/network/${nwid}/member/${mid}`);
    if (result.status === 404) return null;
    const raw = this.decode(ZCentralPresence, result.body, `GET /network/${nwid}/member/${mid}`, "member");
    const lastOnline = raw.lastOnline ?? 0;
    if (!lastOnline) return null;
    const recent = Date.now() - lastOnline < 5 * 60_000;
    const version = raw.clientVersion?.replace(/^v/, "") || null;
    const paths = raw.physicalAddress ? [{ address: raw.physicalAddress, active: recent, expired: !recent, preferred: true, lastReceive: lastOnline }] : [];
    return { nodeId: mid, version, latency: -1, role: "LEAF", paths };
  }

  /** Central's list carries full members: one request, complete or an error. */
  async listMembers(networkId: string): Promise<MemberInfo[]> {
    const nwid = normalizeNetworkId(networkId);
    const path = `/network/${nwid}/member`;
    const result = await this.call("GET", path);
    if (result.status === 404) throw new ZeroTierError("not_found", `network ${nwid} does not exist on ${this.target}`, false, 404);
    const members = this.decode(z.array(z.unknown()), result.body, `GET ${path}`, "member list");
    return members.map((raw) => this.decodeMember(raw, `GET ${path}`));
  }
}
