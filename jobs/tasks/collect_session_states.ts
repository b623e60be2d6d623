import type { Task } from "graphile-worker";
import { getDb } from "@/db";
import { connectRouteServer } from "@/lib/route-servers";
import { collectRtrStates } from "@/lib/routeserver/rtr-state";
import { collectSessionStates } from "@/lib/routeserver/sessions";
import { parsePayload } from "../payloads";

/** Every minute: BGP session states from the route servers; connections become active. */
export const collect_session_states: Task = async (payload) => {
  const { lanId } = parsePayload("collect_session_states", payload);
  const lans = lanId
    ? [{ lan_id: lanId }]
    : await getDb().selectFrom("route_servers").select("lan_id").where("enabled", "=", true).distinct().execute();
  const problems: string[] = [];
  for (const lan of lans) {
    const result = await collectSessionStates(getDb(), lan.lan_id, connectRouteServer);
    problems.push(...result.problems);
    problems.push(...(await collectRtrStates(getDb(), lan.lan_id, connectRouteServer)).problems);
  }
  // Unreadable route servers fail the run visibly (with which ones and why).
  if (problems.length > 0) throw new Error(`could not read: ${problems.join("; ")}`);
};
