import "server-only";
import { ZeroTierError } from "./errors";

export type RetryPolicy = {
  /** Attempts in all, first one included. */
  maxAttempts: number;
  /** The whole call, waits included, ends by then with a retryable error. */
  maxTotalMs: number;
  baseDelayMs: number;
  maxDelayMs: number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
};

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 6, maxTotalMs: 30_000, baseDelayMs: 250, maxDelayMs: 8_000 };

export type HttpResult = { status: number; body: unknown; headers: Headers };

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** When the server said to come back: Retry-After (seconds or date), else X-Ratelimit-Reset (date or epoch seconds). */
export function serverDelayMs(headers: Headers, now = Date.now()): number | null {
  const retryAfter = headers.get("retry-after");
  if (retryAfter) {
    if (/^\d+(\.\d+)?$/.test(retryAfter.trim())) return Number(retryAfter) * 1000;
    const date = Date.parse(retryAfter);
    if (!Number.isNaN(date)) return Math.max(0, date - now);
  }
  const reset = headers.get("x-ratelimit-reset");
  if (reset) {
    if (/^\d+$/.test(reset.trim())) return Math.max(0, Number(reset) * 1000 - now);
    const date = Date.parse(reset);
    if (!Number.isNaN(date)) return Math.max(0, date - now);
  }
  return null;
}

/**
 * One HTTP call with a timeout, and bounded retries: a 429 (the request was not processed) is
 * always retried; 5xx and network failures only for idempotent calls (a retried create could
 * create twice). Waits honour Retry-After / X-Ratelimit-Reset, else exponential backoff with
 * full jitter. Past the attempts or the total time: a retryable error, never a hang.
 */
export async function requestJson(
  input: {
    method: string;
    url: string;
    headers: Record<string, string>;
    body?: unknown;
    timeoutMs: number;
    idempotent: boolean;
    describe: string;
    /** Statuses that are an answer, not a failure (GET /controller's 503 means "database not ready"). */
    answers?: number[];
  },
  policy: RetryPolicy,
  onRetry?: (info: { attempt: number; status: number | null; delayMs: number }) => void,
): Promise<HttpResult> {
  const sleep = policy.sleep ?? defaultSleep;
  const random = policy.random ?? Math.random;
  const started = Date.now();
  for (let attempt = 1; ; attempt++) {
    let failure: ZeroTierError;
    let delay: number | null = null;
    try {
      const response = await fetch(input.url, {
        method: input.method,
        headers: { Accept: "application/json", ...(input.body !== undefined ? { "Content-Type": "application/json" } : {}), ...input.headers },
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
      if ((response.status !== 429 && response.status < 500) || input.answers?.includes(response.status)) {
        return { status: response.status, body, headers: response.headers };
      }
      if (response.status === 429) {
        failure = new ZeroTierError("rate_limited", `${input.describe}: rate limited (429)`, true, 429);
        delay = serverDelayMs(response.headers);
      } else {
        const detail = body && typeof body === "object" && "description" in body ? `: ${String((body as { description: unknown }).description)}` : "";
        failure = new ZeroTierError("server_error", `${input.describe}: server error (HTTP ${response.status})${detail}`, true, response.status);
        if (!input.idempotent) throw failure;
      }
    } catch (error) {
      if (error instanceof ZeroTierError) throw error;
      const timedOut = error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError");
      const cause = (error as { cause?: { code?: string } })?.cause?.code;
      failure = timedOut
        ? new ZeroTierError("timeout", `${input.describe}: no answer within ${input.timeoutMs} ms`, true)
        : new ZeroTierError("unreachable", `${input.describe}: unreachable${cause ? ` (${cause})` : ""}`, true);
      if (!input.idempotent) throw failure;
    }
    const backoff = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
    const wait = delay ?? Math.floor(random() * backoff);
    if (attempt >= policy.maxAttempts || Date.now() - started + wait > policy.maxTotalMs) {
      throw new ZeroTierError(failure.kind, `${failure.message}; gave up after ${attempt} attempt${attempt === 1 ? "" : "s"} (${Math.round((Date.now() - started) / 100) / 10} s)`, true, failure.status);
    }
    onRetry?.({ attempt, status: failure.status ?? null, delayMs: wait });
    await sleep(wait);
  }
}
