import { getDb } from "@/db";
import { ApiError, errorResponse } from "@/lib/api/errors";
import { apiRateLimits, apiRoute, toApiError } from "@/lib/api/route";
import { clientIpFrom } from "@/lib/auth/client-ip";
import { getConfig } from "@/lib/config";
import { buildIxfExport, ixIdentityFrom, missingIdentity } from "@/lib/participants";
import { consumeRateLimit } from "@/lib/rate-limit";

export const dynamic = "force-dynamic";

async function ixfExport() {
  const identity = ixIdentityFrom(getConfig());
  const missing = missingIdentity(identity);
  if (missing.length > 0) throw new ApiError(503, "not_configured", `The operator has not configured the exchange's identity for the IX-F export: set ${missing.join(" and ")}.`, { missing });
  return buildIxfExport(getDb(), identity);
}

/** With a read API key (X-API-Key), the rate limits and error shape of /api/v1. */
const withKey = apiRoute({ scope: "read" }, ixfExport);

/**
 * The IX-F Member Export (schema 1.0). Anonymous when the operator publishes it
 * (ZTIX_PUBLIC_PARTICIPANTS=true), as peering tools and PeeringDB fetch it; else a read key.
 */
export async function GET(request: Request, context: { params: Promise<Record<string, string | string[]>> }): Promise<Response> {
  if (!getConfig().ZTIX_PUBLIC_PARTICIPANTS) return withKey(request, context);
  try {
    const policy = apiRateLimits().address;
    const limited = await consumeRateLimit(getDb(), `participants:ip:${clientIpFrom(request.headers) ?? "unknown"}`, policy);
    if (!limited.allowed) throw new ApiError(429, "rate_limited", `Too many requests: at most ${limited.limit} per ${policy.windowSeconds} s. Retry after ${limited.resetSeconds} s.`, undefined, { "Retry-After": String(limited.resetSeconds) });
    return Response.json(await ixfExport(), { headers: { "Cache-Control": "public, max-age=60", "Access-Control-Allow-Origin": "*" } });
  } catch (error) {
    return errorResponse(toApiError(error));
  }
}
