import { getDb } from "@/db";
import { apiRoute } from "@/lib/api/route";
import { getConnectionDto, ZConnectionReject, ZIdParams } from "@/lib/api/v1";
import { rejectConnection } from "@/lib/connections/service";

export const dynamic = "force-dynamic";

export const POST = apiRoute({ scope: "admin", params: ZIdParams, body: ZConnectionReject }, async ({ actor, params, body }) => {
  await rejectConnection(getDb(), actor, params.id, body.reason);
  return { data: await getConnectionDto(getDb(), params.id) };
});
