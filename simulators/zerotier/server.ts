/**
 * A ZeroTier controller simulator for tests and the demo (never production). It answers like the
 * controller embedded in zerotier-one 1.14.1, as recorded in shared/contracts/: auth before
 * routing (401 `{}`), 404 with an empty body, 500 on bad JSON, POST-creates, revision counting,
 * ids stored in the case they were sent, lenient coercion. A Central-shaped mode serves the same
 * state under /api/v1 with `config` sub-objects. Fault switches (`faults`, or POST /_sim/faults)
 * inject 429s, 5xx, latency, a rotated token, databaseReady:false, and an outage.
 */
import { randomBytes } from "node:crypto";
import http from "node:http";
import { isIPv4, isIPv6 } from "node:net";
import type { AddressInfo, Socket } from "node:net";
import { prng } from "../shared/prng";

type Json = Record<string, unknown>;
type Member = Json & { id: string; address: string; nwid: string; revision: number; ipAssignments: string[]; authorized: boolean };
type Network = Json & { id: string; nwid: string; revision: number; routes: { target: string; via: string | null }[] };

export type ZtSimFaults = {
  /** Share of API requests answered 429 (0..1); 1 means every request. */
  rate429: number;
  /** How a 429 says when to come back. */
  retryAfter: "seconds" | "reset-header" | "none";
  retryAfterSeconds: number;
  rate5xx: number;
  latencyMs: number;
  databaseReady: boolean;
  /** No controller compiled in (1.16 free builds): /controller* answers 404. */
  noController: boolean;
  /** Member lists (both shapes) answer 500 while everything else works. */
  failMemberList: boolean;
};

const NO_FAULTS: ZtSimFaults = { rate429: 0, retryAfter: "seconds", retryAfterSeconds: 1, rate5xx: 0, latencyMs: 0, databaseReady: true, noController: false, failMemberList: false };


/** OSUtils::jsonBool: true, "true", "t", "1", 1 are true. */
function jsonBool(value: unknown) {
  if (typeof value === "boolean") return value;
  if (typeof value === "number") return value !== 0;
  if (typeof value === "string") return ["true", "t", "1", "yes", "y"].includes(value.trim().toLowerCase());
  return false;
}

function canonicalIpv6(text: string) {
  // Let the URL parser canonicalise (RFC 5952, lower case).
  return new URL(`http://[${text}]/`).hostname.slice(1, -1);
}

/** How the controller stores one ipAssignments string: /len stripped, canonical, garbage → 0.0.0.0 or dropped. */
function storedAddress(value: string): string | null {
  const address = value.split("/")[0]!.trim();
  if (address === "") return null;
  if (isIPv4(address)) return address;
  if (isIPv6(address)) return canonicalIpv6(address);
  if (address.includes(".")) return "0.0.0.0";
  return null;
}

function parsePrefix(target: string): { family: 4 | 6; bits: number; address: string } | null {
  const [address, bitsText] = target.split("/");
  if (!address) return null;
  const family = isIPv4(address) ? 4 : isIPv6(address) ? 6 : null;
  if (!family) return null;
  if (bitsText === undefined) return { family, bits: 0, address };
  if (!/^\d+$/.test(bitsText)) return null;
  const bits = Number(bitsText);
  if (bits > (family === 4 ? 32 : 128)) return null;
  return { family, bits, address };
}

function toBigInt(address: string): bigint {
  if (isIPv4(address)) return address.split(".").reduce((sum, octet) => (sum << 8n) + BigInt(Number(octet)), 0n);
  const full = new URL(`http://[${address}]/`).hostname.slice(1, -1);
  const [head, tail] = full.split("::");
  const left = head ? head.split(":") : [];
  const right = tail !== undefined && tail ? tail.split(":") : [];
  const groups = full.includes("::") ? [...left, ...Array(8 - left.length - right.length).fill("0"), ...right] : full.split(":");
  return groups.reduce((sum, group) => (sum << 16n) + BigInt(parseInt(group, 16)), 0n);
}

