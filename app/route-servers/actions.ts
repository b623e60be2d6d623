"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { getDb } from "@/db";
import { formAction } from "@/lib/actions/form-action";
import { recordAudit } from "@/lib/audit";
import { actorOf, enqueueLanDeployment } from "@/lib/connections/service";
import { NotFoundError } from "@/lib/errors";
import { setRouteServerEnabled, setRouteServerNode } from "@/lib/route-servers";

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

/** Records the route server's ZeroTier node: ztix authorizes it with the route server's addresses. */
export const setRouteServerNodeAction = formAction(
  {
    name: "setRouteServerNode",
    roles: ["admin", "operator"],
    schema: z.object({
      id: z.coerce.number().int().positive(),
      ztNodeId: z.string().trim().regex(/^[0-9a-fA-F]{10}$/, "a ZeroTier node id is 10 hexadecimal digits (zerotier-cli info on the route server shows it)"),
    }),
  },
  async ({ user, input }) => {
    const result = await setRouteServerNode(getDb(), input.id, input.ztNodeId, actorOf(user));
    revalidatePath(`/route-servers/${input.id}`);
    return { status: "ok", message: result.changed ? `Node ${result.ztNodeId} recorded; its authorization and the LAN's deployment are queued.` : `Node ${result.ztNodeId} was already recorded.` };
  },
);

/** Enables or disables a route server (the LAN is redeployed; a disabled one's node leaves the LAN after that). */
export const setRouteServerEnabledAction = formAction(
  { name: "setRouteServerEnabled", roles: ["admin", "operator"], schema: z.object({ id: z.coerce.number().int().positive(), enabled: z.enum(["true", "false"]) }) },
  async ({ user, input }) => {
    const result = await setRouteServerEnabled(getDb(), input.id, input.enabled === "true", actorOf(user));
    revalidatePath(`/route-servers/${input.id}`);
    return { status: "ok", message: result.changed ? `${result.enabled ? "Enabled" : "Disabled"}; the LAN's deployment is queued.` : `Already ${result.enabled ? "enabled" : "disabled"}.` };
  },
);
