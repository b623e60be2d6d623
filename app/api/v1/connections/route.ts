import { getDb } from "@/db";
import { apiRoute } from "@/lib/api/route";
import { getConnectionDto, listConnectionsDto, ZConnectionCreate, ZConnectionQuery } from "@/lib/api/v1";
import { createConnectionRequest } from "@/lib/connections/service";

export const dynamic = "force-dynamic";

export const GET = apiRoute({ scope: "read", query: ZConnectionQuery }, async ({ query }) => ({ data: await listConnectionsDto(getDb(), query) }));

/** A request on a network's behalf (admin scope): the same rule as the portal's request form. */
export const POST = apiRoute({ scope: "admin", body: ZConnectionCreate }, async ({ actor, body }) => {
  const created = await createConnectionRequest(getDb(), { actor, userId: null }, {
    asn: body.asn,
    lanId: body.lan,
    ztNodeId: body.ztNodeId,
    routeServerPeering: body.routeServerPeering,
  });
  return Response.json({ data: await getConnectionDto(getDb(), created.id) }, { status: 201 });
});
