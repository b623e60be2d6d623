import type { Task } from "graphile-worker";
import { getDb } from "@/db";
import { enqueueJob } from "../enqueue";
import { parsePayload } from "../payloads";
import { reconcileLanJobKey } from "../keys";

/** Every 5 minutes: one reconcile_lan job per LAN (so one LAN's trouble does not hold up the others). */
export const reconcile_controller: Task = async (payload) => {
  parsePayload("reconcile_controller", payload);
  const lans = await getDb().selectFrom("lans").select("id").execute();
  for (const lan of lans) await enqueueJob(getDb(), "reconcile_lan", { lanId: lan.id }, { jobKey: reconcileLanJobKey(lan.id), maxAttempts: 1 });
};
