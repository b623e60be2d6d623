import "server-only";
import { randomUUID } from "node:crypto";
import { z } from "zod";
import { getDb } from "@/db";
import { verifyApiKey, type ApiKeyIdentity } from "./keys";
import type { Actor } from "@/lib/audit";
import { clientIpFrom } from "@/lib/auth/client-ip";
import { AuthorizationError, ConflictError, DomainError, NotFoundError } from "@/lib/errors";
import { CONCURRENT_CHANGE_MESSAGE, DATABASE_RETRY_AFTER_SECONDS, DATABASE_UNAVAILABLE_MESSAGE, isDatabaseUnavailable, isTransientConflict, retryOnConflict } from "@/lib/database-errors";
import { createLogger } from "@/lib/log";
import { consumeRateLimit, type RateLimitResult } from "@/lib/rate-limit";
import { readBodyText } from "./body";
import { ApiError, errorResponse } from "./errors";

const log = createLogger("api");

export function apiRateLimits() {
  const perMinute = Number(process.env.ZTIX_API_RATE_LIMIT ?? 600);
  return {
    // Per client address (before the key is known) and per key.
    address: { limit: Math.max(1, perMinute), windowSeconds: 60 },
    key: { limit: Math.max(1, perMinute), windowSeconds: 60 },
  };
}

function rateLimitHeaders(result: RateLimitResult): Record<string, string> {
  return {
    "RateLimit-Limit": String(result.limit),
    "RateLimit-Remaining": String(result.remaining),
    "RateLimit-Reset": String(result.resetSeconds),
    "X-RateLimit-Limit": String(result.limit),
    "X-RateLimit-Remaining": String(result.remaining),
    "X-RateLimit-Reset": String(Math.ceil(Date.now() / 1000) + result.resetSeconds),
  };
}

async function limit(bucket: string, policy: { limit: number; windowSeconds: number }) {
  const result = await consumeRateLimit(getDb(), bucket, policy);
  if (!result.allowed) {
    throw new ApiError(429, "rate_limited", `Too many requests: at most ${result.limit} per ${policy.windowSeconds} s. Retry after ${result.resetSeconds} s.`, undefined, {
      ...rateLimitHeaders(result),
      "Retry-After": String(result.resetSeconds),
    });
  }
  return result;
}

function validationError(error: z.ZodError, where: string) {
  const flattened = z.flattenError(error);
  const fieldErrors: Record<string, string[]> = { ...(flattened.fieldErrors as Record<string, string[]>) };
  // Unknown fields are refused by name, like any other field.
  for (const issue of error.issues) {
    if (issue.code !== "unrecognized_keys") continue;
    for (const key of issue.keys) fieldErrors[[...issue.path, key].join(".")] = ["is not a known field"];
  }
  return new ApiError(400, "validation_failed", `The request's ${where} is not valid.`, {
    fieldErrors,
    formErrors: flattened.formErrors.filter((message) => !message.startsWith("Unrecognized key")),
  });
}

/** Largest accepted request body (ZTIX_API_MAX_BODY_BYTES, default 64 KiB). */
export function apiMaxBodyBytes() {
  const value = Number.parseInt(process.env.ZTIX_API_MAX_BODY_BYTES ?? "", 10);
  return Number.isFinite(value) && value > 0 ? value : 64 * 1024;
}

// The other security headers of /api/v1 come from next.config.ts; this one depends on the runtime URL.
function transportSecurityHeader(): Record<string, string> {
  return (process.env.NEXTAUTH_URL ?? "").startsWith("https:") ? { "Strict-Transport-Security": "max-age=63072000; includeSubDomains" } : {};
}

export type ApiContext<P, Q, B> = { key: ApiKeyIdentity; actor: Actor; params: P; query: Q; body: B; clientIp: string | null };

type RouteContext = { params: Promise<Record<string, string | string[]>> };

/**
 * The one wrapper every /api/v1 route handler goes through: rate limits (per address, then per
 * key), X-API-Key authentication, scope, zod on path, query and body, and the error shape.
 */
