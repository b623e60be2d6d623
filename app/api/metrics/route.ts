import { timingSafeEqual } from "node:crypto";
import { getDb } from "@/db";
import { verifyApiKey } from "@/lib/api/keys";
import { ApiError, errorResponse } from "@/lib/api/errors";
import { renderMetrics } from "@/lib/metrics";
import { getZeroTierProvider } from "@/lib/zerotier/client";

export const dynamic = "force-dynamic";

function bearerMatches(header: string | null) {
  const expected = process.env.METRICS_TOKEN;
  const presented = /^Bearer (.+)$/i.exec(header ?? "")?.[1];
  if (!expected || !presented) return false;
  const a = Buffer.from(presented);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Prometheus exposition; needs a read API key (X-API-Key) or METRICS_TOKEN as a Bearer token. */
export async function GET(request: Request) {
  const key = request.headers.get("x-api-key");
  const allowed = bearerMatches(request.headers.get("authorization")) || (key ? Boolean(await verifyApiKey(getDb(), key.trim())) : false);
  if (!allowed) return errorResponse(new ApiError(401, key ? "invalid_api_key" : "missing_api_key", "Send a read API key in X-API-Key, or METRICS_TOKEN as a Bearer token."));
  const metrics = await renderMetrics(getDb(), () => getZeroTierProvider().readiness());
  return new Response(metrics.body, { headers: { "Content-Type": metrics.contentType, "Cache-Control": "no-store" } });
}
