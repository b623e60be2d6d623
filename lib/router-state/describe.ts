/**
 * Router state and BGP session states in plain language, with the next step for the member.
 * Pure functions (no database, no server-only): pages, e-mails and tests share them.
 */
import { formatUtc } from "@/lib/utc-time";

export type StoredRouterState = {
  member_found: boolean;
  joined: boolean;
  online: boolean;
  version: string | null;
  latency_ms: number | null;
  paths: { address: string; preferred?: boolean }[];
  last_seen_at: Date | string | null;
  checked_at: Date | string;
  error: string | null;
};

export type RouterStateView = {
  tone: "ok" | "waiting" | "problem";
  /** One line: "joined, online via 203.0.113.5, ZeroTier 1.14.1". */
  summary: string;
  /** What to do next, when anything. */
  nextStep: string | null;
  /** Commands to run on the router, when it has not joined. */
  commands: string[];
};

/** The join commands, with the LAN's network id; leaving a network drops allowGlobal, so both always go together. */
export function joinCommands(networkId: string): string[] {
  return [`zerotier-cli join ${networkId}`, `zerotier-cli set ${networkId} allowGlobal=1`];
}

/** "203.0.113.5/9993" → "203.0.113.5" (IPv6 paths keep their address part). */
export function pathHost(address: string): string {
  return address.replace(/\/\d+$/, "");
}


export function describeRouterState(state: StoredRouterState | null, networkId: string): RouterStateView {
  const commands = joinCommands(networkId);
  if (!state || !state.joined) {
    return {
      tone: "waiting",
      summary: "not seen yet",
      nextStep: `run these on the router (as root); without allowGlobal=1 the router is authorized but never puts its exchange addresses on its interface`,
      commands,
    };
  }
  const preferred = state.paths.find((path) => path.preferred) ?? state.paths[0];
  const version = state.version ? `ZeroTier ${state.version}` : "ZeroTier version not reported yet";
  if (state.online) {
    const via = preferred ? ` via ${pathHost(preferred.address)}` : "";
    const latency = state.latency_ms !== null && state.latency_ms >= 0 ? `, ${state.latency_ms} ms` : "";
    return { tone: "ok", summary: `joined, online${via}, ${version}${latency}`, nextStep: null, commands: [] };
  }
  const lastSeen = state.last_seen_at ? `last seen ${formatUtc(state.last_seen_at)}` : "not seen online";
  return {
    tone: "problem",
    summary: `joined, offline (${lastSeen}), ${version}`,
    nextStep: "check that zerotier-one runs on the router and can reach the Internet on UDP 9993; if the router left the network, join again with both commands",
    commands,
  };
}

export type SessionStateView = { tone: "ok" | "waiting" | "problem"; summary: string; nextStep: string | null };

/**
 * A BIRD protocol state ("Established", "Passive", "Idle", "Active", "Connect", "OpenSent",
 * "OpenConfirm", "down") in plain language, with what the member should check.
 */
export function describeSessionState(
  input: { state: string; info?: string | null; family: number },
  peer: { routeServerAddress: string | null; rsAsn: number; memberAddress: string | null; memberAsn: number },
): SessionStateView {
  const raw = `${input.state} ${input.info ?? ""}`.toLowerCase();
  const target = `${peer.routeServerAddress ?? `the route server's IPv${input.family} address`} AS${peer.rsAsn}`;
  const local = peer.memberAddress ? ` from ${peer.memberAddress} as AS${peer.memberAsn}` : "";
  if (/established/.test(raw)) return { tone: "ok", summary: "established: routes are exchanged", nextStep: null };
  if (/opensent|openconfirm/.test(raw)) {
    return { tone: "waiting", summary: "negotiating: the routers are agreeing on the session", nextStep: `if it stays here, check the ASN your router uses (AS${peer.memberAsn}) and the route server's (AS${peer.rsAsn})` };
  }
  if (/passive|idle|active|connect|start/.test(raw)) {
    return { tone: "waiting", summary: "waiting for your router", nextStep: `check that your BIRD (or FRR) peers with ${target}${local}, and that your router is online on the ZeroTier network` };
  }
  if (/down|disabled|shutdown/.test(raw)) {
    return { tone: "problem", summary: "down", nextStep: `check that your router peers with ${target}${local}; the route server retries by itself` };
  }
  return { tone: "waiting", summary: input.info || input.state, nextStep: `check that your router peers with ${target}${local}` };
}