export function apiRoute<P extends z.ZodType = z.ZodType<Record<string, never>>, Q extends z.ZodType = z.ZodType<Record<string, never>>, B extends z.ZodType = z.ZodType<undefined>>(
  spec: { scope: "read" | "admin"; params?: P; query?: Q; body?: B },
  handler: (context: ApiContext<z.output<P>, z.output<Q>, z.output<B>>) => Promise<unknown>,
) {
  return async (request: Request, context: RouteContext): Promise<Response> => {
    // A caller's request id is kept (so its logs and ours line up), else one is made.
    const requestId = /^[\w.-]{1,100}$/.test(request.headers.get("x-request-id") ?? "") ? request.headers.get("x-request-id")! : randomUUID();
    const started = performance.now();
    let keyPrefix: string | undefined;
    let headers: Record<string, string> = { "X-Request-Id": requestId, ...transportSecurityHeader() };
    const finish = (response: Response) => {
      log.info("api request", { requestId, method: request.method, path: new URL(request.url).pathname, status: response.status, durationMs: Math.round(performance.now() - started), key: keyPrefix });
      return response;
    };
    try {
      const clientIp = clientIpFrom(request.headers);
      await limit(`api:ip:${clientIp ?? "unknown"}`, apiRateLimits().address);

      const presented = request.headers.get("x-api-key");
      if (!presented) throw new ApiError(401, "missing_api_key", "Send an API key in the X-API-Key header.");
      const key = await verifyApiKey(getDb(), presented.trim());
      if (!key) throw new ApiError(401, "invalid_api_key", "The API key is unknown, revoked or expired.");
      keyPrefix = key.prefix;
      headers = { ...headers, ...rateLimitHeaders(await limit(`api:key:${key.id}`, apiRateLimits().key)) };
      if (spec.scope === "admin" && key.scope !== "admin") {
        throw new ApiError(403, "insufficient_scope", "This endpoint needs an API key with the admin scope.");
      }

      const rawParams = await context.params;
      const params = (spec.params ?? z.object({})).safeParse(rawParams ?? {});
      if (!params.success) throw validationError(params.error, "path");
      const query = (spec.query ?? z.object({})).safeParse(Object.fromEntries(new URL(request.url).searchParams));
      if (!query.success) throw validationError(query.error, "query");
      let body: unknown = undefined;
      if (spec.body) {
        const text = await readBodyText(request, apiMaxBodyBytes());
        try {
          body = text ? JSON.parse(text) : {};
        } catch {
          throw new ApiError(400, "invalid_json", "The request body is not valid JSON.");
        }
        const parsed = spec.body.safeParse(body);
        if (!parsed.success) throw validationError(parsed.error, "body");
        body = parsed.data;
      }

      const actor: Actor = { type: "api_key", id: key.id, label: `API key ${key.name} (${key.prefix})` };
      // A write that lost a collision (deadlock, serialization failure) rolled back: run it again.
      const result = await retryOnConflict(() =>
        handler({ key, actor, params: params.data, query: query.data, body, clientIp } as ApiContext<z.output<P>, z.output<Q>, z.output<B>>),
      );
      if (result instanceof Response) {
        for (const [name, value] of Object.entries(headers)) result.headers.set(name, value);
        return finish(result);
      }
      return finish(Response.json(result, { headers: { "Cache-Control": "no-store", ...headers } }));
    } catch (error) {
      return finish(errorResponse(toApiError(error, requestId), headers));
    }
  };
}

export function toApiError(error: unknown, requestId?: string): ApiError {
  if (error instanceof ApiError) return error;
  if (isDatabaseUnavailable(error)) {
    log.warn("API request failed: the database is unavailable", { requestId, error: error instanceof Error ? error.message : String(error) });
    return new ApiError(503, "database_unavailable", DATABASE_UNAVAILABLE_MESSAGE, null, { "Retry-After": String(DATABASE_RETRY_AFTER_SECONDS) });
  }
  if (isTransientConflict(error)) return new ApiError(409, "conflict", CONCURRENT_CHANGE_MESSAGE, null, { "Retry-After": "1" });
  if (error instanceof NotFoundError) return new ApiError(404, "not_found", error.message);
  if (error instanceof ConflictError) return new ApiError(409, "conflict", error.message, error.fieldErrors ? { fieldErrors: error.fieldErrors } : null);
  // PostgreSQL's own refusal of an address in use (a race the application check did not see).
  if ((error as { code?: string; constraint?: string })?.code === "23505" && (error as { constraint?: string }).constraint === "address_allocations_live_idx") {
    return new ApiError(409, "conflict", (error as Error).message);
  }
  if (error instanceof AuthorizationError) return new ApiError(403, "insufficient_scope", error.message);
  if (error instanceof DomainError) {
    return error.fieldErrors
      ? new ApiError(400, "validation_failed", error.message === "Check the highlighted fields." ? "The request is not valid." : error.message, { fieldErrors: error.fieldErrors })
      : new ApiError(400, "bad_request", error.message);
  }
  log.error("API request failed", { requestId, error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  return new ApiError(500, "internal_error", `Something went wrong on our side; the operators can find the details in the logs under request id ${requestId ?? "(none)"}.`);
}
