import type { Task } from "graphile-worker";
import { getDb } from "@/db";
import { enqueueJob } from "../enqueue";
import { parsePayload } from "../payloads";
import { refreshNetworkJobKey } from "../keys";

/**
 * Daily: one refresh_network job per network, spread out so the whole run stays within
 * PeeringDB's limits (20 requests a minute anonymous, 40 with an API key; 429s are retried).
 */
export const refresh_networks: Task = async (payload, helpers) => {
  const { spacingSeconds } = parsePayload("refresh_networks", payload);
  const networks = await getDb().selectFrom("networks").select("asn").orderBy("asn").execute();
  const start = Date.now();
  for (const [index, network] of networks.entries()) {
    await enqueueJob(getDb(), "refresh_network", { asn: network.asn }, { jobKey: refreshNetworkJobKey(network.asn), maxAttempts: 5, runAt: new Date(start + index * spacingSeconds * 1000) });
  }
  helpers.logger.info(`${networks.length} network refresh(es) scheduled over ${Math.round((networks.length * spacingSeconds) / 60)} min`);
};
