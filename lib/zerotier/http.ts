import "server-only";
import { ZeroTierError } from "./errors";

export type RetryPolicy = {
  /** Attempts in all, the first one included. */
  maxAttempts: number;
  /** Budget for the whole call, waits included: past it, a retryable error instead of a wait. */
  maxTotalMs: number;
  /** Exponential backoff (full jitter) when the server does not say when to come back. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** Injectable for tests: how to wait, what time it is, and the jitter source. */
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  random?: () => number;
};

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 6, maxTotalMs: 30_000, baseDelayMs: 250, maxDelayMs: 8_000 };

export type RetryEvent = { attempt: number; status: number | null; kind: "rate_limited" | "server_error" | "timeout" | "unreachable"; delayMs: number; reason: string };

/**
 * Which failures a request may repeat (429 always: it means the request was not processed):
 * - "idempotent": also 5xx, timeouts and network errors (sending it twice has the effect of once);
 * - "probe": also those, but once only: a quick check (readiness) that a restarted controller's
 *   closed pooled connection must not fail, and a down controller must not hold for long;
 * - "rate-limit-only": nothing else (creates: a second one would create twice).
 */
export type RetryMode = "idempotent" | "probe" | "rate-limit-only";

export type HttpRequest = {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: unknown;
  timeoutMs: number;
  retry: RetryMode;
  /** Who is asked, for messages: "ZeroTier controller at http://127.0.0.1:9993/controller". */
  target: string;
  /** What is asked, for messages: "GET /controller/network/…". */
  what: string;
  /** Statuses that are an answer rather than a failure (GET /controller's 503: database not ready). */
  answers?: number[];
};

export type HttpResult = { status: number; body: unknown; headers: Headers };

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * When the server asked to come back, in ms from `now`: Retry-After (seconds or an HTTP date),
 * else X-Ratelimit-Reset (epoch seconds, seconds from now, or an HTTP date as Central sends it).
 */
export function serverRetryDelayMs(headers: Headers, now: number): number | null {
  const retryAfter = headers.get("retry-after")?.trim();
  if (retryAfter) {
    if (/^\d+(\.\d+)?$/.test(retryAfter)) return Math.round(Number(retryAfter) * 1000);
    const date = Date.parse(retryAfter);
    if (!Number.isNaN(date)) return Math.max(0, date - now);
  }
  const reset = headers.get("x-ratelimit-reset")?.trim();
  if (reset) {
    if (/^\d+(\.\d+)?$/.test(reset)) {
      const value = Number(reset);
      // Large numbers are an epoch time, small ones a number of seconds to wait.
      return value > 1_000_000_000 ? Math.max(0, Math.round(value * 1000 - now)) : Math.round(value * 1000);
    }
    const date = Date.parse(reset);
    if (!Number.isNaN(date)) return Math.max(0, date - now);
  }
  return null;
}

function networkFailure(error: unknown, request: HttpRequest): ZeroTierError {
  if (error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError")) {
    return new ZeroTierError("timeout", `${request.target} did not answer ${request.what} within ${request.timeoutMs} ms`, true);
  }
  const cause = (error as { cause?: { code?: string; message?: string } } | null)?.cause;
  const code = cause?.code;
  const plain: Record<string, string> = {
    ECONNREFUSED: "connection refused: is zerotier-one running and listening there?",
    ECONNRESET: "connection reset",
    ENOTFOUND: "host name not found",
    EHOSTUNREACH: "host unreachable",
    ETIMEDOUT: "connection timed out",
  };
  const detail = code ? `${plain[code] ?? cause?.message ?? "network error"} (${code})` : error instanceof Error ? (cause?.message ?? error.message) : String(error);
  return new ZeroTierError("unreachable", `${request.target} is unreachable (${request.what}): ${detail}`, true);
}

function describeBody(body: unknown): string {
  if (body && typeof body === "object" && "description" in body) return `: ${String((body as { description: unknown }).description)}`;
  if (body && typeof body === "object" && "message" in body) return `: ${String((body as { message: unknown }).message)}`;
  return "";
}

/**
 * One HTTP exchange with a per-request timeout and bounded retries. 429, and as `retry` allows
 * 5xx, timeouts and network failures, are retried after the delay the server asked for
 * (Retry-After, else X-Ratelimit-Reset), else exponential backoff with full jitter. Attempts and
 * total time are both bounded: past either, a retryable error says what happened. Never a hang.
 */
export async function request(input: HttpRequest, policy: RetryPolicy, onRetry?: (event: RetryEvent) => void): Promise<HttpResult> {
  const sleep = policy.sleep ?? defaultSleep;
  const now = policy.now ?? Date.now;
  const random = policy.random ?? Math.random;
  const started = now();
  const elapsed = () => `${((now() - started) / 1000).toFixed(1)} s`;

  let transientFailures = 0;
  for (let attempt = 1; ; attempt++) {
    let failure: ZeroTierError;
    let asked: number | null = null;
    try {
      const response = await fetch(input.url, {
        method: input.method,
        headers: { Accept: "application/json", ...(input.body !== undefined ? { "Content-Type": "application/json" } : {}), ...input.headers },
        // Always a JSON text: the controller answers 500 to an empty body (recordings #30-#32).
        body: input.body !== undefined ? JSON.stringify(input.body) : undefined,
        signal: AbortSignal.timeout(input.timeoutMs),
      });
      const text = await response.text();
      let body: unknown = null;
      if (text) {
        try {
          body = JSON.parse(text);
        } catch {
          body = text;
        }
      }
      const status = response.status;
      if ((status !== 429 && status < 500) || input.answers?.includes(status)) return { status, body, headers: response.headers };
      if (status === 429) {
        failure = new ZeroTierError("rate_limited", `${input.target} rate limited ${input.what} (429)`, true, 429);
        asked = serverRetryDelayMs(response.headers, now());
      } else {
        failure = new ZeroTierError("server_error", `${input.target} answered HTTP ${status} to ${input.what}${describeBody(body)}`, true, status);
        if (status === 503) asked = serverRetryDelayMs(response.headers, now());
      }
    } catch (error) {
      failure = networkFailure(error, input);
    }
    const giveUp = (why: string) =>
      new ZeroTierError(failure.kind, `${failure.message}; gave up after ${attempt} attempt${attempt === 1 ? "" : "s"} in ${elapsed()} (${why})`, true, failure.status);
    if (failure.kind !== "rate_limited") {
      if (input.retry === "rate-limit-only") throw failure;
      if (input.retry === "probe" && ++transientFailures >= 2) throw giveUp("a quick check tries twice");
    }

    const backoff = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
    const wait = asked ?? Math.floor(random() * backoff);
    if (attempt >= policy.maxAttempts) throw giveUp(`at most ${policy.maxAttempts} attempts`);
    if (now() - started + wait > policy.maxTotalMs) {
      throw giveUp(asked !== null ? `asked to wait ${(asked / 1000).toFixed(1)} s, beyond the ${policy.maxTotalMs / 1000} s budget` : `the ${policy.maxTotalMs / 1000} s budget is spent`);
    }
    onRetry?.({ attempt, status: failure.status ?? null, kind: failure.kind as RetryEvent["kind"], delayMs: wait, reason: failure.message });
    await sleep(wait);
  }
}