function routeCovers(route: { target: string }, address: string) {
  const prefix = parsePrefix(route.target);
  if (!prefix) return false;
  const family = isIPv4(address) ? 4 : isIPv6(address) ? 6 : null;
  if (family !== prefix.family) return false;
  const width = family === 4 ? 32 : 128;
  const mask = prefix.bits === 0 ? 0n : ((1n << BigInt(prefix.bits)) - 1n) << BigInt(width - prefix.bits);
  return (toBigInt(address) & mask) === (toBigInt(prefix.address) & mask);
}

const sortKeys = (object: Json): Json => Object.fromEntries(Object.entries(object).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

function parseError(text: string) {
  // nlohmann's message, as the controller prints it (column = where the input ended).
  return {
    error: 500,
    description:
      text.trim() === ""
        ? "[json.exception.parse_error.101] parse error at line 1, column 1: syntax error while parsing value - unexpected end of input; expected '[', '{', or a literal"
        : `[json.exception.parse_error.101] parse error at line 1, column ${text.length + 1}: syntax error while parsing value - unexpected end of input`,
  };
}

export type ZeroTierSimulator = Awaited<ReturnType<typeof startZeroTierSimulator>>;

export async function startZeroTierSimulator(options: { port?: number; host?: string; token?: string; nodeId?: string; mode?: "controller" | "central"; seed?: number } = {}) {
  const host = options.host ?? "127.0.0.1";
  const nodeId = (options.nodeId ?? "c771ace7ed").toLowerCase();
  let token = options.token ?? randomBytes(12).toString("hex");
  const mode = options.mode ?? "controller";
  const random = prng(options.seed ?? 7);
  const networks = new Map<string, { network: Network; members: Map<string, Member> }>();
  const faults: ZtSimFaults = { ...NO_FAULTS };
  const counters = { requests: 0, mutations: 0, throttled: 0, byRoute: {} as Record<string, number> };

  const now = () => Date.now();

  function newNetwork(nwid: string): Network {
    return {
      authTokens: [null], authorizationEndpoint: "", capabilities: [], clientId: "", creationTime: now(), dns: [], enableBroadcast: true,
      id: nwid, ipAssignmentPools: [], mtu: 2800, multicastLimit: 32, name: "", nwid, objtype: "network", private: true,
      remoteTraceLevel: 0, remoteTraceTarget: null, revision: 1, routes: [], rules: [{ not: false, or: false, type: "ACTION_ACCEPT" }],
      rulesSource: "", ssoEnabled: false, tags: [], v4AssignMode: { zt: false }, v6AssignMode: { "6plane": false, rfc4193: false, zt: false },
    };
  }

  function newMember(nwid: string, id: string): Member {
    return {
      activeBridge: false, address: id, authenticationExpiryTime: 0, authorized: false, capabilities: [], creationTime: now(), id,
      ipAssignments: [], lastAuthorizedCredential: null, lastAuthorizedCredentialType: null, lastAuthorizedTime: 0, lastDeauthorizedTime: 0,
      noAutoAssignIps: false, nwid, objtype: "member", remoteTraceLevel: 0, remoteTraceTarget: null, revision: 0, ssoExempt: false, tags: [],
      vMajor: -1, vMinor: -1, vProto: -1, vRev: -1,
    };
  }

  /** networkUpdateFromPostData: top-level merge, whole-value replacement, lenient coercion. */
  function mergeNetwork(current: Network, body: Json): Network {
    const next: Network = { ...current, remoteTraceLevel: 0 };
    if ("name" in body) next.name = String(body.name ?? "");
    if ("private" in body) next.private = jsonBool(body.private);
    if ("enableBroadcast" in body) next.enableBroadcast = jsonBool(body.enableBroadcast);
    if ("multicastLimit" in body) next.multicastLimit = Number(body.multicastLimit) || 0;
    if ("mtu" in body) next.mtu = Math.min(10000, Math.max(1280, Number(body.mtu) || 2800));
    if ("remoteTraceLevel" in body) next.remoteTraceLevel = Number(body.remoteTraceLevel) || 0;
    if ("remoteTraceTarget" in body) next.remoteTraceTarget = body.remoteTraceTarget ?? null;
    if ("v4AssignMode" in body) {
      const value = body.v4AssignMode;
      next.v4AssignMode = typeof value === "string" ? { zt: value.includes("zt") } : typeof value === "object" && value ? { zt: jsonBool((value as Json).zt) } : current.v4AssignMode;
    }
    if ("v6AssignMode" in body) {
      const value = body.v6AssignMode;
      if (typeof value === "string") {
        next.v6AssignMode = { "6plane": value.includes("6plane"), rfc4193: value.includes("rfc4193"), zt: value.split(",").includes("zt") };
      } else if (typeof value === "object" && value) {
        // The object replaces the stored one whole: keys not sent are gone.
        next.v6AssignMode = Object.fromEntries(Object.entries(value as Json).filter(([key]) => ["6plane", "rfc4193", "zt"].includes(key)).map(([key, v]) => [key, jsonBool(v)]));
      }
    }
    if (Array.isArray(body.routes)) {
      next.routes = body.routes.flatMap((route) => {
        if (!route || typeof route !== "object" || typeof (route as Json).target !== "string") return [];
        const target = (route as Json).target as string;
        const prefix = parsePrefix(target);
        if (!prefix) return [];
        const via = (route as Json).via;
        return [{ target: target.includes("/") ? target : `${target}/0`, via: typeof via === "string" && (isIPv4(via) || isIPv6(via)) ? via : null }];
      });
    }
    if (Array.isArray(body.ipAssignmentPools)) {
      next.ipAssignmentPools = body.ipAssignmentPools.filter((pool) => pool && typeof pool === "object" && typeof (pool as Json).ipRangeStart === "string" && typeof (pool as Json).ipRangeEnd === "string");
    }
    for (const key of ["rules", "capabilities", "tags", "dns"] as const) if (key in body && body[key] !== null && typeof body[key] === "object") next[key] = body[key];
    return next;
  }

  /** The member POST handler; throws a 500 body for non-string ipAssignments elements. */
  function mergeMember(current: Member, body: Json, urlId: string): Member {
    const next: Member = { ...current, id: urlId, address: urlId, remoteTraceLevel: 0 };
    if ("authorized" in body) {
      const authorized = jsonBool(body.authorized);
      if (authorized !== current.authorized) {
        next.authorized = authorized;
        if (authorized) {
          next.lastAuthorizedTime = now();
          next.lastAuthorizedCredentialType = "api";
        } else {
          next.lastDeauthorizedTime = now();
        }
      }
    }
    if ("activeBridge" in body) next.activeBridge = jsonBool(body.activeBridge);
    if ("noAutoAssignIps" in body) next.noAutoAssignIps = jsonBool(body.noAutoAssignIps);
    if ("ssoExempt" in body) next.ssoExempt = jsonBool(body.ssoExempt);
    if ("authenticationExpiryTime" in body) next.authenticationExpiryTime = Number(body.authenticationExpiryTime) || 0;
    if ("name" in body) next.name = String(body.name ?? "");
    if ("remoteTraceLevel" in body) next.remoteTraceLevel = Number(body.remoteTraceLevel) || 0;
    if (Array.isArray(body.ipAssignments)) {
      const bad = body.ipAssignments.find((value) => typeof value !== "string");
      if (bad !== undefined) {
        throw { status: 500, body: { error: 500, description: `[json.exception.type_error.302] type must be string, but is ${bad === null ? "null" : Array.isArray(bad) ? "array" : typeof bad}` } };
      }
      next.ipAssignments = (body.ipAssignments as string[]).map(storedAddress).filter((value): value is string => value !== null);
    }
    if (Array.isArray(body.tags)) next.tags = body.tags;
    if (Array.isArray(body.capabilities)) next.capabilities = [...new Set((body.capabilities as unknown[]).map(Number))].sort((a, b) => a - b);
    return next;
  }

  function save<T extends { revision: number }>(current: T | undefined, next: T): T {
    if (!current) return { ...next, revision: next.revision === 0 ? 1 : next.revision };
    const { revision: _a, ...before } = current;
    const { revision: _b, ...after } = next;
    return same(before, after) ? current : { ...next, revision: current.revision + 1 };
  }

  const mutate = () => counters.mutations++;

  // --- controller API ---------------------------------------------------------------------
  function controllerRoute(method: string, path: string, body: () => Json): { status: number; body?: unknown } {
    const get = method === "GET" || method === "HEAD";
    const post = method === "POST" || method === "PUT";
    if (path === "/status" && get) {
      return { status: 200, body: { address: nodeId, clock: now(), config: { settings: { primaryPort: 9993, portMappingEnabled: true, softwareUpdate: "disable", allowTcpFallbackRelay: true } }, online: false, planetWorldId: 149604618, planetWorldTimestamp: 1644592324813, publicIdentity: `${nodeId}:0:simulated`, tcpFallbackActive: false, version: "1.14.1", versionBuild: 0, versionMajor: 1, versionMinor: 14, versionRev: 1 } };
    }
    if (faults.noController && (path.startsWith("/controller") || path.startsWith("/unstable/controller"))) return { status: 404 };
    if (path === "/controller" && get) {
      const payload = { controller: true, apiVersion: 4, clock: now(), databaseReady: faults.databaseReady };
      return { status: faults.databaseReady ? 200 : 503, body: payload };
    }
    if (path === "/controller/network" && get) return { status: 200, body: [...networks.keys()].sort() };
    if (path === "/unstable/controller/network" && get) {
      const data = [...networks.values()].map(({ network, members }) => sortKeys({ ...network, meta: { authorizedMemberCount: [...members.values()].filter((m) => m.authorized).length, totalMemberCount: members.size } }));
      return { status: 200, body: { data, meta: { networkCount: data.length } } };
    }
    if ((path === "/controller/network" && post) || (post && /^\/controller\/network\/[0-9a-fA-F]{10}______$/.test(path))) {
      const prefix = path.slice("/controller/network/".length, "/controller/network/".length + 10);
      if (path !== "/controller/network" && prefix !== nodeId) return { status: 400 };
      const input = body();
      let nwid: string;
      do {
        const number = randomBytes(3).toString("hex");
        nwid = `${nodeId}${number === "000000" ? "000001" : number}`;
      } while (networks.has(nwid));
      const network = save(undefined, mergeNetwork(newNetwork(nwid), input));
      networks.set(nwid, { network, members: new Map() });
      mutate();
      return { status: 200, body: sortKeys(network) };
    }
    let match = /^\/controller\/network\/([0-9a-fA-F]{16})$/.exec(path);
    if (match) {
      const nwid = match[1]!.toLowerCase();
      const entry = networks.get(nwid);
      if (get) return entry ? { status: 200, body: sortKeys(entry.network) } : { status: 404 };
      if (post) {
        const input = body();
        const network = save(entry?.network, mergeNetwork(entry?.network ?? newNetwork(nwid), input));
        networks.set(nwid, { network, members: entry?.members ?? new Map() });
        mutate();
        return { status: 200, body: sortKeys(network) };
      }
      if (method === "DELETE") {
        if (!entry) return { status: 404 };
        networks.delete(nwid);
        mutate();
        return { status: 200, body: sortKeys(entry.network) };
      }
      return { status: 404 };
    }
    match = /^\/(unstable\/)?controller\/network\/([0-9a-fA-F]{16})\/member$/.exec(path);
    if (match && get) {
      const entry = networks.get(match[2]!.toLowerCase());
      if (!entry) return { status: 404 };
      if (match[1]) {
        const data = [...entry.members.values()].map(sortKeys);
        return { status: 200, body: { data, meta: { authorizedCount: data.filter((m) => m.authorized).length, totalCount: data.length } } };
      }
      return { status: 200, body: Object.fromEntries([...entry.members.values()].map((member) => [member.id, member.revision])) };
    }
    match = /^\/controller\/network\/([0-9a-fA-F]{16})\/member\/([0-9a-fA-F]{10})$/.exec(path);
    if (match) {
      const entry = networks.get(match[1]!.toLowerCase());
      if (!entry) return { status: 404 };
      const urlId = match[2]!;
      const key = urlId.toLowerCase();
      const member = entry.members.get(key);
      if (get) return member ? { status: 200, body: sortKeys(member) } : { status: 404 };
      if (post) {
        const merged = mergeMember(member ?? newMember(entry.network.nwid, urlId), body(), urlId);
        // Address 0 is answered but never stored (recording #75/#76).
        if (key === "0000000000") return { status: 200, body: sortKeys({ ...merged, revision: 0 }) };
        const saved = save(member, merged);
        entry.members.set(key, saved);
        mutate();
        return { status: 200, body: sortKeys(saved) };
      }
      if (method === "DELETE") {
        if (!member) return { status: 404 };
        entry.members.delete(key);
        mutate();
        return { status: 200, body: sortKeys(member) };
      }
    }
    return { status: 404 };
  }

  // --- Central-shaped API -----------------------------------------------------------------
  function centralMember(nwid: string, member: Member) {
    return {
      id: `${nwid}-${member.address.toLowerCase()}`, networkId: nwid, nodeId: member.address.toLowerCase(), controllerId: nodeId,
      name: (member.name as string | undefined) ?? "", description: "", hidden: false, lastOnline: 0, lastSeen: 0, physicalAddress: null,
      clientVersion: "", protocolVersion: -1, supportsRulesEngine: false, clock: now(), config: sortKeys(member),
    };
  }
  function centralNetwork(network: Network, members: Map<string, Member>) {
    const { authTokens: _t, objtype: _o, ...config } = network;
    return {
      id: network.id, clock: now(), description: "", rulesSource: "", ownerId: "sim-owner", permissions: {}, onlineMemberCount: 0,
      authorizedMemberCount: [...members.values()].filter((m) => m.authorized).length, totalMemberCount: members.size,
      capabilitiesByName: {}, tagsByName: {}, config: sortKeys(config),
    };
  }

  function centralRoute(method: string, path: string, body: () => Json): { status: number; body?: unknown } {
    const notFound = { status: 404, body: { message: "Item not found" } };
    const route = path.replace(/^\/api\/v1/, "");
    if (route === "/status" && method === "GET") return { status: 200, body: { online: true, clock: now(), version: "central-sim", apiVersion: "1" } };
    if (route === "/network" && method === "GET") return { status: 200, body: [...networks.values()].map(({ network, members }) => centralNetwork(network, members)) };
    if (route === "/network" && method === "POST") {
      const result = controllerRoute("POST", "/controller/network", () => ({ ...((body().config as Json | undefined) ?? {}) }));
      const nwid = (result.body as Network).nwid;
      const entry = networks.get(nwid)!;
      return { status: 200, body: centralNetwork(entry.network, entry.members) };
    }
    let match = /^\/network\/([0-9a-fA-F]{16})$/.exec(route);
    if (match) {
      const nwid = match[1]!.toLowerCase();
      if (method === "GET") {
        const entry = networks.get(nwid);
        return entry ? { status: 200, body: centralNetwork(entry.network, entry.members) } : notFound;
      }
      if (method === "POST") {
        const result = controllerRoute("POST", `/controller/network/${nwid}`, () => ({ ...((body().config as Json | undefined) ?? {}) }));
        if (result.status !== 200) return result;
        const entry = networks.get(nwid)!;
        return { status: 200, body: centralNetwork(entry.network, entry.members) };
      }
      if (method === "DELETE") return networks.has(nwid) ? (controllerRoute("DELETE", `/controller/network/${nwid}`, body), { status: 200, body: {} }) : notFound;
    }
    match = /^\/network\/([0-9a-fA-F]{16})\/member$/.exec(route);
    if (match && method === "GET") {
      const entry = networks.get(match[1]!.toLowerCase());
      return entry ? { status: 200, body: [...entry.members.values()].map((member) => centralMember(entry.network.nwid, member)) } : notFound;
    }
    match = /^\/network\/([0-9a-fA-F]{16})\/member\/([0-9a-fA-F]{10})$/.exec(route);
    if (match) {
      const nwid = match[1]!.toLowerCase();
      const entry = networks.get(nwid);
      if (!entry) return notFound;
      const mid = match[2]!;
      if (method === "GET") {
        const member = entry.members.get(mid.toLowerCase());
        return member ? { status: 200, body: centralMember(nwid, member) } : notFound;
      }
      if (method === "POST") {
        const input = body();
        const config = { ...((input.config as Json | undefined) ?? {}), ...("name" in input ? { name: input.name } : {}) };
        const result = controllerRoute("POST", `/controller/network/${nwid}/member/${mid}`, () => config);
        if (result.status !== 200) return result;
        return { status: 200, body: centralMember(nwid, entry.members.get(mid.toLowerCase())!) };
      }
      if (method === "DELETE") {
        const result = controllerRoute("DELETE", `/controller/network/${nwid}/member/${mid}`, body);
        return result.status === 200 ? { status: 200, body: {} } : notFound;
      }
    }
    return notFound;
  }

  // --- HTTP plumbing ----------------------------------------------------------------------
  function authorized(req: http.IncomingMessage, url: URL) {
    if (mode === "central") {
      const header = req.headers.authorization ?? "";
      const match = /^(token|bearer)\s+(.+)$/i.exec(header);
      return Boolean(match && match[2]!.trim() === token);
    }
    // X-ZT1-Auth wins when present (even when wrong), then ?auth=, then Bearer.
    const header = req.headers["x-zt1-auth"];
    if (header !== undefined) return String(header).trim() === token;
    const query = url.searchParams.get("auth");
    if (query !== null) return query === token;
    const bearer = /^bearer\s+(.+)$/i.exec(req.headers.authorization ?? "");
    return Boolean(bearer && bearer[1]!.trim() === token);
  }

  function reply(res: http.ServerResponse, method: string, status: number, body: unknown, extra: Record<string, string> = {}) {
    if (body === undefined) {
      res.writeHead(status, { "Content-Length": "0", "Keep-Alive": "timeout=5, max=5", ...extra }).end();
      return;
    }
    const text = JSON.stringify(body);
    res.writeHead(status, { "Content-Type": "application/json", "Content-Length": String(Buffer.byteLength(text)), "Keep-Alive": "timeout=5, max=5", ...extra });
    res.end(method === "HEAD" ? undefined : text);
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const url = new URL(req.url ?? "/", "http://sim");
    const method = req.method ?? "GET";
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString("utf8");

    if (url.pathname.startsWith("/_sim/")) return control(url.pathname, method, text, res);

    counters.requests++;
    const routeKey = `${method} ${url.pathname.replace(/[0-9a-fA-F]{16}/g, ":nwid").replace(/[0-9a-fA-F]{10}/g, ":id")}`;
    counters.byRoute[routeKey] = (counters.byRoute[routeKey] ?? 0) + 1;

    if (faults.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, faults.latencyMs));
    if (!authorized(req, url)) return reply(res, method, 401, mode === "central" ? { message: "Authorization required" } : {});
    if (faults.rate429 > 0 && (faults.rate429 >= 1 || random() < faults.rate429)) {
      counters.throttled++;
      const headers: Record<string, string> = {};
      if (faults.retryAfter === "seconds") headers["Retry-After"] = String(faults.retryAfterSeconds);
      if (faults.retryAfter === "reset-header") {
        headers["X-Ratelimit-Limit"] = "20";
        headers["X-Ratelimit-Remaining"] = "0";
        headers["X-Ratelimit-Reset"] = new Date(Date.now() + faults.retryAfterSeconds * 1000).toUTCString();
      }
      return reply(res, method, 429, { message: "rate limited (simulated)" }, headers);
    }
    if (faults.rate5xx > 0 && random() < faults.rate5xx) return reply(res, method, 503, undefined);
    if (faults.failMemberList && method === "GET" && /\/member$/.test(url.pathname)) return reply(res, method, 500, { error: 500, description: "simulated member list failure" });

    const body = (): Json => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        throw { status: 500, body: parseError(text) };
      }
      return parsed && typeof parsed === "object" && !Array.isArray(parsed) ? (parsed as Json) : {};
    };
    try {
      const result = mode === "central" ? centralRoute(method, url.pathname, body) : controllerRoute(method, url.pathname, body);
      return reply(res, method, result.status, result.body);
    } catch (error) {
      const failure = error as { status?: number; body?: unknown };
      if (failure.status) return reply(res, method, failure.status, failure.body);
      throw error;
    }
  }

  function control(path: string, method: string, text: string, res: http.ServerResponse) {
    const input = method === "POST" && text ? (JSON.parse(text) as Json) : {};
    if (path === "/_sim/faults") Object.assign(faults, input);
    else if (path === "/_sim/reset") api.reset();
    else if (path === "/_sim/token") token = String(input.token ?? token);
    res.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify({ faults, counters }));
  }

  // --- lifecycle: the simulator can go down and come back on the same port --------------------
  const sockets = new Set<Socket>();
  let server: http.Server;
  let port = options.port ?? 0;
  const listen = () =>
    new Promise<void>((resolve, reject) => {
      server = http.createServer((req, res) => {
        handle(req, res).catch((error: unknown) => reply(res, req.method ?? "GET", 500, { error: 500, description: String(error) }));
      });
      server.on("connection", (socket) => {
        sockets.add(socket);
        socket.on("close", () => sockets.delete(socket));
      });
      server.once("error", reject);
      server.listen(port, host, () => {
        port = (server.address() as AddressInfo).port;
        resolve();
      });
    });
  const close = () =>
    new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    });
  await listen();

  const api = {
    get url() {
      return `http://${host}:${port}`;
    },
    get controllerUrl() {
      return mode === "central" ? `http://${host}:${port}/api/v1` : `http://${host}:${port}/controller`;
    },
    get token() {
      return token;
    },
    nodeId,
    mode,
    faults,
    counters,
    /** Requests that changed state since the last reset of the counters. */
    get mutations() {
      return counters.mutations;
    },
    resetCounters() {
      counters.requests = 0;
      counters.mutations = 0;
      counters.throttled = 0;
      counters.byRoute = {};
    },
    setFaults(next: Partial<ZtSimFaults>) {
      Object.assign(faults, next);
    },
    rotateToken(next = randomBytes(12).toString("hex")) {
      token = next;
      return token;
    },
    reset() {
      networks.clear();
      Object.assign(faults, NO_FAULTS);
      api.resetCounters();
    },
    network(nwid: string) {
      return networks.get(nwid.toLowerCase())?.network;
    },
    member(nwid: string, mid: string) {
      return networks.get(nwid.toLowerCase())?.members.get(mid.toLowerCase());
    },
    members(nwid: string) {
      return [...(networks.get(nwid.toLowerCase())?.members.values() ?? [])];
    },
    /** What a real member would be given: only assignments covered by a network route. */
    deliveredAddresses(nwid: string, mid: string) {
      const entry = networks.get(nwid.toLowerCase());
      const member = entry?.members.get(mid.toLowerCase());
      if (!entry || !member || !member.authorized) return [];
      return member.ipAssignments.filter((address) => entry.network.routes.some((route) => routeCovers(route, address)));
    },
    /** Stops answering (connections refused) until up() is called. */
    async down() {
      await close();
    },
    async up() {
      await listen();
    },
    close,
  };
  return api;
}
