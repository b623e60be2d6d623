import type { Task } from "graphile-worker";
import { parsePayload } from "../payloads";

/**
 * Renders, checks and deploys the BIRD configuration of a LAN's route servers. Until the
 * route-server deployment lands it records that a deployment was due, and why.
 */
export const deploy_route_servers: Task = async (payload, helpers) => {
  const { lanId, reason } = parsePayload("deploy_route_servers", payload);
  helpers.logger.info(`route-server deployment for LAN ${lanId} due (${reason}); no route servers are managed yet`);
};
