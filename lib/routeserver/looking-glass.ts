import "server-only";
import type { Db } from "@/db";
import { NotFoundError } from "@/lib/errors";
import { parseAddress, parsePrefix, prefixContains } from "@/lib/addressing/ip";
import { connectRouteServer } from "./registry";
import { FILTER_REASONS } from "./render";
import type { Transport } from "./transport";

export const LOOKING_GLASS_KINDS = ["accepted", "filtered", "exported"] as const;
export type LookingGlassKind = (typeof LOOKING_GLASS_KINDS)[number];
export const LOOKING_GLASS_PAGE_SIZE = 50;
const CACHE_MS = 30_000;
const CACHE_ENTRIES = 500;

export type LookingGlassRoute = {
  prefix: string;
  nextHop: string | null;
  asPath: string;
  communities: string[];
  largeCommunities: string[];
  /** Our filter reasons (RS_ASN, 1101, code), with their meanings. */
  reasons: { code: number; meaning: string }[];
};

export type LookingGlassPage = {
  routeServer: { id: number; name: string };
  family: 4 | 6;
  kind: LookingGlassKind;
  query: string;
  /** Routes of this kind on the route server, and how many of them match the query. */
  total: number;
  matched: number;
  page: number;
  pageSize: number;
  routes: LookingGlassRoute[];
  readAt: string;
};

type Partial = { prefix: string; nextHop: string | null; asPath: string; communities: string[]; largeCommunities: string[] };

/**
 * Reads `birdc show route … all` output (BIRD 2 `BGP.as_path:`, BIRD 3 `bgp_path:`) as it
 * streams: each finished route goes to onRoute and is then forgotten, so memory stays flat
 * however many routes the route server holds.
 */
export class BirdRouteStream {
  private rest = "";
  private current: Partial | null = null;
  private lastPrefix = "";
  error: string | null = null;

  constructor(private readonly onRoute: (route: Partial) => void) {}

  push(chunk: string) {
    const lines = (this.rest + chunk).split("\n");
    this.rest = lines.pop() ?? "";
    // A single line never gets that long; a stream that does is not birdc's.
    if (this.rest.length > 1_000_000) this.rest = "";
    for (const line of lines) this.line(line);
  }

  end() {
    if (this.rest) this.line(this.rest);
    this.rest = "";
    this.flush();
  }

  private flush() {
    if (this.current) this.onRoute(this.current);
    this.current = null;
  }

