import { getDb } from "@/db";
import { ApiError } from "@/lib/api/errors";
import { ZRoutesQuery } from "@/lib/api/looking-glass";
import { apiRoute } from "@/lib/api/route";
import { ZIdParams } from "@/lib/api/v1";
import { DomainError } from "@/lib/errors";
import { lookingGlass } from "@/lib/routeserver/looking-glass";

export const dynamic = "force-dynamic";

/** A connection's routes on a route server, read live through birdc (cached 30 s). */
export const GET = apiRoute({ scope: "read", params: ZIdParams, query: ZRoutesQuery }, async ({ params, query }) => {
  try {
    return { data: await lookingGlass(getDb(), params.id, { routeServerId: query.routeServer, family: Number(query.family) as 4 | 6, kind: query.kind, query: query.q, page: query.page }) };
  } catch (error) {
    if (error instanceof DomainError) throw error;
    throw new ApiError(502, "route_server_unavailable", `Could not read the route server: ${error instanceof Error ? error.message : String(error)}`);
  }
});
