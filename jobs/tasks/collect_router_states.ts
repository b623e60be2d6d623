import type { Task } from "graphile-worker";
import { getDb } from "@/db";
import { getConfig } from "@/lib/config";
import { collectRouterStates } from "@/lib/router-state/collect";
import { checkSessionsDown } from "@/lib/router-state/session-alerts";
import { getZeroTierProvider } from "@/lib/zerotier/client";
import { parsePayload } from "../payloads";

/** Every minute (and soon after an approval): what the controller knows of each member's router; BGP sessions down for long are mailed. */
export const collect_router_states: Task = async (payload) => {
  const { lanId } = parsePayload("collect_router_states", payload);
  const lans = lanId ? [{ id: lanId }] : await getDb().selectFrom("lans").select("id").orderBy("id").execute();
  const problems: string[] = [];
  for (const lan of lans) {
    const result = await collectRouterStates(getDb(), lan.id, getZeroTierProvider());
    problems.push(...result.problems);
    await checkSessionsDown(getDb(), lan.id, getConfig().ZTIX_SESSION_DOWN_MINUTES);
  }
  // An unreachable controller fails the run visibly; the stored states stay as they were.
  if (problems.length > 0) throw new Error(`could not read the controller about ${problems.length} router(s): ${problems.slice(0, 5).join("; ")}`);
};
