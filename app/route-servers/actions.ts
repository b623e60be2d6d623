"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { getDb } from "@/db";
import { formAction } from "@/lib/actions/form-action";
import { recordAudit } from "@/lib/audit";
import { actorOf, enqueueLanDeployment } from "@/lib/connections/service";
import { NotFoundError } from "@/lib/errors";
import { addRouteServer, setRouteServerDrained, setRouteServerEnabled, setRouteServerNode, updateRouteServer } from "@/lib/routeserver/registry";

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

const optional = (max: number) => z.string().trim().max(max).transform((value) => value || undefined);

const ZRouteServerForm = z.object({
  sshHost: optional(255),
  sshPort: optional(10),
  sshUser: optional(40),
  hostKey: optional(100),
  routerId: z.string().trim().max(50),
  configPath: optional(300),
  controlSocket: optional(300),
  deployOrder: optional(10),
});

/** The CLI's `route-servers add`: host key pinned, addresses reserved, its node authorized, the LAN deployed. */
export const addRouteServerAction = formAction(
  {
    name: "addRouteServer",
    roles: ["admin", "operator"],
    schema: ZRouteServerForm.extend({
      lanId: z.coerce.number({ message: "choose a LAN" }).int().positive("choose a LAN"),
      name: z.string().trim().max(100),
      transport: z.enum(["ssh", "local"]).default("ssh"),
      ipv4: optional(50),
      ipv6: optional(60),
      ztNodeId: optional(20),
    }),
  },
  async ({ user, input }) => {
    const { lanId, ...fields } = input;
    const created = await addRouteServer(getDb(), { ...fields, lan: String(lanId) }, actorOf(user));
    revalidatePath("/route-servers");
    return { status: "ok", message: `Added ${created.name} to ${created.lan}; its deployment is queued.${input.ztNodeId ? "" : " Set its ZeroTier node on its page so ztix authorizes it."}` };
  },
);

export const updateRouteServerAction = formAction(
  { name: "updateRouteServer", roles: ["admin", "operator"], schema: ZRouteServerForm.extend({ id: z.coerce.number().int().positive() }) },
  async ({ user, input }) => {
    const { id, ...fields } = input;
    const result = await updateRouteServer(getDb(), id, fields, actorOf(user));
    revalidatePath(`/route-servers/${id}`);
    return { status: "ok", message: `Saved ${result.name}; the LAN's deployment is queued.` };
  },
);

/** Drains a route server before maintenance (GRACEFUL_SHUTDOWN on all it sends), or undrains it. */
export const setRouteServerDrainedAction = formAction(
  { name: "setRouteServerDrained", roles: ["admin", "operator"], schema: z.object({ id: z.coerce.number().int().positive(), drained: z.enum(["true", "false"]) }) },
  async ({ user, input }) => {
    const result = await setRouteServerDrained(getDb(), input.id, input.drained === "true", actorOf(user));
    revalidatePath(`/route-servers/${input.id}`);
    if (!result.changed) return { status: "ok", message: `Already ${result.drained ? "drained" : "in service"}.` };
    return {
      status: "ok",
      message: result.drained
        ? `Drained: ${result.name}'s routes carry GRACEFUL_SHUTDOWN (65535:0) once the queued deployment ran; wait for traffic to move before maintenance.`
        : `Undrained: ${result.name} is back in service once the queued deployment ran.`,
    };
  },
);
