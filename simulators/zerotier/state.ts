/**
 * The data and write semantics of a zerotier-one 1.14.1 controller, as recorded in
 * shared/contracts/zerotier-controller-1.14.1.md (recording numbers in comments): top-level
 * merge with whole-value replacement, lenient coercion (OSUtils::jsonBool/jsonInt/jsonString),
 * silent drops, revisions that move only on change, member ids kept in the case they were sent.
 * Simulator only: never used by production code.
 */
import { isIPv4, isIPv6 } from "node:net";
import { formatAddress, parseAddress } from "../../lib/addressing/ip";

export type Json = Record<string, unknown>;
export type SimRoute = { target: string; via: string | null };
export type SimNetwork = Json & { id: string; nwid: string; revision: number; routes: SimRoute[]; private: boolean };
export type SimMember = Json & { id: string; address: string; nwid: string; revision: number; authorized: boolean; ipAssignments: string[] };

/** An answer the HTTP layer sends as is: status and, for 500s, the controller's raw body text. */
export class SimHttpError extends Error {
  constructor(
    readonly status: number,
    readonly text?: string,
  ) {
    super(`HTTP ${status}`);
  }
}

/** The controller's exception body: printf-ed, hence the spaces (recordings #27, #44). */
export const exceptionBody = (description: string) => `{"error": 500, "description": "${description}"}`;

/** The message nlohmann::json gives for a body it cannot parse (recordings #27, #28, #30). */
export function parseErrorDescription(text: string): string {
  let position = text.length;
  try {
    JSON.parse(text);
  } catch (error) {
    const match = /position (\d+)/.exec((error as Error).message);
    if (match) position = Number(match[1]);
  }
  const before = text.slice(0, position);
  const line = before.split("\n").length;
  const column = position - before.lastIndexOf("\n");
  const atEnd = position >= text.length;
  const previous = before.trimEnd().slice(-1);
  const where = `[json.exception.parse_error.101] parse error at line ${line}, column ${column}: syntax error while parsing`;
  const lastRead = `last read: '${text.slice(Math.max(0, position - 1), position + 1)}'`;
  if (previous === "{" || (previous === "," && innermostBracket(before) === "{")) {
    return atEnd ? `${where} object key - unexpected end of input; expected string literal` : `${where} object key - invalid literal; ${lastRead}; expected string literal`;
  }
  return atEnd ? `${where} value - unexpected end of input; expected '[', '{', or a literal` : `${where} value - invalid literal; ${lastRead}; expected '[', '{', or a literal`;
}

/** The innermost open bracket of a JSON prefix, outside strings. */
function innermostBracket(prefix: string): string | undefined {
  const stack: string[] = [];
  let inString = false;
  for (let i = 0; i < prefix.length; i++) {
    const char = prefix[i]!;
    if (inString) {
      if (char === "\\") i++;
      else if (char === '"') inString = false;
    } else if (char === '"') inString = true;
    else if (char === "{" || char === "[") stack.push(char);
    else if (char === "}" || char === "]") stack.pop();
  }
  return stack.at(-1);
}

/** OSUtils::jsonBool: booleans, numbers (non-zero), strings starting with t, T or 1. */
export function jsonBool(value: unknown, fallback: boolean): boolean {
  if (typeof value === "boolean") return value;
  if (typeof value === "number") return value !== 0;
  if (typeof value === "string") return /^[tT1]/.test(value);
  return fallback;
}

/** OSUtils::jsonInt: numbers, numeric strings, booleans. */
export function jsonInt(value: unknown, fallback: number): number {
  if (typeof value === "number" && Number.isFinite(value)) return Math.trunc(value);
  if (typeof value === "boolean") return value ? 1 : 0;
  if (typeof value === "string" && /^\s*-?\d+/.test(value)) return parseInt(value, 10);
  return fallback;
}

/** OSUtils::jsonString: strings, numbers and booleans as text; anything else the fallback. */
export function jsonString(value: unknown, fallback: string): string {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return fallback;
}

/** inet_ntop's rendering: RFC 5952, with a dotted tail for IPv4-mapped/compatible addresses (recording #74). */
function ipString(family: 4 | 6, value: bigint): string {
  if (family === 6 && value >> 32n === 0xffffn) return `::ffff:${formatAddress(4, value & 0xffffffffn)}`;
  if (family === 6 && value >> 32n === 0n && value > 0xffffn) return `::${formatAddress(4, value & 0xffffffffn)}`;
  return formatAddress(family, value);
}

