import { getDb } from "@/db";
import { apiRoute } from "@/lib/api/route";
import { getConnectionDto, ZConnectionApprove, ZIdParams } from "@/lib/api/v1";
import { approveConnection } from "@/lib/connections/service";

export const dynamic = "force-dynamic";

export const POST = apiRoute({ scope: "admin", params: ZIdParams, body: ZConnectionApprove }, async ({ actor, params, body }) => {
  await approveConnection(getDb(), actor, params.id, { ipv4: body.ipv4 ?? null, ipv6: body.ipv6 ?? null });
  return { data: await getConnectionDto(getDb(), params.id) };
});
