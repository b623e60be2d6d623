"use server";

import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { z } from "zod";
import { formatUtc } from "@/lib/utc-time";
import { getDb } from "@/db";
import { requirePlainConfirmation, requireTypedConfirmation, ZConfirm } from "@/lib/actions/confirmation";
import { formAction } from "@/lib/actions/form-action";
import type { FormState } from "@/lib/actions/form-state";
import { DomainError } from "@/lib/errors";
import { createLogger } from "@/lib/log";
import {
  actorOf,
  approveConnection,
  authorizeConnectionAction,
  getConnectionFor,
  rejectConnection,
  removeConnection,
  requestConnection,
  retryConnection,
} from "@/lib/connections/service";
import { generateBgpPassword, revealBgpPasswordOnce, setBgpPassword } from "@/lib/connections/bgp-password";
import { isStaff } from "@/lib/auth/roles";
import { AuthorizationError } from "@/lib/errors";

const log = createLogger("action");
const ZConnectionId = z.object({ id: z.coerce.number().int().positive() });
const optionalAddress = z
  .string()
  .trim()
  .max(64)
  .optional()
  .transform((value) => value || null);

export const requestConnectionAction = formAction(
  {
    name: "requestConnection",
    schema: z.object({
      asn: z.string().trim().min(1, "choose one of your networks"),
      lanId: z.string().trim().min(1, "choose a peering LAN"),
      ztNodeId: z.string(),
      routeServerPeering: z.string().optional(),
    }),
  },
  async ({ user, input }): Promise<FormState> => {
    const created = await requestConnection(getDb(), user, {
      asn: input.asn as unknown as number,
      lanId: input.lanId as unknown as number,
      ztNodeId: input.ztNodeId,
      routeServerPeering: input.routeServerPeering === "on",
    });
    redirect(`/connections/${created.id}`);
  },
);

/** Where a decision was taken: from the Requests page, the decided request keeps its place (app/requests/request-decision.tsx). */
const ZDecidedFrom = z.enum(["requests"]).optional();

/** Any revalidation re-renders the page the action came from; the Requests page keeps its list as it is. */
function refreshAfterDecision(id: number, from: "requests" | undefined) {
  if (from === "requests") return;
  revalidatePath("/requests");
  revalidatePath(`/connections/${id}`);
}

export const approveConnectionAction = formAction(
  { name: "approveConnection", roles: ["admin", "operator"], schema: ZConnectionId.extend({ ipv4: optionalAddress, ipv6: optionalAddress, from: ZDecidedFrom }) },
  async ({ user, input }) => {
    const addresses = await approveConnection(getDb(), actorOf(user), input.id, { ipv4: input.ipv4, ipv6: input.ipv6 });
    refreshAfterDecision(input.id, input.from);
    return { status: "ok", message: `Connection ${input.id} approved with ${addresses.ipv4} and ${addresses.ipv6}; provisioning has started.` };
  },
);

export const rejectConnectionAction = formAction(
  { name: "rejectConnection", roles: ["admin", "operator"], schema: ZConnectionId.extend({ reason: z.string().trim().min(3, "a reason is required (it is shown to the network)").max(1000), from: ZDecidedFrom }).extend(ZConfirm.shape) },
  async ({ user, input }) => {
    requirePlainConfirmation(input.confirm);
    await rejectConnection(getDb(), actorOf(user), input.id, input.reason);
    refreshAfterDecision(input.id, input.from);
    return { status: "ok", message: `Connection ${input.id} rejected; the network sees the reason on its connection page.` };
  },
);

export const removeConnectionAction = formAction({ name: "removeConnection", schema: ZConnectionId.extend(ZConfirm.shape) }, async ({ user, input }) => {
  // A member may only remove connections of networks it acts for (checked against the row, not the form).
  const connection = await authorizeConnectionAction(getDb(), user, input.id);
  // Withdrawing a request takes one more click; removing a live connection, typing its ASN.
  if (connection.state === "requested") requirePlainConfirmation(input.confirm);
  else requireTypedConfirmation(input.confirm, `AS${connection.asn}`, "the ASN");
  const outcome = await removeConnection(getDb(), actorOf(user), input.id);
  revalidatePath(`/connections/${input.id}`);
  return { status: "ok", message: outcome === "removed" ? "Request withdrawn." : "Removal started." };
});

export const retryConnectionAction = formAction({ name: "retryConnection", roles: ["admin", "operator"], schema: ZConnectionId }, async ({ user, input }) => {
  await getConnectionFor(getDb(), user, input.id);
  await retryConnection(getDb(), actorOf(user), input.id);
  revalidatePath(`/connections/${input.id}`);
  return { status: "ok", message: `Queued at ${formatUtc(new Date(), "second")}; this page follows what happens.` };
});

export const setBgpPasswordAction = formAction(
  {
    name: "setBgpPassword",
    roles: ["admin", "operator"],
    schema: ZConnectionId.extend({ password: z.string().max(200).optional(), clear: z.enum(["yes"]).optional() }),
  },
  async ({ user, input }) => {
    await getConnectionFor(getDb(), user, input.id);
    // Empty: a strong password is generated; the operator never needs to see it.
    const password = input.clear ? null : input.password || generateBgpPassword();
    await setBgpPassword(getDb(), actorOf(user), input.id, password);
    revalidatePath(`/connections/${input.id}`);
    return { status: "ok", message: password === null ? "BGP password cleared." : "BGP password set; the network sees it once on this page, and the route servers are being redeployed." };
  },
);

/** The member's one look at the BGP password; staff set it and never consume the member's view. */
export const revealBgpPasswordAction = formAction({ name: "revealBgpPassword", schema: ZConnectionId }, async ({ user, input }) => {
  await authorizeConnectionAction(getDb(), user, input.id);
  if (isStaff(user.role)) throw new AuthorizationError("The BGP password is shown to the network only.");
  const password = await revealBgpPasswordOnce(getDb(), actorOf(user), input.id);
  if (password === null) return { status: "error", message: "This password was shown already; ask the exchange to set a new one." };
  return { status: "ok", message: password };
});

/**
 * Approves every checked request (checkboxes named approve-<id>), each on its own: its own
 * authorization and transaction, so one that cannot be approved does not hold up the others.
 * Answers one line per request.
 */
export const approveConnectionsAction = formAction(
  { name: "approveConnections", roles: ["admin", "operator"], schema: z.record(z.string(), z.unknown()) },
  async ({ user, input }) => {
    const ids = Object.keys(input)
      .map((key) => /^approve-(\d{1,10})$/.exec(key)?.[1])
      .filter((id): id is string => id !== undefined)
      .map(Number)
      .slice(0, 200);
    if (ids.length === 0) return { status: "error", message: "Tick the requests to approve first." };
    const lines: string[] = [];
    let failed = 0;
    for (const id of ids) {
      try {
        await getConnectionFor(getDb(), user, id);
        const addresses = await approveConnection(getDb(), actorOf(user), id, {});
        lines.push(`Connection ${id}: approved with ${addresses.ipv4} and ${addresses.ipv6}.`);
      } catch (error) {
        // The ones before were committed: report every outcome rather than fail the batch.
        failed++;
        if (error instanceof DomainError) lines.push(`Connection ${id}: not approved: ${error.message}`);
        else {
          log.error("bulk approval failed", { connectionId: id, error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
          lines.push(`Connection ${id}: not approved: something went wrong on our side (logged).`);
        }
      }
    }
    revalidatePath("/requests");
    return { status: failed > 0 ? "error" : "ok", message: [`${ids.length - failed} of ${ids.length} approved; provisioning has started for those.`, ...lines].join("\n") };
  },
);
