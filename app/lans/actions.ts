"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { getDb } from "@/db";
import { formAction } from "@/lib/actions/form-action";
import { actorOf } from "@/lib/connections/service";
import { createLan, setLanRouteServerSettings, updateLanSettings } from "@/lib/lans";
import { getZeroTierProvider } from "@/lib/zerotier/client";
import { ZeroTierError } from "@/lib/zerotier/errors";
import { DomainError } from "@/lib/errors";

const ZSettings = z.object({
  lanId: z.coerce.number().int().positive(),
  rtr: z.string().max(2000).default(""),
  ipv4: z.string().max(100).default(""),
  ipv6: z.string().max(100).default(""),
  marginPercent: z.string().max(20),
  default4: z.string().max(20),
  default6: z.string().max(20),
  irr: z.enum(["on", "off"], { message: "choose on or off" }).optional(),
});

export const saveLanRouteServerSettingsAction = formAction({ name: "saveLanRouteServerSettings", roles: ["admin", "operator"], schema: ZSettings }, async ({ user, input }) => {
  const { lanId, irr, ...settings } = input;
  const lan = await setLanRouteServerSettings(getDb(), lanId, { ...settings, irrFiltering: irr === undefined ? undefined : irr === "on" }, actorOf(user));
  revalidatePath(`/lans/${lanId}`);
  return { status: "ok", message: `Saved; the route servers of ${lan.name} redeploy within seconds.` };
});

/** The controller's refusal or absence is the operator's to know, in its own words. */
async function controllerAnswer<T>(work: () => Promise<T>) {
  try {
    return await work();
  } catch (error) {
    if (error instanceof ZeroTierError) throw new DomainError(`The ZeroTier controller: ${error.message}`);
    throw error;
  }
}

const ZLanCreateForm = z.object({
  name: z.string().max(200),
  ipv4: z.string().max(100),
  ipv6: z.string().max(100),
  rsAsn: z.string().max(20),
  mtu: z.string().max(10).default(""),
  ipv6Scheme: z.string().max(20).default("asn"),
  network: z.enum(["create", "adopt"], { message: "choose a new network or an existing one" }),
  ztNetworkId: z.string().max(40).default(""),
});

/** The CLI's `lans create`: a new ZeroTier network on the controller, or an existing one adopted. */
export const createLanAction = formAction({ name: "createLan", roles: ["admin", "operator"], schema: ZLanCreateForm }, async ({ user, input }) => {
  if (input.network === "adopt" && !/^[0-9a-fA-F]{16}$/.test(input.ztNetworkId.trim())) {
    return { status: "error", message: "Check the highlighted fields.", fieldErrors: { ztNetworkId: ["a ZeroTier network id is 16 hexadecimal digits"] } };
  }
  const lan = await controllerAnswer(() => createLan(
    getDb(),
    getZeroTierProvider(),
    { name: input.name, ipv4: input.ipv4, ipv6: input.ipv6, rsAsn: input.rsAsn, mtu: input.mtu || undefined, ipv6Scheme: input.ipv6Scheme as "asn" | "sequential" },
    input.network === "create" ? { create: true } : { adopt: input.ztNetworkId },
    actorOf(user),
  ));
  revalidatePath("/lans");
  return { status: "ok", message: `Created LAN ${lan.name} on ZeroTier network ${lan.zt_network_id}.` };
});

const ZLanEditForm = z.object({
  lanId: z.coerce.number().int().positive(),
  name: z.string().max(200),
  mtu: z.string().max(10),
  reservedHosts: z.string().max(10),
  quarantineDays: z.string().max(10),
  description: z.string().max(1000).default(""),
});

export const updateLanAction = formAction({ name: "updateLan", roles: ["admin", "operator"], schema: ZLanEditForm }, async ({ user, input }) => {
  const { lanId, ...settings } = input;
  const lan = await controllerAnswer(() => updateLanSettings(getDb(), getZeroTierProvider(), lanId, settings, actorOf(user)));
  revalidatePath(`/lans/${lanId}`);
  return { status: "ok", message: lan.mtuChanged ? `Saved ${lan.name}; the new MTU is set on its ZeroTier network.` : `Saved ${lan.name}.` };
});
