import "server-only";

export type Readiness =
  | { ready: true; nodeId: string; version: string }
  | { ready: false; reason: string; kind: "unreachable" | "timeout" | "unauthorized" | "no_controller" | "database_not_ready" | "error" };

export type Route = { target: string; via: string | null };

export type NetworkConfig = {
  name: string;
  private: boolean;
  mtu: number;
  routes: Route[];
  /** Sent whole: the controller replaces these objects wholesale. */
  v4AssignMode: { zt: boolean };
  v6AssignMode: { zt: boolean; rfc4193: boolean; "6plane": boolean };
  ipAssignmentPools: { ipRangeStart: string; ipRangeEnd: string }[];
  enableBroadcast?: boolean;
  multicastLimit?: number;
};

export type NetworkInfo = {
  networkId: string;
  name: string;
  private: boolean;
  mtu: number;
  routes: Route[];
  v4AssignMode: { zt: boolean };
  v6AssignMode: Record<string, boolean>;
  ipAssignmentPools: { ipRangeStart: string; ipRangeEnd: string }[];
};

export type MemberInfo = {
  networkId: string;
  nodeId: string;
  authorized: boolean;
  ipAssignments: string[];
  noAutoAssignIps: boolean;
  name: string | null;
  revision: number;
};

export type MemberUpsert = { authorized: boolean; ipAssignments: string[]; noAutoAssignIps: boolean; name?: string };

/** One contract for the self-hosted controller (the release path) and ZeroTier Central. */
export interface ZeroTierProvider {
  readonly kind: "self_hosted_controller" | "central";
  readonly baseUrl: string;
  readiness(): Promise<Readiness>;
  createNetwork(config: NetworkConfig): Promise<NetworkInfo>;
  configureNetwork(networkId: string, config: NetworkConfig): Promise<NetworkInfo>;
  getNetwork(networkId: string): Promise<NetworkInfo | null>;
  /** Create-or-merge, then read back and compared: a retry is harmless. */
  upsertMember(networkId: string, nodeId: string, member: MemberUpsert): Promise<MemberInfo>;
  getMember(networkId: string, nodeId: string): Promise<MemberInfo | null>;
  /** Every member, or an error: never a partial list. */
  listMembers(networkId: string): Promise<MemberInfo[]>;
  /** Deauthorizes and clears addresses; a member that does not exist is left absent (null). */
  deauthorizeMember(networkId: string, nodeId: string): Promise<MemberInfo | null>;
  /** true when deleted, false when it was already gone. */
  deleteMember(networkId: string, nodeId: string): Promise<boolean>;
}
