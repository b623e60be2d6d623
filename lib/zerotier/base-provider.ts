import "server-only";
import { readFileSync } from "node:fs";
import type { z } from "zod";
import { CONTROLLER_FAILURE_KINDS, ZeroTierError } from "./errors";
import { DEFAULT_RETRY, request, type HttpResult, type RetryEvent, type RetryMode, type RetryPolicy } from "./http";
import { canonicalAddress, canonicalTarget, normalizeAssignableNodeId, normalizeAssignment, normalizeNetworkId, normalizeNodeId, normalizeRouteTarget } from "./ids";
import type { MemberInfo, MemberUpsert, NetworkConfig, NetworkInfo, PeerInfo, ProviderKind, Readiness, ReadinessFailureKind, ZeroTierProvider } from "./types";

export type ProviderOptions = {
  url: string;
  token?: string;
  tokenFile?: string;
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  onRetry?: (event: RetryEvent) => void;
};

type CallOptions = { body?: unknown; retry?: RetryMode; base?: string; answers?: number[] };

/** Readiness requests: 429s waited out like any other, a network failure or 5xx tried once more only. */
export const READINESS_CALL = { retry: "probe" } as const satisfies CallOptions;

const invalid = (message: string) => new ZeroTierError("invalid_input", message, false);
const sameSet = (a: string[], b: string[]) => {
  const left = new Set(a);
  const right = new Set(b);
  return left.size === right.size && [...left].every((item) => right.has(item));
};
const list = (items: string[]) => `[${items.join(", ")}]`;

