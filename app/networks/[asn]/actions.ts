"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { getDb } from "@/db";
import { enqueueJob } from "@/jobs/enqueue";
import { formAction } from "@/lib/actions/form-action";
import { actorOf } from "@/lib/connections/service";
import { enqueueIrrRefresh, setIrrAsSetOverride } from "@/lib/irr/prefix-lists";
import { refreshNetworkJobKey } from "@/jobs/keys";

export const refreshNetworkAction = formAction(
  { name: "refreshNetwork", roles: ["admin", "operator"], schema: z.object({ asn: z.coerce.number().int().min(1).max(4294967295) }) },
  async ({ input }) => {
    await enqueueJob(getDb(), "refresh_network", { asn: input.asn }, { jobKey: refreshNetworkJobKey(input.asn), maxAttempts: 5 });
    revalidatePath(`/networks/${input.asn}`);
    return { status: "ok", message: "Refresh queued; reload in a few seconds." };
  },
);

export const refreshIrrAction = formAction(
  { name: "refreshIrr", roles: ["admin", "operator"], schema: z.object({ asn: z.coerce.number().int().min(1).max(4294967295) }) },
  async ({ input }) => {
    await enqueueIrrRefresh(getDb(), input.asn);
    revalidatePath(`/networks/${input.asn}`);
    return { status: "ok", message: "IRR fetch queued; reload in a few seconds." };
  },
);

export const setAsSetAction = formAction(
  {
    name: "setIrrAsSet",
    roles: ["admin", "operator"],
    schema: z.object({ asn: z.coerce.number().int().min(1).max(4294967295), mode: z.enum(["peeringdb", "asn-only", "as-set"]), asSet: z.string().trim().max(300).optional() }),
  },
  async ({ input, user }) => {
    if (input.mode === "as-set" && !input.asSet) return { status: "error", message: "Check the highlighted fields.", fieldErrors: { asSet: ["give an as-set, e.g. RIPE::AS-EXAMPLE"] } };
    const value = input.mode === "peeringdb" ? null : input.mode === "asn-only" ? "asn-only" : input.asSet!;
    const result = await setIrrAsSetOverride(getDb(), input.asn, value, actorOf(user));
    revalidatePath(`/networks/${input.asn}`);
    return { status: "ok", message: result.changed ? `As-set is now ${result.override ?? "PeeringDB's"}; prefix lists are being fetched.` : "Unchanged." };
  },
);
