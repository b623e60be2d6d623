import type { Task } from "graphile-worker";
import { getDb } from "@/db";
import { connectRouteServer, enqueueNodeSync } from "@/lib/routeserver/registry";
import { routeServersToDeauthorize } from "@/lib/routeserver/nodes";
import { deployLan } from "@/lib/routeserver/deploy";
import { enqueueJob } from "../enqueue";
import { parsePayload } from "../payloads";
import { sessionFollowJobKey } from "../keys";

/** How long session state is followed closely after a deployment, and how often. */
export const FOLLOW_SECONDS = 120;
export const FOLLOW_INTERVAL_MS = 2_000;

/** Renders, checks and deploys a LAN's route servers, one at a time (see lib/routeserver/deploy). */
export const deploy_route_servers: Task = async (payload, helpers) => {
  const { lanId, reason } = parsePayload("deploy_route_servers", payload);
  const outcomes = await deployLan(getDb(), lanId, reason || "job", connectRouteServer);
  helpers.logger.info(`LAN ${lanId}: ${outcomes.map((outcome) => `${outcome.routeServer} ${outcome.status}`).join(", ") || "no route servers"}`);
  await getDb()
    .transaction()
    .execute(async (trx) => {
      // The config without the disabled route servers is live: their nodes can leave the LAN now.
      for (const routeServerId of await routeServersToDeauthorize(trx, lanId)) await enqueueNodeSync(trx, routeServerId);
      // Sessions come up (or go) within seconds of a new config: look every few seconds for a while.
      if (outcomes.some((outcome) => outcome.status === "succeeded")) {
        await enqueueJob(trx, "collect_session_states", { lanId, followUntil: new Date(Date.now() + FOLLOW_SECONDS * 1000).toISOString() }, {
          jobKey: sessionFollowJobKey(lanId),
          runAt: new Date(Date.now() + FOLLOW_INTERVAL_MS),
          maxAttempts: 1,
        });
      }
    });
};
