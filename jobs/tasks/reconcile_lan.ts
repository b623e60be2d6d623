import type { Task } from "graphile-worker";
import { getDb } from "@/db";
import { reconcileLan } from "@/lib/reconciliation";
import { getZeroTierProvider } from "@/lib/zerotier/client";
import { parsePayload } from "../payloads";

export const reconcile_lan: Task = async (payload, helpers) => {
  const { lanId } = parsePayload("reconcile_lan", payload);
  const result = await reconcileLan(getDb(), getZeroTierProvider(), lanId);
  // A run that could not look is a failed run: visible on the jobs page, with why.
  if (result.status === "skipped") throw new Error(`LAN ${lanId}: ${result.reason}`);
  helpers.logger.info(`LAN ${lanId}: ${result.repaired.length} repaired, ${result.drift.length} unknown member(s) reported`);
};
