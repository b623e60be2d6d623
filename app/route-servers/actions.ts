"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { getDb } from "@/db";
import { formAction } from "@/lib/actions/form-action";
import { recordAudit } from "@/lib/audit";
import { actorOf, enqueueLanDeployment } from "@/lib/connections/service";
import { NotFoundError } from "@/lib/errors";

export const deployNowAction = formAction(
  { name: "deployNow", roles: ["admin", "operator"], schema: z.object({ lanId: z.coerce.number().int().positive() }) },
  async ({ user, input }) => {
    await getDb()
      .transaction()
      .execute(async (trx) => {
        const lan = await trx.selectFrom("lans").select(["id", "name"]).where("id", "=", input.lanId).executeTakeFirst();
        if (!lan) throw new NotFoundError(`peering LAN ${input.lanId} does not exist`);
        await enqueueLanDeployment(trx, lan.id, `requested by ${user.username}`);
        await recordAudit(trx, { actor: actorOf(user), action: "lan.deployment_requested", subject: { type: "lan", id: lan.id } });
      });
    revalidatePath("/route-servers");
    return { status: "ok", message: "Deployment queued; it starts within seconds." };
  },
);
