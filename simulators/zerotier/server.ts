/**
 * A ZeroTier controller simulator for tests and the demo (never production). It answers like the
 * controller embedded in zerotier-one 1.14.1, point by point as recorded in
 * shared/contracts/zerotier-controller-1.14.1.md: auth before routing (401 `{}`), 404/400 with an
 * empty body and no Content-Type, 500 with nlohmann's message for bad JSON, POST creates, PUT is
 * POST, HEAD answers GET routes, revisions move only on change, ids kept in the case they were
 * sent. A Central-shaped mode serves the same state under /api/v1 with `config` sub-objects.
 *
 * Switches (the `faults` object, setFaults(), or POST /_sim/faults): 429s (with Retry-After,
 * X-Ratelimit-Reset or neither) at a rate or for the next N requests, 5xx, latency, a rejected
 * caller, databaseReady:false, no controller, a failing member list, one router whose member writes
 * are refused (400, as to a request the controller will not take); plus rotateToken(),
 * routers as the node's peers (setPeer() or POST /_sim/peer: joined, online, version, path),
 * down()/up() on the same port, reset(), and counters to assert what was (not) sent.
 */
import { randomBytes } from "node:crypto";
import http from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { prng } from "../shared/prng";
import { createControllerState, exceptionBody, parseErrorDescription, SimHttpError, sortKeys, type Json, type SimMember, type SimNetwork } from "./state";

export type ZtSimFaults = {
  /** Share of API requests answered 429 (0..1): 1 means every request, permanently. */
  rate429: number;
  /** The next N API requests are answered 429, whatever the rate. */
  next429: number;
  /** How a 429 says when to come back. */
  retryAfter: "seconds" | "http-date" | "reset-epoch" | "reset-date" | "none";
  retryAfterSeconds: number;
  /** Share of API requests answered with `status5xx` (0..1). */
  rate5xx: number;
  next5xx: number;
  status5xx: number;
  /** Added before every API answer. */
  latencyMs: number;
  /** false: GET /controller answers 503 with databaseReady:false. */
  databaseReady: boolean;
  /** A zerotier-one without controller (1.16 free builds): /controller* answers 404. */
  noController: boolean;
  /** Member lists (both shapes) answer 500 while everything else works. */
  failMemberList: boolean;
  /** A caller outside allowManagementFrom: 401 even with the right token (research 1.1). */
  foreignCaller: boolean;
  /** A node id whose member writes (POST, PUT) are answered 400, on every network; "" for none. */
  refuseMember: string;
};

export type ZtSimCounters = {
  /** API requests received (the /_sim/ control API is not counted). */
  requests: number;
  /** POST, PUT, PATCH and DELETE requests received, whatever they were answered. */
  mutatingRequests: number;
  /** Writes that changed the stored state (creates, changed merges, deletes). */
  mutations: number;
  throttled: number;
  serverErrors: number;
  unauthorized: number;
  /** "POST /controller/network/:nwid/member/:mid" → count. */
  byRoute: Record<string, number>;
  /** "POST /controller/network/c771ace7ed000001/member/a1b2c3d4e5" → count. */
  byPath: Record<string, number>;
};

export type ZtSimOptions = {
  /** 0 (the default) picks a free port. */
  port?: number;
  host?: string;
  /** Accepted token; random when not given. */
  token?: string;
  /** The controller's node id (the prefix of its networks). */
  nodeId?: string;
  mode?: "controller" | "central";
  /** Seed of the PRNG behind fault rates and network ids: runs repeat. */
  seed?: number;
};

const NO_FAULTS: ZtSimFaults = {
  rate429: 0,
  next429: 0,
  retryAfter: "seconds",
  retryAfterSeconds: 1,
  rate5xx: 0,
  next5xx: 0,
  status5xx: 503,
  latencyMs: 0,
  databaseReady: true,
  noController: false,
  failMemberList: false,
  foreignCaller: false,
  refuseMember: "",
};

