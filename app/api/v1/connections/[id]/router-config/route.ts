import { z } from "zod";
import { getDb } from "@/db";
import { ApiError, errorResponse } from "@/lib/api/errors";
import { apiRateLimits, apiRoute, toApiError } from "@/lib/api/route";
import { ZIdParams, ZRouterConfigQuery } from "@/lib/api/v1";
import { getCurrentUser } from "@/lib/auth/session";
import { consumeRateLimit } from "@/lib/rate-limit";
import { routerConfigForUser, routerConfigText } from "@/lib/routeserver/router-config";
import type { RouterConfigFlavor } from "@/lib/routeserver/snippet";

export const dynamic = "force-dynamic";

function configResponse(id: number, flavor: RouterConfigFlavor, config: string) {
  return new Response(config, {
    headers: {
      "Content-Type": "text/plain; charset=utf-8",
      "Cache-Control": "no-store",
      "Content-Disposition": `attachment; filename="ztix-connection-${id}-${flavor}.conf"`,
    },
  });
}

/** With an API key: the read scope, any connection. */
const withKey = apiRoute({ scope: "read", params: ZIdParams, query: ZRouterConfigQuery }, async ({ params, query }) => configResponse(params.id, query.flavor, await routerConfigText(getDb(), params.id, query.flavor)));

/**
 * Signed in (the portal's copy and download buttons, or a member's script with its session):
 * only connections of the user's own networks; another network's id answers 404 like a missing one.
 */
async function withSession(request: Request, context: { params: Promise<Record<string, string | string[]>> }) {
  try {
    const user = await getCurrentUser();
    if (!user) throw new ApiError(401, "missing_api_key", "Send an API key in the X-API-Key header, or sign in.");
    const limited = await consumeRateLimit(getDb(), `api:user:${user.id}`, apiRateLimits().key);
    if (!limited.allowed) throw new ApiError(429, "rate_limited", `Too many requests. Retry after ${limited.resetSeconds} s.`, undefined, { "Retry-After": String(limited.resetSeconds) });
    const params = ZIdParams.safeParse(await context.params);
    if (!params.success) throw new ApiError(400, "validation_failed", "The request's path is not valid.", { fieldErrors: z.flattenError(params.error).fieldErrors });
    const query = ZRouterConfigQuery.safeParse(Object.fromEntries(new URL(request.url).searchParams));
    if (!query.success) throw new ApiError(400, "validation_failed", "The request's query is not valid.", { fieldErrors: z.flattenError(query.error).fieldErrors });
    return configResponse(params.data.id, query.data.flavor, await routerConfigForUser(getDb(), user, params.data.id, query.data.flavor));
  } catch (error) {
    return errorResponse(toApiError(error));
  }
}

export async function GET(request: Request, context: { params: Promise<Record<string, string | string[]>> }) {
  return request.headers.has("x-api-key") ? withKey(request, context) : withSession(request, context);
}
