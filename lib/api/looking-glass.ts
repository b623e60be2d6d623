import "server-only";
import { z } from "zod";

/** GET /api/v1/connections/{id}/routes: the query and the answer (shared by the route and OpenAPI). */
export const ZRoutesQuery = z.object({
  routeServer: z.coerce.number().int().positive().optional().describe("route server id (default: the LAN's first enabled one)"),
  family: z.enum(["4", "6"]).default("4"),
  kind: z.enum(["accepted", "filtered", "exported"]).default("accepted").describe("accepted from the member, filtered (with reasons), or exported to the member"),
  q: z.string().max(100).optional().describe("search: an address or prefix (routes covering it), else text in prefix, AS path, next hop or communities"),
  page: z.coerce.number().int().min(1).max(100_000).default(1),
});

export const ZRoutesPage = z.object({
  routeServer: z.object({ id: z.number().int(), name: z.string() }),
  family: z.union([z.literal(4), z.literal(6)]),
  kind: z.enum(["accepted", "filtered", "exported"]),
  query: z.string(),
  total: z.number().int().describe("routes of this kind on the route server"),
  matched: z.number().int().describe("of them, matching q"),
  page: z.number().int(),
  pageSize: z.number().int(),
  routes: z.array(
    z.object({
      prefix: z.string(),
      nextHop: z.string().nullable(),
      asPath: z.string(),
      communities: z.array(z.string()),
      largeCommunities: z.array(z.string()),
      reasons: z.array(z.object({ code: z.number().int(), meaning: z.string() })).describe("filter reasons (RS_ASN, 1101, code)"),
    }),
  ),
  readAt: z.string().describe("when the route server was read (answers are cached for 30 s)"),
});
