import type { Task } from "graphile-worker";
import { getDb } from "@/db";
import { connectRouteServer } from "@/lib/routeserver/registry";
import { collectRtrStates } from "@/lib/routeserver/rtr-state";
import { collectSessionStates } from "@/lib/routeserver/sessions";
import { enqueueJob } from "../enqueue";
import { parsePayload } from "../payloads";
import { FOLLOW_INTERVAL_MS } from "./deploy_route_servers";

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
      jobKey: `collect_session_states:follow:${lanId}`,
      runAt: new Date(Date.now() + FOLLOW_INTERVAL_MS),
      maxAttempts: 1,
    });
  }
  const lans = lanId
    ? [{ lan_id: lanId }]
    : await getDb().selectFrom("route_servers").select("lan_id").where("enabled", "=", true).distinct().orderBy("lan_id").execute();
  // LANs, their route servers, and the two looks at each side by side: a route server that hangs
  // (until the SSH bounds end its call) holds up no other's reading.
  const results = await Promise.allSettled(
    lans.map(async (lan) => {
      const [sessions, rtr] = await Promise.all([collectSessionStates(getDb(), lan.lan_id, connectRouteServer), collectRtrStates(getDb(), lan.lan_id, connectRouteServer)]);
      return [...sessions.problems, ...rtr.problems];
    }),
  );
  const failed = results.find((result) => result.status === "rejected");
  if (failed) throw failed.reason;
  const problems = results.flatMap((result) => (result.status === "fulfilled" ? result.value : []));
  // Unreadable route servers fail the run visibly (with which ones and why).
  if (problems.length > 0) throw new Error(`could not read: ${problems.join("; ")}`);
};
