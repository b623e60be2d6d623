import type { Migration } from "kysely";
import * as workerHeartbeats from "./2026-11-22T15-45-00Z_worker-heartbeats";
import * as usersAndAudit from "./2026-11-22T16-00-00Z_users-and-audit";
import * as exchange from "./2026-11-22T16-30-00Z_exchange";
import * as apiKeys from "./2026-11-22T17-00-00Z_api-keys";
import * as routeServers from "./2026-11-22T17-30-00Z_route-servers";
import * as bgpSessions from "./2026-11-22T18-00-00Z_bgp-sessions";
import * as drift from "./2026-11-22T18-30-00Z_drift";
import * as configDrift from "./2026-11-22T19-00-00Z_config-drift";
import * as jobRunsAndRpki from "./2026-11-22T19-30-00Z_job-runs-and-rpki";
import * as orphanedWork from "./2026-11-30T10-00-00Z_orphaned-work";
import * as oneAddressSpace from "./2026-11-30T12-00-00Z_one-address-space";
import * as twoFactorSessionsSecrets from "./2026-11-30T13-00-00Z_two-factor-sessions-secrets";
import * as routeServerNodes from "./2026-11-30T14-00-00Z_route-server-nodes";
import * as lanRouteServerPolicy from "./2026-11-30T15-00-00Z_lan-route-server-policy";
import * as irrPrefixLists from "./2026-11-30T16-00-00Z_irr-prefix-lists";
import * as routerStates from "./2026-11-30T17-00-00Z_router-states";
import * as notificationOptOuts from "./2026-11-30T17-30-00Z_notification-opt-outs";
import * as listIndexesAndJobHistory from "./2026-11-30T18-00-00Z_list-indexes-and-job-history";
import * as uiManagement from "./2026-11-30T19-00-00Z_ui-management";
import * as deploymentLockId from "./2026-12-01T05-00-00Z_deployment-lock-id";
import * as slidingRateLimits from "./2026-12-01T06-00-00Z_sliding-rate-limits";
import * as routeServerReads from "./2026-12-01T15-00-00Z_route-server-reads";
import * as connectionTallies from "./2026-12-02T15-00-00Z_connection-tallies";

/**
 * Every migration, by name, in the order they apply. Listed explicitly (not read from the
 * folder at run time) so they load under any runner; a unit test checks the list against the
 * folder. Names start with an ISO timestamp and never change once released.
 */
export const migrations: Record<string, Migration> = {
  "2026-11-22T15-45-00Z_worker-heartbeats": workerHeartbeats,
  "2026-11-22T16-00-00Z_users-and-audit": usersAndAudit,
  "2026-11-22T16-30-00Z_exchange": exchange,
  "2026-11-22T17-00-00Z_api-keys": apiKeys,
  "2026-11-22T17-30-00Z_route-servers": routeServers,
  "2026-11-22T18-00-00Z_bgp-sessions": bgpSessions,
  "2026-11-22T18-30-00Z_drift": drift,
  "2026-11-22T19-00-00Z_config-drift": configDrift,
  "2026-11-22T19-30-00Z_job-runs-and-rpki": jobRunsAndRpki,
  "2026-11-30T10-00-00Z_orphaned-work": orphanedWork,
  "2026-11-30T12-00-00Z_one-address-space": oneAddressSpace,
  "2026-11-30T13-00-00Z_two-factor-sessions-secrets": twoFactorSessionsSecrets,
  "2026-11-30T14-00-00Z_route-server-nodes": routeServerNodes,
  "2026-11-30T15-00-00Z_lan-route-server-policy": lanRouteServerPolicy,
  "2026-11-30T16-00-00Z_irr-prefix-lists": irrPrefixLists,
  "2026-11-30T17-00-00Z_router-states": routerStates,
  "2026-11-30T17-30-00Z_notification-opt-outs": notificationOptOuts,
  "2026-11-30T18-00-00Z_list-indexes-and-job-history": listIndexesAndJobHistory,
  "2026-11-30T19-00-00Z_ui-management": uiManagement,
  "2026-12-01T05-00-00Z_deployment-lock-id": deploymentLockId,
  "2026-12-01T06-00-00Z_sliding-rate-limits": slidingRateLimits,
  "2026-12-01T15-00-00Z_route-server-reads": routeServerReads,
  "2026-12-02T15-00-00Z_connection-tallies": connectionTallies,
};
