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

/** The connection and operation a job key names, or null for any other job. */
export function parseConnectionJobKey(key: string | null) {
  const match = /^(provision|remove)_connection:(\d+)$/.exec(key ?? "");
  return match ? { operation: match[1] as "provision" | "remove", connectionId: Number(match[2]) } : null;
}

/**
 * The key a job had when it was enqueued, from its task and payload, for the tasks always
 * enqueued with one; null for others (their jobs may have had none).
 */
export function keyOfJob(task: string, payload: unknown): string | null {
  const field = (name: string) => {
    const value = (payload as Record<string, unknown> | null)?.[name];
    return typeof value === "number" && Number.isSafeInteger(value) ? value : null;
  };
  if (task === "provision_connection" || task === "remove_connection") {
    const id = field("connectionId");
    return id === null ? null : connectionJobKey(task, id);
  }
  if (task === "deploy_route_servers") {
    const id = field("lanId");
    return id === null ? null : deploymentJobKey(id);
  }
  return null;
}
