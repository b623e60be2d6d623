import { getDb } from "@/db";
import { apiRoute } from "@/lib/api/route";
import { ZIdParams } from "@/lib/api/v1";
import { recordAudit } from "@/lib/audit";
import { enqueueLanDeployment } from "@/lib/connections/service";
import { NotFoundError } from "@/lib/errors";

export const dynamic = "force-dynamic";

export const POST = apiRoute({ scope: "admin", params: ZIdParams }, async ({ actor, params }) => {
  await getDb()
    .transaction()
    .execute(async (trx) => {
      const lan = await trx.selectFrom("lans").select(["id", "name"]).where("id", "=", params.id).executeTakeFirst();
      if (!lan) throw new NotFoundError(`peering LAN ${params.id} does not exist`);
      await enqueueLanDeployment(trx, lan.id, `requested by ${actor.label}`);
      await recordAudit(trx, { actor, action: "lan.deployment_requested", subject: { type: "lan", id: lan.id } });
    });
  return Response.json({ data: { lanId: params.id, status: "queued" } }, { status: 202 });
});