/** Checks a partial fault set (from tests or the control API) key by key. */
export function checkFaults(input: unknown): Partial<ZtSimFaults> {
  if (!input || typeof input !== "object" || Array.isArray(input)) throw new Error("faults must be an object");
  for (const [key, value] of Object.entries(input)) {
    if (!(key in NO_FAULTS)) throw new Error(`unknown fault switch "${key}"; known: ${Object.keys(NO_FAULTS).join(", ")}`);
    const expected = typeof NO_FAULTS[key as keyof ZtSimFaults];
    if (typeof value !== expected) throw new Error(`fault switch "${key}" takes a ${expected}`);
    if ((key === "rate429" || key === "rate5xx") && ((value as number) < 0 || (value as number) > 1)) throw new Error(`${key} is a share between 0 and 1`);
    if (key === "retryAfter" && !["seconds", "http-date", "reset-epoch", "reset-date", "none"].includes(value as string)) {
      throw new Error(`retryAfter is one of seconds, http-date, reset-epoch, reset-date, none`);
    }
    if (key === "status5xx" && !((value as number) >= 500 && (value as number) <= 599)) throw new Error("status5xx is 500 to 599");
    if (key === "refuseMember" && !/^([0-9a-fA-F]{10})?$/.test(value as string)) throw new Error("refuseMember is a node id (10 hexadecimal digits) or empty");
  }
  return input as Partial<ZtSimFaults>;
}

type Answer = { status: number; json?: unknown; text?: string };
const empty = (status: number): Answer => ({ status });

const routeKey = (path: string) =>
  path
    .split("/")
    .map((segment) => (/^[0-9a-fA-F]{16}$/.test(segment) ? ":nwid" : /^[0-9a-fA-F]{10}$/.test(segment) ? ":mid" : /^[0-9a-fA-F]{10}______$/.test(segment) ? ":ctrl______" : segment))
    .join("/");

export type ZeroTierSimulator = Awaited<ReturnType<typeof startZeroTierSimulator>>;

