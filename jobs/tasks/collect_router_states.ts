import type { Task } from "graphile-worker";
import { getDb } from "@/db";
import { getConfig } from "@/lib/config";
import { createLogger } from "@/lib/log";
import { collectRouterStates } from "@/lib/router-state/collect";
import { checkSessionsDown } from "@/lib/router-state/session-alerts";
import { getZeroTierProvider } from "@/lib/zerotier/client";
import { parsePayload } from "../payloads";

const log = createLogger("worker");

/** Every minute (and soon after an approval): what the controller knows of each member's router; BGP sessions down for long are mailed. */
export const collect_router_states: Task = async (payload) => {
  const { lanId } = parsePayload("collect_router_states", payload);
  const lans = lanId ? [{ id: lanId }] : await getDb().selectFrom("lans").select("id").orderBy("id").execute();
  const problems: string[] = [];
  let controllerProblem: string | null = null;
  for (const lan of lans) {
    // Each LAN asks again (one router's retries): its routers get the error on their state.
    const result = await collectRouterStates(getDb(), lan.id, getZeroTierProvider());
    problems.push(...result.problems);
    controllerProblem ??= result.controllerProblem;
    await checkSessionsDown(getDb(), lan.id, getConfig().ZTIX_SESSION_DOWN_MINUTES);
  }
  // A controller outage is the controller's state (the dashboard's card, /api/health, and the jobs
  // that wait for it), not a failed job a minute that would bury the failures someone must act on.
  if (controllerProblem !== null) log.warn(`router states not read: the ZeroTier controller failed (${controllerProblem}); every router keeps its last state`);
  // A router the controller could not answer about, for a reason of its own, fails the run visibly.
  if (problems.length > 0) throw new Error(`could not read the controller about ${problems.length} router(s): ${problems.slice(0, 5).join("; ")}`);
};
