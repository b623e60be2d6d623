import { getDb } from "@/db";
import { apiRoute } from "@/lib/api/route";
import { getRouteServerDto, ZIdParams, ZRouteServerUpdate } from "@/lib/api/v1";
import { setRouteServerEnabled, setRouteServerNode } from "@/lib/routeserver/registry";

export const dynamic = "force-dynamic";

export const GET = apiRoute({ scope: "read", params: ZIdParams }, async ({ params }) => ({ data: await getRouteServerDto(getDb(), params.id) }));

/** Sets the route server's ZeroTier node and/or enables or disables it; the LAN is redeployed. */
export const PATCH = apiRoute({ scope: "admin", params: ZIdParams, body: ZRouteServerUpdate }, async ({ actor, params, body }) => {
  await getRouteServerDto(getDb(), params.id);
  if (body.ztNodeId !== undefined) await setRouteServerNode(getDb(), params.id, body.ztNodeId, actor);
  if (body.enabled !== undefined) await setRouteServerEnabled(getDb(), params.id, body.enabled, actor);
  return { data: await getRouteServerDto(getDb(), params.id) };
});