/** Runs `work` over `items`, at most `limit` at a time, keeping the order; the first failure wins. */
export async function mapLimit<T, R>(items: T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** A network config checked and in canonical form: the controller would silently coerce or drop bad values. */
export function checkNetworkConfig(config: NetworkConfig): NetworkConfig {
  if (!Number.isInteger(config.mtu) || config.mtu < 1280 || config.mtu > 10000) {
    throw invalid(`MTU ${config.mtu} is out of range: ZeroTier accepts 1280 to 10000 (it would clamp it silently)`);
  }
  if (config.multicastLimit !== undefined && (!Number.isInteger(config.multicastLimit) || config.multicastLimit < 0)) throw invalid(`multicastLimit ${config.multicastLimit} is not a whole number`);
  const routes = config.routes.map((route) => {
    const target = normalizeRouteTarget(route.target);
    if (route.via === null) return { target, via: null };
    const via = canonicalAddress(route.via);
    if (!via) throw invalid(`route ${route.target} goes via "${route.via}", which is not an IP address`);
    return { target, via };
  });
  const ipAssignmentPools = config.ipAssignmentPools.map((pool) => {
    const start = canonicalAddress(pool.ipRangeStart);
    const end = canonicalAddress(pool.ipRangeEnd);
    if (!start || !end || start.includes(":") !== end.includes(":")) throw invalid(`pool ${pool.ipRangeStart}-${pool.ipRangeEnd} is not a range of two addresses of one family`);
    return { ipRangeStart: start, ipRangeEnd: end };
  });
  return { ...config, routes, ipAssignmentPools, v4AssignMode: { zt: config.v4AssignMode.zt }, v6AssignMode: { zt: config.v6AssignMode.zt, rfc4193: config.v6AssignMode.rfc4193, "6plane": config.v6AssignMode["6plane"] } };
}

/** Where a stored network differs from what was written (empty when it holds it). */
export function networkDifferences(stored: NetworkInfo, wanted: NetworkConfig): string[] {
  const differences: string[] = [];
  const route = (r: { target: string; via: string | null }) => `${canonicalTarget(r.target)} via ${r.via === null ? "on-link" : (canonicalAddress(r.via) ?? r.via)}`;
  const pool = (p: { ipRangeStart: string; ipRangeEnd: string }) => `${canonicalAddress(p.ipRangeStart) ?? p.ipRangeStart}-${canonicalAddress(p.ipRangeEnd) ?? p.ipRangeEnd}`;
  if (stored.name !== wanted.name) differences.push(`name is "${stored.name}", not "${wanted.name}"`);
  if (stored.private !== wanted.private) differences.push(`private is ${stored.private}, not ${wanted.private}`);
  if (stored.mtu !== wanted.mtu) differences.push(`MTU is ${stored.mtu}, not ${wanted.mtu}`);
  if (!sameSet(stored.routes.map(route), wanted.routes.map(route))) differences.push(`routes are ${list(stored.routes.map(route))}, not ${list(wanted.routes.map(route))}`);
  if (stored.v4AssignMode.zt !== wanted.v4AssignMode.zt) differences.push(`v4AssignMode.zt is ${stored.v4AssignMode.zt}, not ${wanted.v4AssignMode.zt}`);
  for (const key of ["zt", "rfc4193", "6plane"] as const) {
    if (stored.v6AssignMode[key] !== wanted.v6AssignMode[key]) differences.push(`v6AssignMode.${key} is ${stored.v6AssignMode[key]}, not ${wanted.v6AssignMode[key]}`);
  }
  if (!sameSet(stored.ipAssignmentPools.map(pool), wanted.ipAssignmentPools.map(pool))) differences.push(`ipAssignmentPools are ${list(stored.ipAssignmentPools.map(pool))}, not ${list(wanted.ipAssignmentPools.map(pool))}`);
  if (wanted.enableBroadcast !== undefined && stored.enableBroadcast !== wanted.enableBroadcast) differences.push(`enableBroadcast is ${stored.enableBroadcast}, not ${wanted.enableBroadcast}`);
  if (wanted.multicastLimit !== undefined && stored.multicastLimit !== wanted.multicastLimit) differences.push(`multicastLimit is ${stored.multicastLimit}, not ${wanted.multicastLimit}`);
  return differences;
}

/**
 * What both providers share: the token, requests with bounded retries, fail-closed mutations
 * (no readiness, no request), id and address checks before any request, and read-back checks.
 * Subclasses say how objects are shaped on the wire and how readiness is established.
 */
/** How long a successful readiness check is trusted before a write (see ensureReady). */
export const READY_TRUST_MS = 1_000;

export abstract class BaseProvider implements ZeroTierProvider {
  abstract readonly kind: ProviderKind;
  readonly baseUrl: string;
  protected readonly retry: RetryPolicy;
  protected readonly timeoutMs: number;

  constructor(protected readonly options: ProviderOptions) {
    this.baseUrl = options.url.trim().replace(/\/+$/, "");
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  /** Who is asked, for messages: "ZeroTier controller at http://127.0.0.1:9993/controller". */
  protected abstract get target(): string;
  /** Where the operator sets the credential, for messages. */
  protected abstract get credentialHint(): string;
  protected abstract authHeaders(token: string): Record<string, string>;
  protected abstract createPath(controllerNodeId: string): string;
  protected abstract encodeNetwork(config: NetworkConfig): unknown;
  protected abstract encodeMember(fields: Partial<MemberUpsert>): unknown;
  protected abstract decodeNetwork(body: unknown, what: string): NetworkInfo;
  protected abstract decodeMember(body: unknown, what: string): MemberInfo;
  /** Asks the controller whether it is ready; never throws (see notReady). */
  protected abstract checkReadiness(): Promise<Readiness>;

  async readiness(): Promise<Readiness> {
    const readiness = await this.checkReadiness();
    this.lastReady = readiness.ready ? { at: performance.now(), nodeId: readiness.nodeId } : null;
    return readiness;
  }
  abstract listMembers(networkId: string): Promise<MemberInfo[]>;
  abstract getPeer(networkId: string, nodeId: string): Promise<PeerInfo | null>;

  /** Read when needed, so a rotated authtoken.secret is picked up; trimmed, since a newline would break the header. */
  protected token(): string {
    const { token, tokenFile } = this.options;
    let value: string;
    let source: string;
    if (token?.trim()) {
      value = token.trim();
      source = "the configured token";
    } else if (tokenFile) {
      try {
        value = readFileSync(tokenFile, "utf8").trim();
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        throw new ZeroTierError("unauthorized", `cannot read the token file ${tokenFile} for ${this.target} (${code ?? (error as Error).message}); check ${this.credentialHint}`, false);
      }
      if (!value) throw new ZeroTierError("unauthorized", `the token file ${tokenFile} for ${this.target} is empty; check ${this.credentialHint}`, false);
      source = `the token file ${tokenFile}`;
    } else {
      throw new ZeroTierError("unauthorized", `no token is configured for ${this.target}: set ${this.credentialHint}`, false);
    }
    // Node refuses header values with control characters before anything is sent.
    if (!/^[\x21-\x7e]+$/.test(value)) throw new ZeroTierError("unauthorized", `${source} for ${this.target} contains spaces or control characters; check ${this.credentialHint}`, false);
    return value;
  }

  /** One request; 401/403 and other 4xx (but 404, which callers interpret) become typed errors. */
  protected async call(method: string, path: string, options: CallOptions = {}): Promise<HttpResult> {
    const url = `${options.base ?? this.baseUrl}${path}`;
    const what = `${method} ${new URL(url).pathname}`;
    const result = await request(
      {
        method,
        url,
        headers: this.authHeaders(this.token()),
        body: options.body,
        timeoutMs: this.timeoutMs,
        retry: options.retry ?? "idempotent",
        target: this.target,
        what,
        answers: options.answers,
      },
      this.retry,
      this.options.onRetry,
    );
    if (options.answers?.includes(result.status)) return result;
    if (result.status === 401 || result.status === 403) {
      throw new ZeroTierError("unauthorized", `${this.target} rejected the token (${result.status}) on ${what}: check ${this.credentialHint}`, false, result.status);
    }
    if (result.status >= 400 && result.status !== 404) {
      throw new ZeroTierError("rejected", `${this.target} rejected ${what} (HTTP ${result.status}${result.body ? `: ${JSON.stringify(result.body)}` : ""})`, false, result.status);
    }
    return result;
  }

  protected decode<T>(schema: z.ZodType<T>, body: unknown, what: string, noun: string): T {
    const parsed = schema.safeParse(body);
    if (parsed.success) return parsed.data;
    const issues = parsed.error.issues.slice(0, 3).map((issue) => `${issue.path.join(".") || "the body"}: ${issue.message}`);
    throw new ZeroTierError("server_error", `${this.target} answered ${what} with something that is not a ZeroTier ${noun} (${issues.join("; ")})`, false);
  }

  /** A failed readiness check as a Readiness value: readiness never throws. */
  protected notReady(error: unknown): Readiness {
    if (error instanceof ZeroTierError) {
      const kind = (CONTROLLER_FAILURE_KINDS as readonly string[]).includes(error.kind) ? (error.kind as ReadinessFailureKind) : "error";
      return { ready: false, kind, reason: error.message };
    }
    return { ready: false, kind: "error", reason: `${this.target}: ${error instanceof Error ? error.message : String(error)}` };
  }

  private lastReady: { at: number; nodeId: string } | null = null;

  /**
   * Fail closed: no mutating request goes out unless the controller is ready. A successful check
   * less than READY_TRUST_MS old is trusted (a job checks readiness itself just before it writes).
   */
  protected async ensureReady(): Promise<{ nodeId: string }> {
    if (this.lastReady && performance.now() - this.lastReady.at < READY_TRUST_MS) return { nodeId: this.lastReady.nodeId };
    const readiness = await this.readiness();
    if (!readiness.ready) throw new ZeroTierError("not_ready", `${this.label} not ready, nothing was changed: ${readiness.reason}`, true);
    return readiness;
  }

  protected get label() {
    return this.kind === "central" ? "ZeroTier Central" : "ZeroTier controller";
  }

  private networkMissing(nwid: string) {
    return new ZeroTierError("not_found", `network ${nwid} does not exist on ${this.target}`, false, 404);
  }

  async getNetwork(networkId: string): Promise<NetworkInfo | null> {
    const nwid = normalizeNetworkId(networkId);
    const result = await this.call("GET", `/network/${nwid}`);
    return result.status === 404 ? null : this.decodeNetwork(result.body, `GET /network/${nwid}`);
  }

  async getMember(networkId: string, nodeId: string): Promise<MemberInfo | null> {
    const nwid = normalizeNetworkId(networkId);
    const mid = normalizeNodeId(nodeId);
    const result = await this.call("GET", `/network/${nwid}/member/${mid}`);
    return result.status === 404 ? null : this.decodeMember(result.body, `GET /network/${nwid}/member/${mid}`);
  }

  async createNetwork(config: NetworkConfig): Promise<NetworkInfo> {
    const wanted = checkNetworkConfig(config);
    const ready = await this.ensureReady();
    const path = this.createPath(ready.nodeId);
    let result: HttpResult;
    try {
      // Not repeated after a 5xx or a lost answer: a second create would make a second network.
      result = await this.call("POST", path, { body: this.encodeNetwork(wanted), retry: "rate-limit-only" });
    } catch (error) {
      if (error instanceof ZeroTierError && ["timeout", "unreachable", "server_error"].includes(error.kind)) {
        throw new ZeroTierError(error.kind, `${error.message}. The network may have been created anyway: list the networks on the controller before trying again`, false, error.status);
      }
      throw error;
    }
    if (result.status !== 200) throw new ZeroTierError("rejected", `${this.target} answered ${result.status} to POST ${path}`, false, result.status);
    const created = this.decodeNetwork(result.body, `POST ${path}`);
    return this.verifyNetwork(created.networkId, wanted);
  }

  async configureNetwork(networkId: string, config: NetworkConfig): Promise<NetworkInfo> {
    const nwid = normalizeNetworkId(networkId);
    const wanted = checkNetworkConfig(config);
    await this.ensureReady();
    // A POST to a missing network creates it (recording #99): a mistyped id must not.
    if (!(await this.getNetwork(nwid))) throw this.networkMissing(nwid);
    await this.call("POST", `/network/${nwid}`, { body: this.encodeNetwork(wanted) });
    return this.verifyNetwork(nwid, wanted);
  }

  private async verifyNetwork(nwid: string, wanted: NetworkConfig): Promise<NetworkInfo> {
    const stored = await this.getNetwork(nwid);
    if (!stored) throw new ZeroTierError("mismatch", `${this.target}: network ${nwid} is missing right after it was written`, true);
    const differences = networkDifferences(stored, wanted);
    if (differences.length > 0) throw new ZeroTierError("mismatch", `${this.target}: network ${nwid} reads back differently from what was written: ${differences.join("; ")}`, true);
    return stored;
  }

  async upsertMember(networkId: string, nodeId: string, member: MemberUpsert): Promise<MemberInfo> {
    const nwid = normalizeNetworkId(networkId);
    const mid = normalizeAssignableNodeId(nodeId);
    const ipAssignments = [...new Set(member.ipAssignments.map(normalizeAssignment))];
    await this.ensureReady();
    const fields: MemberUpsert = { authorized: member.authorized, ipAssignments, noAutoAssignIps: member.noAutoAssignIps, ...(member.name !== undefined ? { name: member.name } : {}) };
    // Create-or-merge of whole values: repeating it has the effect of once, so it may be retried.
    const result = await this.call("POST", `/network/${nwid}/member/${mid}`, { body: this.encodeMember(fields) });
    if (result.status === 404) throw this.networkMissing(nwid);
    const stored = await this.getMember(nwid, mid);
    const wanted = `authorized=${member.authorized} ${list(ipAssignments)}`;
    if (!stored) throw new ZeroTierError("mismatch", `${this.target}: member ${mid} of network ${nwid} is missing right after it was written (${wanted})`, true);
    const storedAddresses = stored.ipAssignments.map((address) => canonicalAddress(address) ?? address);
    if (stored.authorized !== member.authorized || !sameSet(storedAddresses, ipAssignments) || stored.noAutoAssignIps !== member.noAutoAssignIps) {
      throw new ZeroTierError(
        "mismatch",
        `${this.target}: member ${mid} of network ${nwid} reads back as authorized=${stored.authorized} ${list(stored.ipAssignments)} noAutoAssignIps=${stored.noAutoAssignIps} after writing ${wanted} noAutoAssignIps=${member.noAutoAssignIps} (another writer?)`,
        true,
      );
    }
    return stored;
  }

  async deauthorizeMember(networkId: string, nodeId: string): Promise<MemberInfo | null> {
    const nwid = normalizeNetworkId(networkId);
    const mid = normalizeNodeId(nodeId);
    await this.ensureReady();
    // A POST would create an absent member (recording #8): look first.
    const current = await this.getMember(nwid, mid);
    if (!current) return null;
    if (!current.authorized && current.ipAssignments.length === 0) return current;
    const result = await this.call("POST", `/network/${nwid}/member/${mid}`, { body: this.encodeMember({ authorized: false, ipAssignments: [] }) });
    if (result.status === 404) return null;
    const stored = await this.getMember(nwid, mid);
    if (stored && (stored.authorized || stored.ipAssignments.length > 0)) {
      throw new ZeroTierError("mismatch", `${this.target}: member ${mid} of network ${nwid} still reads authorized=${stored.authorized} ${list(stored.ipAssignments)} after deauthorization`, true);
    }
    return stored;
  }

  async deleteMember(networkId: string, nodeId: string): Promise<boolean> {
    const nwid = normalizeNetworkId(networkId);
    const mid = normalizeNodeId(nodeId);
    await this.ensureReady();
    // 404 = already gone (also when a retried DELETE had gone through the first time).
    const result = await this.call("DELETE", `/network/${nwid}/member/${mid}`);
    return result.status !== 404;
  }
}