export async function startZeroTierSimulator(options: ZtSimOptions = {}) {
  const host = options.host ?? "127.0.0.1";
  const nodeId = (options.nodeId ?? "c771ace7ed").toLowerCase();
  if (!/^[0-9a-f]{10}$/.test(nodeId)) throw new Error(`nodeId ${options.nodeId} is not 10 hexadecimal digits`);
  const mode = options.mode ?? "controller";
  const seed = options.seed ?? 7;
  let token = options.token ?? randomBytes(12).toString("hex");
  let faultRandom = prng(seed);
  let idRandom = prng(seed ^ 0x5eed);
  const state = createControllerState({ nodeId, random: () => idRandom() });
  const faults: ZtSimFaults = { ...NO_FAULTS };
  const counters: ZtSimCounters = { requests: 0, mutatingRequests: 0, mutations: 0, throttled: 0, serverErrors: 0, unauthorized: 0, byRoute: {}, byPath: {} };
  const changed = (didChange: boolean) => {
    if (didChange) counters.mutations++;
  };

  const refused = (mid: string) => faults.refuseMember !== "" && faults.refuseMember.toLowerCase() === mid.toLowerCase();

  // --- the controller API ----------------------------------------------------------------------
  function status() {
    return {
      address: nodeId, clock: Date.now(), config: { settings: { allowTcpFallbackRelay: true, forceTcpRelay: false, listeningOn: [], portMappingEnabled: true, primaryPort: 9993, softwareUpdate: "disable", softwareUpdateChannel: "release", surfaceAddresses: [] } },
      online: false, planetWorldId: 149604618, planetWorldTimestamp: 1644592324813, publicIdentity: `${nodeId}:0:${"0".repeat(128)}`, tcpFallbackActive: false,
      version: "1.14.1", versionBuild: 0, versionMajor: 1, versionMinor: 14, versionRev: 1,
    };
  }

  function controllerRoute(method: string, path: string, body: () => Json): Answer {
    const get = method === "GET" || method === "HEAD";
    const post = method === "POST" || method === "PUT";
    if (path === "/status" && get) return { status: 200, json: status() };
    // The node's own peers (service root, not the controller): 200 {} for a node never seen.
    if (path === "/peer" && get) return { status: 200, json: state.peers() };
    const peerMatch = /^\/peer\/([0-9a-fA-F]{10})$/.exec(path);
    if (peerMatch && get) return { status: 200, json: state.peer(peerMatch[1]!) };
    if (faults.noController && /^\/(unstable\/)?controller(\/|$)/.test(path)) return empty(404);
    if (path === "/controller" && get) {
      // The only pretty-printed answer (tab-indented, trailing newline): recording #2.
      const text = `{\n\t"controller": true,\n\t"apiVersion": 4,\n\t"clock": ${Date.now()},\n\t"databaseReady": ${faults.databaseReady}\n}\n`;
      return { status: faults.databaseReady ? 200 : 503, text };
    }
    if (path === "/controller/network") {
      if (get) return { status: 200, json: state.networkIds() };
      if (post) {
        const network = state.createNetwork(body());
        changed(true);
        return { status: 200, json: network };
      }
      return empty(404);
    }
    if (path === "/unstable/controller/network" && get) {
      const data = state.networkIds().map((nwid) => {
        const members = state.members(nwid);
        return { ...state.network(nwid)!, meta: { authorizedMemberCount: members.filter((member) => member.authorized).length, totalMemberCount: members.length } };
      });
      return { status: 200, json: { data, meta: { networkCount: data.length } } };
    }
    let match = /^\/controller\/network\/([0-9a-fA-F]{10})______$/.exec(path);
    if (match) {
      if (!post) return empty(404);
      // Only the controller's own id, lower-case (recordings #48, #49).
      if (match[1] !== nodeId) return empty(400);
      const network = state.createNetwork(body());
      changed(true);
      return { status: 200, json: network };
    }
    match = /^\/controller\/network\/([0-9a-fA-F]{16})$/.exec(path);
    if (match) {
      const nwid = match[1]!;
      if (get) {
        const network = state.network(nwid);
        return network ? { status: 200, json: network } : empty(404);
      }
      if (post) {
        const result = state.postNetwork(nwid, body());
        changed(result.changed);
        return { status: 200, json: result.network };
      }
      if (method === "DELETE") {
        const deleted = state.deleteNetwork(nwid);
        changed(deleted !== null);
        return deleted ? { status: 200, json: deleted } : empty(404);
      }
      return empty(404);
    }
    match = /^\/(unstable\/)?controller\/network\/([0-9a-fA-F]{16})\/member$/.exec(path);
    if (match && get) {
      const nwid = match[2]!;
      if (!state.network(nwid)) return empty(404);
      if (faults.failMemberList) return { status: 500, text: exceptionBody("simulated member list failure") };
      const members = state.members(nwid);
      if (match[1]) {
        // Newest first, as recording #79 lists them.
        const data = [...members].reverse();
        return { status: 200, json: { data, meta: { authorizedCount: data.filter((member) => member.authorized).length, totalCount: data.length } } };
      }
      return { status: 200, json: Object.fromEntries(members.map((member) => [member.id, member.revision])) };
    }
    match = /^\/controller\/network\/([0-9a-fA-F]{16})\/member\/([0-9a-fA-F]{10})$/.exec(path);
    if (match) {
      const [, nwid, mid] = match as unknown as [string, string, string];
      if (get) {
        const member = state.member(nwid, mid);
        return member ? { status: 200, json: member } : empty(404);
      }
      if (post) {
        if (!state.network(nwid)) return empty(404);
        if (refused(mid)) return empty(400);
        const result = state.postMember(nwid, mid, body());
        changed(result!.changed);
        return { status: 200, json: result!.member };
      }
      if (method === "DELETE") {
        const deleted = state.deleteMember(nwid, mid);
        changed(deleted !== null);
        return deleted ? { status: 200, json: deleted } : empty(404);
      }
    }
    return empty(404);
  }

  // --- the Central-shaped API (research section 2) ------------------------------------------
  const CENTRAL_MEMBER_CONFIG = ["authorized", "ipAssignments", "activeBridge", "noAutoAssignIps", "tags", "capabilities", "ssoExempt"];
  const notFound: Answer = { status: 404, json: { message: "Item not found" } };

  function centralMember(member: SimMember) {
    const { name, objtype: _objtype, ...config } = member;
    const nodeIdOf = member.address.toLowerCase();
    return {
      id: `${member.nwid}-${nodeIdOf}`, networkId: member.nwid, nodeId: nodeIdOf, controllerId: nodeId, name: (name as string | undefined) ?? "",
      description: "", hidden: false, ...centralPresence(nodeIdOf),
      supportsRulesEngine: false, clock: Date.now(), config: sortKeys(config),
    };
  }

  /** Central keeps the node's presence on the member. */
  function centralPresence(mid: string) {
    const peer = state.peer(mid) as { paths?: { address: string; lastReceive: number }[]; version?: string };
    const path = peer.paths?.[0];
    return { lastOnline: path?.lastReceive ?? 0, lastSeen: path?.lastReceive ?? 0, physicalAddress: path ? path.address.split("/")[0]! : null, clientVersion: peer.version ? `v${peer.version}` : "", protocolVersion: peer.version ? 12 : -1 };
  }

  function centralNetwork(network: SimNetwork) {
    const { objtype: _objtype, authTokens: _tokens, nwid: _nwid, ...config } = network;
    const members = state.members(network.nwid);
    return {
      id: network.id, clock: Date.now(), description: "", rulesSource: "", ownerId: "00000000-0000-0000-0000-000000000000", permissions: {},
      onlineMemberCount: 0, authorizedMemberCount: members.filter((member) => member.authorized).length, totalMemberCount: members.length,
      capabilitiesByName: {}, tagsByName: {}, config: sortKeys({ ...config, lastModified: Date.now() }),
    };
  }

  function centralRoute(method: string, path: string, body: () => Json): Answer {
    if (!path.startsWith("/api/v1/")) return notFound;
    const route = path.slice("/api/v1".length);
    const config = () => {
      const value = body().config;
      return value && typeof value === "object" && !Array.isArray(value) ? (value as Json) : {};
    };
    if (route === "/status" && method === "GET") {
      return { status: 200, json: { id: "sim", apiVersion: "4", clock: Date.now(), online: true, version: "central-simulator", user: { id: "sim-user", displayName: "Simulated user" } } };
    }
    if (route === "/network") {
      if (method === "GET") return { status: 200, json: state.networkIds().map((nwid) => centralNetwork(state.network(nwid)!)) };
      if (method === "POST") {
        const network = state.createNetwork(config());
        changed(true);
        return { status: 200, json: centralNetwork(network) };
      }
      return notFound;
    }
    let match = /^\/network\/([0-9a-fA-F]{16})$/.exec(route);
    if (match) {
      const nwid = match[1]!.toLowerCase();
      const network = state.network(nwid);
      if (method === "GET") return network ? { status: 200, json: centralNetwork(network) } : notFound;
      if (method === "POST") {
        const result = state.postNetwork(nwid, config());
        changed(result.changed);
        return { status: 200, json: centralNetwork(result.network) };
      }
      if (method === "DELETE") {
        const deleted = state.deleteNetwork(nwid);
        changed(deleted !== null);
        return deleted ? { status: 200, json: {} } : notFound;
      }
      return notFound;
    }
    match = /^\/network\/([0-9a-fA-F]{16})\/member$/.exec(route);
    if (match && method === "GET") {
      const nwid = match[1]!.toLowerCase();
      if (!state.network(nwid)) return notFound;
      if (faults.failMemberList) return { status: 500, json: { message: "simulated member list failure" } };
      return { status: 200, json: state.members(nwid).map(centralMember) };
    }
    match = /^\/network\/([0-9a-fA-F]{16})\/member\/([0-9a-fA-F]{10})$/.exec(route);
    if (match) {
      const nwid = match[1]!.toLowerCase();
      const mid = match[2]!.toLowerCase();
      if (!state.network(nwid)) return notFound;
      if (method === "GET") {
        const member = state.member(nwid, mid);
        return member ? { status: 200, json: centralMember(member) } : notFound;
      }
      if (method === "POST") {
        if (refused(mid)) return { status: 400, json: { message: "member refused (simulated)" } };
        const input = body();
        const fields = Object.fromEntries(Object.entries(config()).filter(([key]) => CENTRAL_MEMBER_CONFIG.includes(key)));
        const result = state.postMember(nwid, mid, { ...fields, ...("name" in input ? { name: input.name } : {}) })!;
        changed(result.changed);
        return { status: 200, json: centralMember(result.member) };
      }
      if (method === "DELETE") {
        const deleted = state.deleteMember(nwid, mid);
        changed(deleted !== null);
        return deleted ? { status: 200, json: {} } : notFound;
      }
    }
    return notFound;
  }

  // --- HTTP plumbing --------------------------------------------------------------------------
  /** X-ZT1-Auth (any case) wins when present, even when wrong; else ?auth=; else Bearer (recordings #83-#87). */
  function authorized(req: http.IncomingMessage, url: URL): boolean {
    const bearer = (scheme: RegExp) => {
      const match = scheme.exec(req.headers.authorization ?? "");
      return Boolean(match && match[1]!.trim() === token);
    };
    if (mode === "central") return bearer(/^(?:token|bearer)\s+(.+)$/i);
    if (faults.foreignCaller) return false;
    const header = req.headers["x-zt1-auth"];
    if (header !== undefined) return String(header).trim() === token;
    const query = url.searchParams.get("auth");
    if (query !== null) return query === token;
    return bearer(/^bearer\s+(.+)$/i);
  }

  function send(res: http.ServerResponse, method: string, answer: Answer, extra: Record<string, string> = {}) {
    const text = answer.json !== undefined ? JSON.stringify(answer.json, (_key, value: unknown) => (value && typeof value === "object" && !Array.isArray(value) ? sortKeys(value as Json) : value)) : answer.text;
    const headers: Record<string, string> = { "Keep-Alive": "timeout=5, max=5", ...extra };
    // Errors of the controller have an empty body and no Content-Type (recordings #15, #48).
    if (text !== undefined) headers["Content-Type"] = "application/json";
    if (method === "HEAD" && answer.status === 200) headers["Accept-Ranges"] = "bytes";
    headers["Content-Length"] = String(text === undefined ? 0 : Buffer.byteLength(text));
    res.writeHead(answer.status, headers);
    res.end(method === "HEAD" ? undefined : text);
  }

  function throttleHeaders(): Record<string, string> {
    const seconds = faults.retryAfterSeconds;
    const at = Date.now() + seconds * 1000;
    switch (faults.retryAfter) {
      case "seconds":
        return { "Retry-After": String(seconds) };
      case "http-date":
        return { "Retry-After": new Date(at).toUTCString() };
      case "reset-epoch":
        return { "X-Ratelimit-Limit": "20", "X-Ratelimit-Remaining": "0", "X-Ratelimit-Reset": String(Math.ceil(at / 1000)) };
      case "reset-date":
        return { "X-Ratelimit-Limit": "20", "X-Ratelimit-Remaining": "0", "X-Ratelimit-Reset": new Date(at).toUTCString() };
      default:
        return {};
    }
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const url = new URL(req.url ?? "/", "http://simulator");
    const method = req.method ?? "GET";
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString("utf8");
    if (url.pathname.startsWith("/_sim/")) return control(url.pathname, method, text, res);

    counters.requests++;
    const key = `${method} ${routeKey(url.pathname)}`;
    counters.byRoute[key] = (counters.byRoute[key] ?? 0) + 1;
    counters.byPath[`${method} ${url.pathname}`] = (counters.byPath[`${method} ${url.pathname}`] ?? 0) + 1;
    if (["POST", "PUT", "PATCH", "DELETE"].includes(method)) counters.mutatingRequests++;

    if (faults.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, faults.latencyMs));
    // Auth runs before routing: unknown paths are 401 too (recording #89).
    if (!authorized(req, url)) {
      counters.unauthorized++;
      return send(res, method, { status: 401, json: mode === "central" ? { message: "Authorization required" } : {} });
    }
    if (faults.next429 > 0 || (faults.rate429 > 0 && (faults.rate429 >= 1 || faultRandom() < faults.rate429))) {
      if (faults.next429 > 0) faults.next429--;
      counters.throttled++;
      return send(res, method, { status: 429, json: { message: "rate limited (simulated)" } }, throttleHeaders());
    }
    if (faults.next5xx > 0 || (faults.rate5xx > 0 && faultRandom() < faults.rate5xx)) {
      if (faults.next5xx > 0) faults.next5xx--;
      counters.serverErrors++;
      return send(res, method, empty(faults.status5xx));
    }

    // Parsed only by routes that take a body, as the controller does; non-objects count as {} (recording #67).
    const body = (): Json => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        if (mode === "central") throw new SimHttpError(400, JSON.stringify({ message: "invalid JSON body" }));
        throw new SimHttpError(500, exceptionBody(parseErrorDescription(text)));
      }
      return parsed && typeof parsed === "object" && !Array.isArray(parsed) ? (parsed as Json) : {};
    };
    try {
      return send(res, method, mode === "central" ? centralRoute(method, url.pathname, body) : controllerRoute(method, url.pathname, body));
    } catch (error) {
      if (error instanceof SimHttpError) return send(res, method, { status: error.status, text: error.text });
      throw error;
    }
  }

  // --- the control API (/_sim/, no ZeroTier auth: it exists only on the simulator) -------------
  function control(path: string, method: string, text: string, res: http.ServerResponse) {
    const answer = (status: number, body: unknown) => res.writeHead(status, { "Content-Type": "application/json" }).end(JSON.stringify(body));
    const snapshot = () => ({ mode, nodeId, up: isUp, faults, counters, networks: state.networkIds() });
    let input: Json = {};
    try {
      if (text.trim()) input = JSON.parse(text) as Json;
    } catch {
      return answer(400, { error: "the body is not JSON" });
    }
    try {
      if (method === "GET" && path === "/_sim/state") return answer(200, snapshot());
      if (method !== "POST") return answer(404, { error: `no ${method} ${path}: use GET /_sim/state or POST /_sim/faults|reset|counters/reset|token|down|join|peer` });
      switch (path) {
        case "/_sim/faults":
          Object.assign(faults, checkFaults(input));
          return answer(200, snapshot());
        case "/_sim/reset":
          simulator.reset();
          return answer(200, snapshot());
        case "/_sim/counters/reset":
          simulator.resetCounters();
          return answer(200, snapshot());
        case "/_sim/token":
          return answer(200, { token: simulator.rotateToken(typeof input.token === "string" ? input.token : undefined) });
        case "/_sim/down": {
          // Over HTTP, going down has to come back by itself: nothing could ask it to.
          const ms = Math.min(60_000, Math.max(0, Number(input.ms ?? 1_000)));
          answer(200, { down: true, forMs: ms });
          setImmediate(() => void simulator.down().then(() => setTimeout(() => void simulator.up(), ms)));
          return;
        }
        case "/_sim/peer": {
          // {"mid", "nwid"?, "online"?, "version"?, "physicalAddress"?, "latency"?}: a router runs, joins, or stops.
          const peer = state.setPeer({
            mid: String(input.mid ?? ""),
            nwid: typeof input.nwid === "string" ? input.nwid : undefined,
            online: typeof input.online === "boolean" ? input.online : undefined,
            version: typeof input.version === "string" ? input.version : undefined,
            physicalAddress: typeof input.physicalAddress === "string" ? input.physicalAddress : undefined,
            latency: typeof input.latency === "number" ? input.latency : undefined,
          });
          return answer(200, state.peer(peer.address));
        }
        case "/_sim/join": {
          const member = state.join(String(input.nwid ?? ""), String(input.mid ?? ""));
          return member ? answer(200, member) : answer(404, { error: `no network ${String(input.nwid)}` });
        }
        default:
          return answer(404, { error: `no POST ${path}` });
      }
    } catch (error) {
      return answer(400, { error: error instanceof Error ? error.message : String(error) });
    }
  }

  // --- lifecycle: down() refuses connections, up() listens again on the same port --------------
  const sockets = new Set<Socket>();
  let server: http.Server | null = null;
  let port = options.port ?? 0;
  let isUp = false;

  function listen() {
    return new Promise<void>((resolve, reject) => {
      const next = http.createServer((req, res) => {
        res.sendDate = false;
        handle(req, res).catch((error: unknown) => {
          if (!res.headersSent) send(res, req.method ?? "GET", { status: 500, text: exceptionBody(String(error)) });
        });
      });
      // Like cpp-httplib: at most 5 requests per connection (Keep-Alive: timeout=5, max=5).
      next.maxRequestsPerSocket = 5;
      next.keepAliveTimeout = 5_000;
      next.on("connection", (socket) => {
        sockets.add(socket);
        socket.on("close", () => sockets.delete(socket));
      });
      next.once("error", reject);
      next.listen(port, host, () => {
        port = (next.address() as AddressInfo).port;
        server = next;
        isUp = true;
        resolve();
      });
    });
  }

  function stop() {
    return new Promise<void>((resolve) => {
      const current = server;
      server = null;
      isUp = false;
      if (!current) return resolve();
      for (const socket of sockets) socket.destroy();
      current.close(() => resolve());
    });
  }

  await listen();

  const simulator = {
    /** The service root: /status, /controller, /unstable/… (and /_sim/). */
    get url() {
      return `http://${host}:${port}`;
    },
    /** What ZT_CONTROLLER_URL (or, in central mode, ZT_CENTRAL_URL) should be. */
    get controllerUrl() {
      return mode === "central" ? `http://${host}:${port}/api/v1` : `http://${host}:${port}/controller`;
    },
    get token() {
      return token;
    },
    get isUp() {
      return isUp;
    },
    nodeId,
    mode,
    /** Networks and members, with deliveredAddresses() and join(). */
    state,
    /** Live switches; setFaults() checks what it is given. */
    faults,
    counters,
    /** Writes that changed state since the counters were last reset. */
    get mutations() {
      return counters.mutations;
    },
    setFaults(next: Partial<ZtSimFaults>) {
      Object.assign(faults, checkFaults(next));
    },
    resetCounters() {
      Object.assign(counters, { requests: 0, mutatingRequests: 0, mutations: 0, throttled: 0, serverErrors: 0, unauthorized: 0, byRoute: {}, byPath: {} });
    },
    /** Accepts only `next` (random when not given) from now on: the old token is rejected with 401. */
    rotateToken(next?: string) {
      token = next ?? randomBytes(12).toString("hex");
      return token;
    },
    /** Empty state, no faults, zero counters, PRNGs re-seeded; the token stays. */
    reset() {
      state.clear();
      Object.assign(faults, NO_FAULTS);
      faultRandom = prng(seed);
      idRandom = prng(seed ^ 0x5eed);
      simulator.resetCounters();
    },
    /** Closes the listener: connections are refused until up(). */
    down: stop,
    /** Listens again, on the same port. */
    async up() {
      if (!isUp) await listen();
    },
    close: stop,
    // Shortcuts to `state`, for tests.
    network: state.network,
    member: state.member,
    members: state.members,
    deliveredAddresses: state.deliveredAddresses,
    join: state.join,
    setPeer: state.setPeer,
  };
  return simulator;
}
