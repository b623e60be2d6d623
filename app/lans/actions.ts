"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { getDb } from "@/db";
import { formAction } from "@/lib/actions/form-action";
import { actorOf } from "@/lib/connections/service";
import { setLanRouteServerSettings } from "@/lib/lans";

const ZSettings = z.object({
  lanId: z.coerce.number().int().positive(),
  rtr: z.string().max(2000).default(""),
  ipv4: z.string().max(100).default(""),
  ipv6: z.string().max(100).default(""),
  marginPercent: z.string().max(20),
  default4: z.string().max(20),
  default6: z.string().max(20),
});

export const saveLanRouteServerSettingsAction = formAction({ name: "saveLanRouteServerSettings", roles: ["admin", "operator"], schema: ZSettings }, async ({ user, input }) => {
  const { lanId, ...settings } = input;
  const lan = await setLanRouteServerSettings(getDb(), lanId, settings, actorOf(user));
  revalidatePath(`/lans/${lanId}`);
  return { status: "ok", message: `Saved; the route servers of ${lan.name} redeploy within seconds.` };
});
