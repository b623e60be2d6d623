import type { Task } from "graphile-worker";
import { getDb } from "@/db";
import { createLogger } from "@/lib/log";
import { readRouteServers } from "@/lib/routeserver/reads";
import { connectRouteServer } from "@/lib/routeserver/registry";
import { enqueueJob } from "../enqueue";
import { parsePayload } from "../payloads";
import { FOLLOW_INTERVAL_MS } from "./deploy_route_servers";
import { sessionFollowJobKey } from "../keys";

const log = createLogger("worker");

/**
 * Every minute: BGP session states from the route servers; connections become active. After a
 * deployment the LAN's run carries `followUntil` and schedules itself again every few seconds
 * until then, so a connection is active seconds after its sessions are Established.
 */
export const collect_session_states: Task = async (payload) => {
  const { lanId, followUntil } = parsePayload("collect_session_states", payload);
  // The next look is queued first: a route server that cannot be read now may answer in 2 s.
  if (lanId && followUntil && Date.parse(followUntil) > Date.now() + FOLLOW_INTERVAL_MS) {
    await enqueueJob(getDb(), "collect_session_states", { lanId, followUntil }, {
      jobKey: sessionFollowJobKey(lanId),
      runAt: new Date(Date.now() + FOLLOW_INTERVAL_MS),
      maxAttempts: 1,
    });
  }
  const lans = lanId
    ? [{ lan_id: lanId }]
    : await getDb().selectFrom("route_servers").select("lan_id").where("enabled", "=", true).distinct().orderBy("lan_id").execute();
  // LANs side by side: a route server that hangs (until the SSH bounds end its call) holds up no
  // other's reading.
  const results = await Promise.allSettled(lans.map((lan) => readRouteServers(getDb(), lan.lan_id, connectRouteServer)));
  // A route server that cannot be read is recorded on it (its card and page say so, and the
  // metrics): the run fails only when it could not do that.
  const failed = results.find((result) => result.status === "rejected");
  if (failed) throw failed.reason;
  for (const result of results) {
    if (result.status !== "fulfilled") continue;
    for (const change of result.value.transitions) {
      if (change.error !== null) log.warn(`route server ${change.routeServer} cannot be read: ${change.error}`, { routeServer: change.routeServer });
      else log.info(`route server ${change.routeServer} is read again (unreadable since ${change.unreadableSince?.toISOString() ?? "unknown"})`, { routeServer: change.routeServer });
    }
  }
};
