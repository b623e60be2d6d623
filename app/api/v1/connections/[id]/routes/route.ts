import { z } from "zod";
import { getDb } from "@/db";
import { ApiError } from "@/lib/api/errors";
import { apiRoute } from "@/lib/api/route";
import { ZIdParams } from "@/lib/api/v1";
import { DomainError } from "@/lib/errors";
import { LOOKING_GLASS_KINDS, lookingGlass } from "@/lib/routeserver/looking-glass";

export const dynamic = "force-dynamic";

const ZRoutesQuery = z.object({
  routeServer: z.coerce.number().int().positive().optional(),
  family: z.enum(["4", "6"]).default("4"),
  kind: z.enum(LOOKING_GLASS_KINDS).default("accepted"),
  q: z.string().max(100).optional(),
  page: z.coerce.number().int().min(1).max(100_000).default(1),
});

/** A connection's routes on a route server, read live through birdc (cached 30 s). */
export const GET = apiRoute({ scope: "read", params: ZIdParams, query: ZRoutesQuery }, async ({ params, query }) => {
  try {
    return { data: await lookingGlass(getDb(), params.id, { routeServerId: query.routeServer, family: Number(query.family) as 4 | 6, kind: query.kind, query: query.q, page: query.page }) };
  } catch (error) {
    if (error instanceof DomainError) throw error;
    throw new ApiError(502, "route_server_unavailable", `Could not read the route server: ${error instanceof Error ? error.message : String(error)}`);
  }
});
