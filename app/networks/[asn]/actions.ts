"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { getDb } from "@/db";
import { enqueueJob } from "@/jobs/enqueue";
import { formAction } from "@/lib/actions/form-action";

export const refreshNetworkAction = formAction(
  { name: "refreshNetwork", roles: ["admin", "operator"], schema: z.object({ asn: z.coerce.number().int().min(1).max(4294967295) }) },
  async ({ input }) => {
    await enqueueJob(getDb(), "refresh_network", { asn: input.asn }, { jobKey: `refresh_network:${input.asn}`, maxAttempts: 5 });
    revalidatePath(`/networks/${input.asn}`);
    return { status: "ok", message: "Refresh queued; reload in a few seconds." };
  },
);