/**
 * InetAddress::fromString then toIpString: the /len suffix is dropped, IPv6 canonicalised; text
 * with a dot that is no address becomes 0.0.0.0 (recordings #46, #74); other garbage is null.
 */
export function storedAddress(value: string): { family: 4 | 6; text: string; value: bigint } | null {
  const address = value.split("/")[0]!.trim();
  if (address === "") return null;
  const parsed = isIPv4(address) || isIPv6(address) ? parseAddress(address) : null;
  if (parsed) return { family: parsed.family, text: ipString(parsed.family, parsed.value), value: parsed.value };
  if (address.includes(".") && !address.includes(":")) return { family: 4, text: "0.0.0.0", value: 0n };
  return null;
}

/** A route target as InetAddress keeps it: "ip/bits", bits defaulting to 0, invalid bits dropped (recording #65). */
function storedTarget(target: string): { family: 4 | 6; bits: number; value: bigint; text: string } | null {
  const [addressText, bitsText, ...rest] = target.split("/");
  if (rest.length > 0 || !addressText) return null;
  const address = isIPv4(addressText) || isIPv6(addressText) ? parseAddress(addressText) : null;
  if (!address) return null;
  if (bitsText !== undefined && !/^\d+$/.test(bitsText)) return null;
  const bits = bitsText === undefined ? 0 : Number(bitsText);
  if (bits > (address.family === 4 ? 32 : 128)) return null;
  return { family: address.family, bits, value: address.value, text: `${ipString(address.family, address.value)}/${bits}` };
}

function covers(route: SimRoute, address: string): boolean {
  const target = storedTarget(route.target);
  const ip = storedAddress(address);
  if (!target || !ip || target.family !== ip.family) return false;
  const width = target.family === 4 ? 32 : 128;
  const shift = BigInt(width - target.bits);
  return ip.value >> shift === target.value >> shift;
}

const MAX_ROUTES = 64;
const MAX_ARRAY = 16384;

export const sortKeys = <T extends Json>(object: T): T =>
  Object.fromEntries(Object.entries(object).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) as T;

const same = (a: unknown, b: unknown) => JSON.stringify(sortKeys(a as Json)) === JSON.stringify(sortKeys(b as Json));

/** A router as the controller node's peer: set through the control API (the node "runs"). */
export type SimPeer = { address: string; version: string; physicalAddress: string; latency: number; online: boolean; lastReceive: number };

const versionParts = (version: string) => {
  const [major, minor, rev] = version.split(".").map((part) => Number.parseInt(part, 10));
  return { major: major ?? -1, minor: minor ?? -1, rev: rev ?? -1 };
};

/**
 * GET /peer/<node id> of 1.14.1 (recording "controller's view of peer A"): a LEAF with its
 * physical paths; an offline node keeps its version but has no live path and latency -1.
 */
export function peerAnswer(peer: SimPeer): Json {
  const { major, minor, rev } = versionParts(peer.version);
  const paths = peer.online
    ? [{ active: true, address: peer.physicalAddress, expired: false, lastReceive: peer.lastReceive, lastSend: peer.lastReceive, localPort: 0, localSocket: 94256324930448, preferred: true, trustedPathId: 0 }]
    : [];
  return { address: peer.address, isBonded: false, latency: peer.online ? peer.latency : -1, paths, role: "LEAF", tunneled: false, version: peer.version, versionMajor: major, versionMinor: minor, versionRev: rev };
}

export type ControllerState = ReturnType<typeof createControllerState>;

/**
 * Networks and members of one controller. `apply*` functions implement the API writes and report
 * whether they changed anything (for the simulator's mutation counter).
 */
