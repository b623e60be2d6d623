import "server-only";

/**
 * Keys of the jobs that keep one per subject, in one place: what enqueues them, and what
 * recognises one that add_job retired while it ran (its key cleared when a fresh job took it).
 */
export type ConnectionTask = "provision_connection" | "remove_connection";

/** A connection's provisioning or removal job: one per connection and task. */
export const connectionJobKey = (task: ConnectionTask, connectionId: number) => `${task}:${connectionId}`;

/** A LAN's deployment: one waiting per LAN. */
export const deploymentJobKey = (lanId: number) => `deploy_route_servers:${lanId}`;

/** A network's PeeringDB refresh, and its IRR prefix lists: one per ASN. */
export const refreshNetworkJobKey = (asn: number) => `refresh_network:${asn}`;
export const refreshIrrJobKey = (asn: number) => `refresh_irr:${asn}`;

/** A LAN's comparison with the controller. */
export const reconcileLanJobKey = (lanId: number) => `reconcile_lan:${lanId}`;

/** A route server's node put in line on the controller (retiring an old node id has none: each is its own). */
export const routeServerNodeJobKey = (routeServerId: number) => `sync_route_server_node:${routeServerId}`;

/** The minute's looks (crontab) and their per-LAN runs: soon after an approval, every few seconds after a deployment. */
export const SESSION_STATES_JOB_KEY = "collect_session_states";
export const ROUTER_STATES_JOB_KEY = "collect_router_states";
export const sessionFollowJobKey = (lanId: number) => `collect_session_states:follow:${lanId}`;
export const routerStatesJobKey = (lanId: number) => `collect_router_states:${lanId}`;

/** The connection and operation a job key names, or null for any other job. */
export function parseConnectionJobKey(key: string | null) {
  const match = /^(provision|remove)_connection:(\d+)$/.exec(key ?? "");
  return match ? { operation: match[1] as "provision" | "remove", connectionId: Number(match[2]) } : null;
}

/**
 * The key a job had when it was enqueued, from its task and payload, for the tasks always
 * enqueued with one; null for others (their jobs had none).
 */
export function keyOfJob(task: string, payload: unknown): string | null {
  const fields = (payload ?? {}) as Record<string, unknown>;
  const number = (name: string) => {
    const value = fields[name];
    return typeof value === "number" && Number.isSafeInteger(value) ? value : null;
  };
  const keyed = (name: string, key: (value: number) => string) => {
    const value = number(name);
    return value === null ? null : key(value);
  };
  switch (task) {
    case "provision_connection":
    case "remove_connection":
      return keyed("connectionId", (id) => connectionJobKey(task, id));
    case "deploy_route_servers":
      return keyed("lanId", deploymentJobKey);
    case "refresh_network":
      return keyed("asn", refreshNetworkJobKey);
    case "refresh_irr":
      return keyed("asn", refreshIrrJobKey);
    case "reconcile_lan":
      return keyed("lanId", reconcileLanJobKey);
    case "sync_route_server_node":
      return fields.retireNodeId === undefined ? keyed("routeServerId", routeServerNodeJobKey) : null;
    case "collect_session_states":
      if (fields.lanId === undefined) return SESSION_STATES_JOB_KEY;
      return fields.followUntil === undefined ? null : keyed("lanId", sessionFollowJobKey);
    case "collect_router_states":
      return fields.lanId === undefined ? ROUTER_STATES_JOB_KEY : keyed("lanId", routerStatesJobKey);
    default:
      return null;
  }
}
