import type { Task } from "graphile-worker";
import { getDb } from "@/db";
import { enqueueIrrRefresh, networksNeedingIrr, refreshIrrPrefixLists } from "@/lib/irr/prefix-lists";
import { parsePayload } from "../payloads";

/** Fetches one network's IRR prefix lists; a failed family is recorded (and shown), not retried blindly. */
export const refresh_irr: Task = async (payload, helpers) => {
  const { asn } = parsePayload("refresh_irr", payload);
  const result = await refreshIrrPrefixLists(getDb(), asn);
  const summary = result.outcomes.map((outcome) => `IPv${outcome.family} ${outcome.status} (${outcome.count})${outcome.error ? `: ${outcome.error}` : ""}`).join(", ");
  helpers.logger.info(`AS${asn} ${result.asSet}: ${summary}`);
  if (result.outcomes.every((outcome) => outcome.status === "failed")) throw new Error(`AS${asn}: IRR fetch failed: ${summary}`);
};

/** The daily run: one refresh_irr job per network with route-server peering, spread over the window. */
export const refresh_irr_all: Task = async (payload, helpers) => {
  const { spreadMinutes } = parsePayload("refresh_irr_all", payload);
  const db = getDb();
  const asns = await networksNeedingIrr(db);
  const step = asns.length > 0 ? (spreadMinutes * 60_000) / asns.length : 0;
  const start = Date.now();
  for (const [index, asn] of asns.entries()) await enqueueIrrRefresh(db, asn, new Date(start + Math.round(index * step)));
  helpers.logger.info(`queued IRR refresh of ${asns.length} networks over ${spreadMinutes} min`);
};
