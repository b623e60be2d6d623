import "server-only";

export type ConnectionTask = "provision_connection" | "remove_connection";

/** A connection's provisioning or removal job key: one such job per connection and task. */
export const connectionJobKey = (task: ConnectionTask, connectionId: number) => `${task}:${connectionId}`;

/** The connection and operation a job key names, or null for any other job. */
export function parseConnectionJobKey(key: string | null) {
  const match = /^(provision|remove)_connection:(\d+)$/.exec(key ?? "");
  return match ? { operation: match[1] as "provision" | "remove", connectionId: Number(match[2]) } : null;
}
