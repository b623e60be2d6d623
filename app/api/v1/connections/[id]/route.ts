import { getDb } from "@/db";
import { apiRoute } from "@/lib/api/route";
import { getConnectionDto, ZIdParams } from "@/lib/api/v1";
import { removeConnection } from "@/lib/connections/service";

export const dynamic = "force-dynamic";

export const GET = apiRoute({ scope: "read", params: ZIdParams }, async ({ params }) => ({ data: await getConnectionDto(getDb(), params.id) }));

export const DELETE = apiRoute({ scope: "admin", params: ZIdParams }, async ({ actor, params }) => {
  await removeConnection(getDb(), actor, params.id);
  return Response.json({ data: await getConnectionDto(getDb(), params.id) }, { status: 202 });
});