export function createControllerState(options: { nodeId: string; random: () => number; now?: () => number }) {
  const { nodeId, random } = options;
  const now = options.now ?? Date.now;
  const networks = new Map<string, { network: SimNetwork; members: Map<string, SimMember> }>();
  const peers = new Map<string, SimPeer>();

  /**
   * An authorized member records the version its node reported when it fetched its config
   * (vMajor/vMinor/vProto/vRev stay -1 while unauthorized: recordings "member A, joined,
   * unauthorized" and "member A, authorized"); deauthorization keeps them.
   */
  function withVersion(member: SimMember): SimMember {
    const peer = peers.get(member.address.toLowerCase());
    if (!peer || !member.authorized || !member.identity) return member;
    const { major, minor, rev } = versionParts(peer.version);
    return { ...member, vMajor: major, vMinor: minor, vProto: 12, vRev: rev };
  }

  function newNetwork(nwid: string): SimNetwork {
    return {
      authTokens: [null], authorizationEndpoint: "", capabilities: [], clientId: "", creationTime: now(), dns: [], enableBroadcast: true,
      id: nwid, ipAssignmentPools: [], mtu: 2800, multicastLimit: 32, name: "", nwid, objtype: "network", private: true,
      remoteTraceLevel: 0, remoteTraceTarget: null, revision: 0, routes: [], rules: [{ not: false, or: false, type: "ACTION_ACCEPT" }],
      rulesSource: "", ssoEnabled: false, tags: [], v4AssignMode: { zt: false }, v6AssignMode: { "6plane": false, rfc4193: false, zt: false },
    };
  }

  function newMember(nwid: string, id: string, at: number): SimMember {
    return {
      activeBridge: false, address: id, authenticationExpiryTime: 0, authorized: false, capabilities: [], creationTime: at, id,
      ipAssignments: [], lastAuthorizedCredential: null, lastAuthorizedCredentialType: null, lastAuthorizedTime: 0, lastDeauthorizedTime: 0,
      noAutoAssignIps: false, nwid, objtype: "member", remoteTraceLevel: 0, remoteTraceTarget: null, revision: 0, ssoExempt: false, tags: [],
      vMajor: -1, vMinor: -1, vProto: -1, vRev: -1,
    };
  }

  /** networkUpdateFromPostData. remoteTraceLevel falls back to 0 on every write (the initNetwork typo). */
  function mergeNetwork(current: SimNetwork, body: Json): SimNetwork {
    const next: SimNetwork = { ...current, remoteTraceLevel: 0 };
    if ("name" in body) next.name = jsonString(body.name, "");
    if ("private" in body) next.private = jsonBool(body.private, true);
    if ("enableBroadcast" in body) next.enableBroadcast = jsonBool(body.enableBroadcast, true);
    if ("multicastLimit" in body) next.multicastLimit = jsonInt(body.multicastLimit, 32);
    if ("mtu" in body) next.mtu = Math.max(1280, Math.min(10000, jsonInt(body.mtu, 2800)));
    if ("remoteTraceLevel" in body) next.remoteTraceLevel = jsonInt(body.remoteTraceLevel, 0);
    if ("remoteTraceTarget" in body) {
      const target = jsonString(body.remoteTraceTarget, "");
      next.remoteTraceTarget = target.length === 10 ? target : null;
    }
    if ("v4AssignMode" in body) {
      const value = body.v4AssignMode;
      next.v4AssignMode = { zt: typeof value === "string" ? value === "zt" : value && typeof value === "object" ? jsonBool((value as Json).zt, false) : false };
    }
    if ("v6AssignMode" in body) {
      const value = body.v6AssignMode;
      if (typeof value === "string") {
        const modes = value.split(",").map((mode) => mode.trim());
        next.v6AssignMode = { "6plane": modes.includes("6plane"), rfc4193: modes.includes("rfc4193"), zt: modes.includes("zt") };
      } else if (value && typeof value === "object" && !Array.isArray(value)) {
        // The object replaces the stored one whole: keys not sent are gone (research 1.4).
        const mode: Json = {};
        for (const key of ["6plane", "rfc4193", "zt"]) if (key in (value as Json)) mode[key] = jsonBool((value as Json)[key], false);
        next.v6AssignMode = mode;
      } else {
        next.v6AssignMode = {};
      }
    }
    if (Array.isArray(body.routes)) {
      const routes: SimRoute[] = [];
      for (const route of body.routes) {
        if (!route || typeof route !== "object" || typeof (route as Json).target !== "string") continue;
        const target = storedTarget((route as Json).target as string);
        if (!target) continue;
        const viaText = (route as Json).via;
        const via = typeof viaText === "string" ? storedAddress(viaText) : null;
        routes.push({ target: target.text, via: via && via.family === target.family ? via.text : null });
        if (routes.length >= MAX_ROUTES) break;
      }
      next.routes = routes;
    }
    if (Array.isArray(body.ipAssignmentPools)) {
      const pools: Json[] = [];
      for (const pool of body.ipAssignmentPools) {
        if (!pool || typeof pool !== "object" || !("ipRangeStart" in pool) || !("ipRangeEnd" in pool)) continue;
        const start = storedAddress(jsonString((pool as Json).ipRangeStart, ""));
        const end = storedAddress(jsonString((pool as Json).ipRangeEnd, ""));
        if (start && end && start.family === end.family) pools.push({ ipRangeEnd: end.text, ipRangeStart: start.text });
      }
      next.ipAssignmentPools = pools;
    }
    if (Array.isArray(body.rules)) next.rules = body.rules.filter((rule) => rule && typeof rule === "object" && typeof (rule as Json).type === "string");
    for (const key of ["capabilities", "tags", "authTokens"] as const) if (Array.isArray(body[key])) next[key] = body[key];
    if ("dns" in body && body.dns && typeof body.dns === "object") next.dns = body.dns;
    return next;
  }

  /** The member POST handler. A non-string address throws nlohmann's type error: 500, nothing stored (recording #44). */
  function mergeMember(current: SimMember, body: Json, urlId: string, at: number): SimMember {
    const next: SimMember = { ...current, id: urlId, address: urlId, remoteTraceLevel: 0 };
    if ("activeBridge" in body) next.activeBridge = jsonBool(body.activeBridge, false);
    if ("noAutoAssignIps" in body) next.noAutoAssignIps = jsonBool(body.noAutoAssignIps, false);
    if ("authenticationExpiryTime" in body) next.authenticationExpiryTime = jsonInt(body.authenticationExpiryTime, 0);
    if ("remoteTraceTarget" in body) {
      const target = jsonString(body.remoteTraceTarget, "");
      next.remoteTraceTarget = target.length === 10 ? target : null;
    }
    if ("remoteTraceLevel" in body) next.remoteTraceLevel = jsonInt(body.remoteTraceLevel, 0);
    if ("authorized" in body) {
      const authorized = jsonBool(body.authorized, false);
      // Re-sending the same value changes nothing, timestamps included (recording #11).
      if (authorized !== current.authorized) {
        next.authorized = authorized;
        if (authorized) {
          next.lastAuthorizedTime = at;
          next.lastAuthorizedCredentialType = "api";
          next.lastAuthorizedCredential = null;
        } else {
          next.lastDeauthorizedTime = at;
        }
      }
    }
    if (Array.isArray(body.ipAssignments)) {
      const stored: string[] = [];
      for (const value of body.ipAssignments) {
        if (typeof value !== "string") {
          const type = value === null ? "null" : Array.isArray(value) ? "array" : typeof value === "object" ? "object" : typeof value;
          throw new SimHttpError(500, exceptionBody(`[json.exception.type_error.302] type must be string, but is ${type}`));
        }
        const address = storedAddress(value);
        if (address) stored.push(address.text);
        if (stored.length >= MAX_ARRAY) break;
      }
      next.ipAssignments = stored;
    }
    if (Array.isArray(body.tags)) next.tags = body.tags;
    if (Array.isArray(body.capabilities)) next.capabilities = [...new Set(body.capabilities.map((value) => jsonInt(value, 0)))].sort((a, b) => a - b);
    if ("name" in body) next.name = jsonString(body.name, "");
    if ("ssoExempt" in body) next.ssoExempt = jsonBool(body.ssoExempt, false);
    return next;
  }

  /** The DB save: a new record gets revision 1, a changed one +1, an unchanged one stays (recordings #11, #64). */
  function save<T extends { revision: number }>(current: T | undefined, next: T): { record: T; changed: boolean } {
    if (!current) return { record: { ...next, revision: 1 }, changed: true };
    const { revision: _before, ...before } = current;
    const { revision: _after, ...after } = next;
    return same(before, after) ? { record: current, changed: false } : { record: { ...next, revision: current.revision + 1 }, changed: true };
  }

  function randomNetworkId(): string {
    for (;;) {
      const number = Math.floor(random() * 0x1000000);
      // Never 000000 (research 1.2).
      const nwid = `${nodeId}${(number === 0 ? 1 : number).toString(16).padStart(6, "0")}`;
      if (!networks.has(nwid)) return nwid;
    }
  }

  const state = {
    nodeId,
    /** Creates a network with a random id under the controller's own prefix, then applies `body`. */
    createNetwork(body: Json): SimNetwork {
      const nwid = randomNetworkId();
      return state.postNetwork(nwid, body).network;
    },
    /** POST /controller/network/{nwid}: create-or-merge (recording #99: any 16-hex id is created). */
    postNetwork(nwid: string, body: Json): { network: SimNetwork; changed: boolean } {
      const id = nwid.toLowerCase();
      const entry = networks.get(id);
      const { record, changed } = save(entry?.network, mergeNetwork(entry?.network ?? newNetwork(id), body));
      networks.set(id, { network: record, members: entry?.members ?? new Map() });
      return { network: record, changed };
    },
    /** Deletes a network and all its members (recordings #58-#61); null when unknown. */
    deleteNetwork(nwid: string): SimNetwork | null {
      const entry = networks.get(nwid.toLowerCase());
      if (!entry) return null;
      networks.delete(nwid.toLowerCase());
      return entry.network;
    },
    /**
     * POST …/member/{mid}: create-or-merge; null when the network is unknown (recording #23).
     * Member 0000000000 is answered but never stored (recordings #75/#76).
     */
    postMember(nwid: string, urlId: string, body: Json): { member: SimMember; changed: boolean } | null {
      const entry = networks.get(nwid.toLowerCase());
      if (!entry) return null;
      const key = urlId.toLowerCase();
      const current = entry.members.get(key);
      // One clock reading per write: a new member's creation and authorization times are equal (#8).
      const at = now();
      const merged = withVersion(mergeMember(current ?? newMember(entry.network.nwid, urlId, at), body, urlId, at));
      if (key === "0000000000") return { member: { ...merged, revision: 0 }, changed: false };
      const { record, changed } = save(current, merged);
      entry.members.set(key, record);
      return { member: record, changed };
    },
    deleteMember(nwid: string, mid: string): SimMember | null {
      const entry = networks.get(nwid.toLowerCase());
      const member = entry?.members.get(mid.toLowerCase());
      if (!entry || !member) return null;
      entry.members.delete(mid.toLowerCase());
      return member;
    },
    /**
     * A node asks for its config (what `zerotier-cli join` leads to): the member appears
     * unauthorized with its identity, or a known one gets its identity pinned (research 1.9).
     */
    join(nwid: string, mid: string): SimMember | null {
      const entry = networks.get(nwid.toLowerCase());
      if (!entry) return null;
      const key = mid.toLowerCase();
      const current = entry.members.get(key) ?? newMember(entry.network.nwid, key, now());
      const identity = current.identity ?? `${key}:0:${Array.from({ length: 64 }, () => Math.floor(random() * 16).toString(16)).join("")}`;
      const { record } = save(entry.members.get(key), withVersion({ ...current, identity }));
      entry.members.set(key, record);
      return record;
    },
    /**
     * A router runs (or stops): the controller node sees it as a peer with a version and a
     * physical path. With `nwid`, the node also asks for that network's config (joins it).
     */
    setPeer(input: { mid: string; nwid?: string; online?: boolean; version?: string; physicalAddress?: string; latency?: number }): SimPeer {
      const key = input.mid.toLowerCase();
      if (!/^[0-9a-f]{10}$/.test(key)) throw new Error(`mid ${input.mid} is not a 10-digit node id`);
      if (input.version !== undefined && !/^\d+\.\d+\.\d+$/.test(input.version)) throw new Error(`version ${input.version} is not like 1.14.1`);
      const before = peers.get(key);
      const peer: SimPeer = {
        address: key,
        version: input.version ?? before?.version ?? "1.14.1",
        physicalAddress: input.physicalAddress ?? before?.physicalAddress ?? "203.0.113.5/9993",
        latency: input.latency ?? before?.latency ?? 8,
        online: input.online ?? true,
        lastReceive: input.online === false ? (before?.lastReceive ?? 0) : now(),
      };
      peers.set(key, peer);
      if (input.nwid) {
        if (!networks.has(input.nwid.toLowerCase())) throw new Error(`no network ${input.nwid}`);
        state.join(input.nwid, key);
      }
      return peer;
    },
    /** GET /peer/<mid>: {} for a node never seen (recording "a peer it has never seen"). */
    peer(mid: string): Json {
      const peer = peers.get(mid.toLowerCase());
      return peer ? peerAnswer(peer) : {};
    },
    peers(): Json[] {
      return [...peers.values()].map(peerAnswer);
    },
    network(nwid: string): SimNetwork | undefined {
      return networks.get(nwid.toLowerCase())?.network;
    },
    networkIds(): string[] {
      return [...networks.keys()].sort();
    },
    member(nwid: string, mid: string): SimMember | undefined {
      return networks.get(nwid.toLowerCase())?.members.get(mid.toLowerCase());
    },
    /** In creation order. */
    members(nwid: string): SimMember[] {
      return [...(networks.get(nwid.toLowerCase())?.members.values() ?? [])];
    },
    /**
     * What the member itself would be given: only an authorized member gets addresses, and only
     * those inside one of the network's routes (research 1.8: 198.51.100.7 was never pushed).
     */
    deliveredAddresses(nwid: string, mid: string): string[] {
      const network = state.network(nwid);
      const member = state.member(nwid, mid);
      if (!network || !member || !member.authorized) return [];
      return [...new Set(member.ipAssignments.filter((address) => network.routes.some((route) => covers(route, address))))];
    },
    clear() {
      networks.clear();
      peers.clear();
    },
  };
  return state;
}
