"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { getDb } from "@/db";
import { requirePlainConfirmation, ZConfirm } from "@/lib/actions/confirmation";
import { formAction } from "@/lib/actions/form-action";
import { actorOf } from "@/lib/connections/service";
import { cancelJob, retryJob } from "@/lib/jobs-admin";

const ZJob = z.object({ id: z.coerce.number().int().positive() });

export const retryJobAction = formAction({ name: "retryJob", roles: ["admin", "operator"], schema: ZJob }, async ({ user, input }) => {
  await retryJob(getDb(), input.id, actorOf(user));
  revalidatePath("/jobs");
  revalidatePath("/");
  return { status: "ok", message: `Job ${input.id} will run again now.` };
});

export const cancelJobAction = formAction({ name: "cancelJob", roles: ["admin", "operator"], schema: ZJob.extend(ZConfirm.shape) }, async ({ user, input }) => {
  requirePlainConfirmation(input.confirm);
  await cancelJob(getDb(), input.id, actorOf(user));
  revalidatePath("/jobs");
  return { status: "ok", message: `Job ${input.id} cancelled.` };
});
