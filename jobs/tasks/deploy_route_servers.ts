import type { Task } from "graphile-worker";
import { getDb } from "@/db";
import { connectRouteServer } from "@/lib/route-servers";
import { deployLan } from "@/lib/routeserver/deploy";
import { parsePayload } from "../payloads";

/** Renders, checks and deploys a LAN's route servers, one at a time (see lib/routeserver/deploy). */
export const deploy_route_servers: Task = async (payload, helpers) => {
  const { lanId, reason } = parsePayload("deploy_route_servers", payload);
  const outcomes = await deployLan(getDb(), lanId, reason || "job", connectRouteServer);
  helpers.logger.info(`LAN ${lanId}: ${outcomes.map((outcome) => `${outcome.routeServer} ${outcome.status}`).join(", ") || "no route servers"}`);
};
