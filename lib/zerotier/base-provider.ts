import "server-only";
import { readFileSync } from "node:fs";
import { ZeroTierError } from "./errors";
import { DEFAULT_RETRY, requestJson, type RetryPolicy } from "./http";
import { normalizeNetworkId, normalizeNodeId } from "./ids";
import type { MemberInfo, MemberUpsert, NetworkConfig, NetworkInfo, Readiness } from "./types";

export type ProviderOptions = {
  url: string;
  token?: string;
  tokenFile?: string;
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  onRetry?: (info: { attempt: number; status: number | null; delayMs: number }) => void;
};

const sameSet = (a: string[], b: string[]) => a.length === b.length && [...a].sort().join() === [...b].sort().join();

/** What both providers share: auth token, requests, fail-closed mutations, read-back checks. */
export abstract class BaseProvider {
  readonly baseUrl: string;
  protected readonly retry: RetryPolicy;

  constructor(protected readonly options: ProviderOptions) {
    this.baseUrl = options.url.replace(/\/+$/, "");
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
  }

  /** Read on every call (trimmed: a newline would be refused by Node before reaching the server). */
  protected token(): string {
    if (this.options.token) return this.options.token.trim();
    if (this.options.tokenFile) {
      try {
        return readFileSync(this.options.tokenFile, "utf8").trim();
      } catch (error) {
        throw new ZeroTierError("unauthorized", `cannot read the token file ${this.options.tokenFile}: ${(error as Error).message}`, false);
      }
    }
    throw new ZeroTierError("unauthorized", "no ZeroTier token is configured", false);
  }

  protected abstract authHeaders(): Record<string, string>;
  protected abstract label(): string;

  protected async call(method: string, path: string, options: { body?: unknown; idempotent?: boolean; base?: string; answers?: number[]; once?: boolean } = {}) {
    const describe = `${this.label()} ${method} ${path}`;
    const result = await requestJson(
      {
        method,
        url: `${options.base ?? this.baseUrl}${path}`,
        headers: this.authHeaders(),
        body: options.body,
        timeoutMs: this.options.timeoutMs ?? 10_000,
        // `once`: readiness answers as things are now: only a 429 ("come back later") is retried.
        idempotent: options.once ? false : (options.idempotent ?? method !== "POST"),
        describe,
        answers: options.answers,
      },
      this.retry,
      this.options.onRetry,
    );
    if (result.status === 401 || result.status === 403) {
      throw new ZeroTierError("unauthorized", `${this.label()} at ${this.baseUrl} rejected the token (${result.status})`, false, result.status);
    }
    if (result.status === 400) throw new ZeroTierError("rejected", `${describe}: rejected (400)`, false, 400);
    return result;
  }

  abstract readiness(): Promise<Readiness>;

  /** Fail closed: no mutating request goes out while the controller is not ready. */
  protected async assertReady() {
    const readiness = await this.readiness();
    if (!readiness.ready) throw new ZeroTierError("not_ready", `${this.label()} not ready: ${readiness.reason}`, true);
  }

  protected abstract postMember(networkId: string, nodeId: string, body: MemberUpsert | { authorized: false; ipAssignments: [] }): Promise<void>;
  abstract getMember(networkId: string, nodeId: string): Promise<MemberInfo | null>;
  abstract getNetwork(networkId: string): Promise<NetworkInfo | null>;
  protected abstract postNetwork(networkId: string | null, config: NetworkConfig): Promise<NetworkInfo>;
  protected abstract removeMember(networkId: string, nodeId: string): Promise<boolean>;

  async createNetwork(config: NetworkConfig) {
    await this.assertReady();
    const created = await this.postNetwork(null, config);
    return this.verifyNetwork(created.networkId, config);
  }

  async configureNetwork(networkId: string, config: NetworkConfig) {
    const id = normalizeNetworkId(networkId);
    await this.assertReady();
    await this.postNetwork(id, config);
    return this.verifyNetwork(id, config);
  }

  private async verifyNetwork(networkId: string, config: NetworkConfig) {
    const stored = await this.getNetwork(networkId);
    if (!stored) throw new ZeroTierError("mismatch", `network ${networkId} is missing right after it was written`, true);
    const routes = (routes: { target: string; via: string | null }[]) => routes.map((route) => `${route.target}>${route.via ?? ""}`).sort().join();
    if (routes(stored.routes) !== routes(config.routes) || stored.private !== config.private || stored.mtu !== config.mtu || stored.v4AssignMode.zt !== config.v4AssignMode.zt) {
      throw new ZeroTierError("mismatch", `network ${networkId} reads back differently from what was written`, true);
    }
    return stored;
  }

  async upsertMember(networkId: string, nodeId: string, member: MemberUpsert) {
    const nwid = normalizeNetworkId(networkId);
    const mid = normalizeNodeId(nodeId);
    await this.assertReady();
    // Only an existing network: a POST to a missing one would create it (silently, and wrongly).
    if (!(await this.getNetwork(nwid))) throw new ZeroTierError("not_found", `network ${nwid} does not exist on the controller`, false, 404);
    await this.postMember(nwid, mid, member);
    const stored = await this.getMember(nwid, mid);
    if (!stored || stored.authorized !== member.authorized || !sameSet(stored.ipAssignments, member.ipAssignments)) {
      throw new ZeroTierError(
        "mismatch",
        `member ${mid} reads back as ${stored ? `authorized=${stored.authorized} [${stored.ipAssignments.join(", ")}]` : "missing"}, not authorized=${member.authorized} [${member.ipAssignments.join(", ")}]`,
        true,
      );
    }
    return stored;
  }

  async deauthorizeMember(networkId: string, nodeId: string) {
    const nwid = normalizeNetworkId(networkId);
    const mid = normalizeNodeId(nodeId);
    await this.assertReady();
    // A POST would create an absent member: check first.
    if (!(await this.getMember(nwid, mid))) return null;
    await this.postMember(nwid, mid, { authorized: false, ipAssignments: [] });
    const stored = await this.getMember(nwid, mid);
    if (stored?.authorized) throw new ZeroTierError("mismatch", `member ${mid} is still authorized after deauthorization`, true);
    return stored;
  }

  async deleteMember(networkId: string, nodeId: string) {
    const nwid = normalizeNetworkId(networkId);
    const mid = normalizeNodeId(nodeId);
    await this.assertReady();
    return this.removeMember(nwid, mid);
  }
}
