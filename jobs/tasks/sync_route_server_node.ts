import type { Task } from "graphile-worker";
import { getDb } from "@/db";
import { syncRouteServerNode } from "@/lib/routeserver/nodes";
import { getZeroTierProvider } from "@/lib/zerotier/client";
import { parsePayload } from "../payloads";

/** Authorizes a route server's ZeroTier node with its addresses (or deauthorizes it), fail-closed. */
export const sync_route_server_node: Task = async (payload, helpers) => {
  const { routeServerId, retireNodeId } = parsePayload("sync_route_server_node", payload);
  const outcome = await syncRouteServerNode(getDb(), getZeroTierProvider(), routeServerId, { number: helpers.job.attempts, max: helpers.job.max_attempts }, retireNodeId);
  helpers.logger.info(`route server ${routeServerId}${retireNodeId ? ` (retired node ${retireNodeId})` : ""}: ${outcome}`);
};