  private line(raw: string) {
    const line = raw.replace(/\r$/, "");
    if (line === "" || /^(BIRD \S+ ready\.|Table \S+:)/.test(line)) return;
    const start = /^([0-9a-fA-F:.]+\/\d{1,3})\s+\S+\s+\[/.exec(line);
    if (start) {
      this.flush();
      this.lastPrefix = start[1]!;
      this.current = { prefix: start[1]!, nextHop: null, asPath: "", communities: [], largeCommunities: [] };
      return;
    }
    // Another route for the same prefix: the prefix column is left blank.
    if (/^ +\S+\s+\[\S+ /.test(line) && this.lastPrefix) {
      this.flush();
      this.current = { prefix: this.lastPrefix, nextHop: null, asPath: "", communities: [], largeCommunities: [] };
      return;
    }
    if (!/^\s/.test(line)) {
      // Anything else at the left margin is birdc talking (an error, "Network not found", …).
      this.error ??= line.trim().slice(0, 200);
      return;
    }
    if (!this.current) return;
    const text = line.trim();
    const via = /^via (\S+)/.exec(text);
    if (via) {
      this.current.nextHop ??= via[1]!;
      return;
    }
    const attribute = /^(BGP\.\w+|bgp_\w+):\s*(.*)$/.exec(text);
    if (!attribute) return;
    const name = attribute[1]!.toLowerCase().replace(/^bgp\./, "bgp_");
    const value = attribute[2]!;
    if (name === "bgp_as_path" || name === "bgp_path") this.current.asPath = value.trim();
    else if (name === "bgp_next_hop") this.current.nextHop = value.trim().split(/\s+/)[0] ?? this.current.nextHop;
    else if (name === "bgp_community") this.current.communities = [...value.matchAll(/\((\d+),\s*(\d+)\)/g)].map((match) => `${match[1]}:${match[2]}`).slice(0, 64);
    else if (name === "bgp_large_community") this.current.largeCommunities = [...value.matchAll(/\((\d+),\s*(\d+),\s*(\d+)\)/g)].map((match) => `${match[1]}:${match[2]}:${match[3]}`).slice(0, 64);
  }
}

/** A route matches the query when the query is inside its prefix (an address or prefix), or appears in its text. */
function matcher(query: string) {
  const q = query.trim().toLowerCase();
  if (!q) return () => true;
  const asAddress = parseAddress(q);
  const asPrefix = q.includes("/") ? parsePrefix(q) : null;
  return (route: Partial) => {
    if (asAddress || asPrefix) {
      const prefix = parsePrefix(route.prefix);
      if (prefix && asAddress && prefixContains(prefix, asAddress)) return true;
      if (prefix && asPrefix && prefix.family === asPrefix.family && prefix.length <= asPrefix.length && prefixContains(prefix, { family: asPrefix.family, value: asPrefix.network })) return true;
    }
    return `${route.prefix} ${route.asPath} ${route.nextHop ?? ""} ${route.largeCommunities.join(" ")} ${route.communities.join(" ")}`.toLowerCase().includes(q);
  };
}

/** The birdc command for one kind of route of one member session. */
export function birdcCommand(kind: LookingGlassKind, session: string) {
  if (kind === "accepted") return ["show", "route", "all", "protocol", session];
  if (kind === "filtered") return ["show", "route", "filtered", "all", "protocol", session];
  return ["show", "route", "all", "export", session];
}

/**
 * One page of a member session's routes on a route server, read live through birdc over the
 * route server's transport and parsed as it streams (only the requested page is kept).
 */
export async function readRoutePage(
  transport: Transport,
  target: { birdcPath: string; controlSocket: string; rsAsn: number },
  session: string,
  options: { kind: LookingGlassKind; query: string; page: number; pageSize?: number },
) {
  const pageSize = options.pageSize ?? LOOKING_GLASS_PAGE_SIZE;
  const first = (options.page - 1) * pageSize;
  const matches = matcher(options.query);
  const routes: LookingGlassRoute[] = [];
  let total = 0;
  let matched = 0;
  const stream = new BirdRouteStream((route) => {
    total++;
    if (!matches(route)) return;
    if (matched >= first && matched < first + pageSize) {
      const codes = route.largeCommunities.map((community) => community.split(":").map(Number)).filter(([asn, kind]) => asn === target.rsAsn && kind === 1101).map(([, , code]) => code!);
      routes.push({ ...route, reasons: [...new Set(codes)].sort((a, b) => a - b).map((code) => ({ code, meaning: FILTER_REASONS[code as keyof typeof FILTER_REASONS] ?? `reason ${code}` })) });
    }
    matched++;
  });
  const argv = [target.birdcPath, "-s", target.controlSocket, ...birdcCommand(options.kind, session)];
  if (transport.execStream) {
    const result = await transport.execStream(argv, (chunk) => stream.push(chunk), { timeoutMs: 60_000 });
    stream.end();
    if (result.code !== 0) throw new Error(`birdc failed: ${(result.stderr || stream.error || `exit ${result.code}`).trim().slice(0, 300)}`);
  } else {
    const result = await transport.exec(argv);
    stream.push(result.stdout);
    stream.end();
    if (result.code !== 0) throw new Error(`birdc failed: ${(result.stderr || `exit ${result.code}`).trim().slice(0, 300)}`);
  }
  // "No such protocol" and the like: the session is not in the running config (yet).
  if (stream.error && total === 0 && !/^Network not found/i.test(stream.error)) throw new Error(`birdc: ${stream.error}`);
  return { total, matched, routes };
}

const cache = new Map<string, { at: number; value: LookingGlassPage }>();

/**
 * A connection's routes on one of its LAN's route servers (default: the first enabled one). The
 * caller has authorized the connection. Answers are cached for 30 s per exact request, so
 * reloading or paging back and forth does not hit the route server each time.
 */
export async function lookingGlass(db: Db, connectionId: number, options: { routeServerId?: number; family: 4 | 6; kind: LookingGlassKind; query?: string; page?: number }): Promise<LookingGlassPage> {
  const connection = await db.selectFrom("connections").innerJoin("lans", "lans.id", "connections.lan_id").select(["connections.id", "connections.lan_id", "lans.rs_asn"]).where("connections.id", "=", connectionId).executeTakeFirst();
  if (!connection) throw new NotFoundError(`connection ${connectionId} does not exist`);
  let serverQuery = db.selectFrom("route_servers").selectAll().where("lan_id", "=", connection.lan_id).where("enabled", "=", true);
  if (options.routeServerId !== undefined) serverQuery = serverQuery.where("id", "=", options.routeServerId);
  const server = await serverQuery.orderBy("deploy_order").orderBy("id").executeTakeFirst();
  if (!server) throw new NotFoundError(options.routeServerId !== undefined ? `route server ${options.routeServerId} is not one of this connection's LAN` : "this connection's LAN has no route server");
  const query = (options.query ?? "").trim().slice(0, 100);
  const page = Math.max(1, Math.floor(options.page ?? 1));
  const key = JSON.stringify([server.id, connectionId, options.family, options.kind, query, page]);
  const hit = cache.get(key);
  if (hit && Date.now() - hit.at < CACHE_MS) return hit.value;

  const transport = await connectRouteServer(server);
  try {
    const result = await readRoutePage(transport, { birdcPath: server.birdc_path, controlSocket: server.control_socket, rsAsn: connection.rs_asn }, `pb_c${connectionId}_v${options.family}`, { kind: options.kind, query, page });
    const value: LookingGlassPage = { routeServer: { id: server.id, name: server.name }, family: options.family, kind: options.kind, query, page, pageSize: LOOKING_GLASS_PAGE_SIZE, ...result, readAt: new Date().toISOString() };
    if (cache.size >= CACHE_ENTRIES) cache.delete(cache.keys().next().value!);
    cache.set(key, { at: Date.now(), value });
    return value;
  } finally {
    await transport.close();
  }
}

/** The route servers a connection's looking glass can read (its LAN's enabled ones). */
export async function lookingGlassServers(db: Db, lanId: number) {
  return db.selectFrom("route_servers").select(["id", "name"]).where("lan_id", "=", lanId).where("enabled", "=", true).orderBy("deploy_order").orderBy("id").execute();
}
