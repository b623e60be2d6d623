import "server-only";
import { z } from "zod";
import { version } from "@/lib/version";

/** What ztix keeps of a PeeringDB `net` object. */
export type PeeringDbNet = {
  asn: number;
  name: string;
  irrAsSet: string | null;
  infoPrefixes4: number | null;
  infoPrefixes6: number | null;
  peeringDbId: number;
};

const ZNet = z.object({
  id: z.number().int(),
  asn: z.number().int(),
  name: z.string(),
  irr_as_set: z.string().nullable().optional(),
  info_prefixes4: z.number().int().nullable().optional(),
  info_prefixes6: z.number().int().nullable().optional(),
});
// PostgreSQL `integer` columns hold what ztix keeps: a larger number is PeeringDB data gone wrong.
const INTEGER_MAX = 2_147_483_647;
const rangeChecked = ["id", "info_prefixes4", "info_prefixes6"] as const;

const ZEnvelope = z.object({ data: z.array(z.unknown()), meta: z.record(z.string(), z.unknown()).optional() });

export class PeeringDbApiError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = "PeeringDbApiError";
  }
}

export type RestOptions = {
  apiUrl: string;
  apiKey?: string;
  timeoutMs?: number;
  /** Retries after a 429 or 5xx; the total wait is bounded by maxTotalMs too. */
  maxRetries?: number;
  maxTotalMs?: number;
  sleep?: (ms: number) => Promise<void>;
};

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Seconds from a Retry-After header (seconds or an HTTP date). */
export function retryAfterMs(header: string | null, now = Date.now()): number | null {
  if (!header) return null;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  const date = Date.parse(header);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

/**
 * GET /api/net?asn=N. Unknown ASN → null (PeeringDB answers 404 "Entity not found").
 * 429 and 5xx are retried with backoff honouring Retry-After, within a bounded time; then a
 * retryable error. The API key, when set, is sent as `Authorization: Api-Key`, never logged.
 */
export async function fetchNetworkByAsn(asn: number, options: RestOptions): Promise<PeeringDbNet | null> {
  const sleep = options.sleep ?? defaultSleep;
  const maxRetries = options.maxRetries ?? 4;
  const deadline = Date.now() + (options.maxTotalMs ?? 60_000);
  const url = `${options.apiUrl.replace(/\/+$/, "")}/net?asn=${asn}`;
  for (let attempt = 0; ; attempt++) {
    let response: Response;
    try {
      response = await fetch(url, {
        headers: {
          Accept: "application/json",
          "User-Agent": `ztix/${version} (+https://github.com/ztix)`,
          ...(options.apiKey ? { Authorization: `Api-Key ${options.apiKey}` } : {}),
        },
        signal: AbortSignal.timeout(options.timeoutMs ?? 15_000),
      });
    } catch (error) {
      throw new PeeringDbApiError(`PeeringDB API unreachable: ${error instanceof Error ? error.message : String(error)}`, true);
    }
    if (response.status === 429 || response.status >= 500) {
      const wait = retryAfterMs(response.headers.get("retry-after")) ?? Math.min(60_000, 1000 * 2 ** attempt);
      const label = response.status === 429 ? "rate limited (429)" : `unavailable (HTTP ${response.status})`;
      if (attempt >= maxRetries || Date.now() + wait > deadline) {
        throw new PeeringDbApiError(`PeeringDB API ${label} for AS${asn}; gave up after ${attempt + 1} tries`, true);
      }
      await sleep(wait);
      continue;
    }
    const json = (await response.json().catch(() => null)) as unknown;
    if (response.status === 404) return null;
    if (response.status === 401) throw new PeeringDbApiError(`PeeringDB refused the API key: ${(json as { meta?: { error?: string } })?.meta?.error ?? "401"}`, false);
    if (!response.ok) throw new PeeringDbApiError(`PeeringDB API answered HTTP ${response.status} for AS${asn}`, false);
    const envelope = ZEnvelope.safeParse(json);
    if (!envelope.success) throw new PeeringDbApiError("PeeringDB API answer is not the expected {data, meta} envelope", false);
    if (envelope.data.data.length === 0) return null;
    const net = ZNet.safeParse(envelope.data.data[0]);
    if (!net.success) throw new PeeringDbApiError(`PeeringDB net object for AS${asn} is malformed: ${net.error.issues[0]!.path.join(".")} ${net.error.issues[0]!.message}`, false);
    for (const field of rangeChecked) {
      const value = net.data[field];
      if (typeof value === "number" && (value < 0 || value > INTEGER_MAX)) {
        throw new PeeringDbApiError(`PeeringDB data for AS${asn} (${net.data.name}) is out of range: ${field} = ${value}, expected 0 to ${INTEGER_MAX}`, false);
      }
    }
    return {
      asn: net.data.asn,
      name: net.data.name,
      irrAsSet: net.data.irr_as_set ? net.data.irr_as_set : null,
      infoPrefixes4: net.data.info_prefixes4 ?? null,
      infoPrefixes6: net.data.info_prefixes6 ?? null,
      peeringDbId: net.data.id,
    };
  }
}
