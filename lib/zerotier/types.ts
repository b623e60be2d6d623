import "server-only";

export type ProviderKind = "self_hosted_controller" | "central";

export type ReadinessFailureKind =
  | "unreachable"
  | "timeout"
  | "unauthorized"
  /** zerotier-one answers, but has no controller (GET /controller → 404: 1.16+ free builds). */
  | "no_controller"
  /** GET /controller → 503 / databaseReady: false. */
  | "database_not_ready"
  | "rate_limited"
  | "server_error"
  | "error";

export type Readiness = { ready: true; nodeId: string; version: string } | { ready: false; reason: string; kind: ReadinessFailureKind };

export type Route = { target: string; via: string | null };
export type IpPool = { ipRangeStart: string; ipRangeEnd: string };
export type V6AssignMode = { zt: boolean; rfc4193: boolean; "6plane": boolean };

/** What ztix writes to a network. Objects and arrays are sent whole: the controller replaces them. */
export type NetworkConfig = {
  name: string;
  private: boolean;
  mtu: number;
  routes: Route[];
  v4AssignMode: { zt: boolean };
  v6AssignMode: V6AssignMode;
  ipAssignmentPools: IpPool[];
  enableBroadcast?: boolean;
  multicastLimit?: number;
};

/** A network as read, the same for both providers. */
export type NetworkInfo = {
  networkId: string;
  name: string;
  private: boolean;
  mtu: number;
  routes: Route[];
  v4AssignMode: { zt: boolean };
  /** Keys the controller does not hold read as false (an object sent whole may have dropped them). */
  v6AssignMode: V6AssignMode;
  ipAssignmentPools: IpPool[];
  enableBroadcast: boolean;
  multicastLimit: number;
  /** Null where the provider has no revision (Central). */
  revision: number | null;
};

/** A member as read, the same for both providers; ids lower-case. */
export type MemberInfo = {
  networkId: string;
  nodeId: string;
  authorized: boolean;
  ipAssignments: string[];
  noAutoAssignIps: boolean;
  activeBridge: boolean;
  name: string | null;
  revision: number;
  creationTime: number;
  /** ms since the epoch; 0 when never. */
  lastAuthorizedTime: number;
  lastDeauthorizedTime: number;
  /** Set once the node has asked for its config (it has joined); null for a pre-provisioned member. */
  identity: string | null;
  /** The ZeroTier version the router reported when it asked for its config (vMajor.vMinor.vRev); null before. */
  clientVersion?: string | null;
};

/** One physical path the controller node talks to a peer over (GET /peer/<node id>). */
export type PeerPath = { address: string; active: boolean; expired: boolean; preferred: boolean; lastReceive: number };

/**
 * What the controller node knows of a router as a peer: null when it has never seen it (the
 * controller answers {}). `version` is null when unknown ("-1.-1.-1"); latency -1 when unknown.
 */
export type PeerInfo = { nodeId: string; version: string | null; latency: number; paths: PeerPath[]; role: string };

export type MemberUpsert = { authorized: boolean; ipAssignments: string[]; noAutoAssignIps: boolean; name?: string };

/** One contract for the self-hosted controller (the release path) and ZeroTier Central. */
export type ZeroTierProvider = {
  readonly kind: ProviderKind;
  readonly baseUrl: string;
  /** Never throws: ready with the controller's node id, or not ready with the precise reason. */
  readiness(): Promise<Readiness>;
  /** Creates a network (under the controller's own id), writes `config`, reads it back. */
  createNetwork(config: NetworkConfig): Promise<NetworkInfo>;
  /** Writes `config` to an existing network (never creates one) and reads it back. */
  configureNetwork(networkId: string, config: NetworkConfig): Promise<NetworkInfo>;
  /** null when the network does not exist. */
  getNetwork(networkId: string): Promise<NetworkInfo | null>;
  /** Create-or-merge, then read back and compared (authorized, ipAssignments as sets): a retry is harmless. */
  upsertMember(networkId: string, nodeId: string, member: MemberUpsert): Promise<MemberInfo>;
  /** null when the member (or its network) does not exist. */
  getMember(networkId: string, nodeId: string): Promise<MemberInfo | null>;
  /** Every member, or an error: never a partial list (reconciliation acts on it). */
  listMembers(networkId: string): Promise<MemberInfo[]>;
  /** Deauthorizes and clears addresses; an absent member stays absent (null). */
  deauthorizeMember(networkId: string, nodeId: string): Promise<MemberInfo | null>;
  /** The router as a peer of the controller node (controller: GET /peer/<node id> on the service root; Central: the member's lastOnline and physicalAddress). */
  getPeer(networkId: string, nodeId: string): Promise<PeerInfo | null>;
  /** true when deleted, false when it was already gone (404 is success: idempotent). */
  deleteMember(networkId: string, nodeId: string): Promise<boolean>;
};
