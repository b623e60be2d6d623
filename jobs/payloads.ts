import { z } from "zod";

/**
 * Every task's payload schema, by task identifier. Payloads arrive as `unknown` (old or foreign
 * jobs exist), so each task parses its own with these; `enqueueJob` uses them for typing.
 */
const id = z.number().int().positive();

export const taskPayloads = {
  prune_worker_heartbeats: z.object({ olderThanDays: z.number().int().min(1).default(7) }).passthrough(),
  // waitingSince: the job goes on from one whose attempts ran out while the controller was away.
  provision_connection: z.object({ connectionId: id, waitingSince: z.iso.datetime().optional() }),
  remove_connection: z.object({ connectionId: id, waitingSince: z.iso.datetime().optional() }),
  deploy_route_servers: z.object({ lanId: id, reason: z.string().max(500).default("") }),
  refresh_network: z.object({ asn: z.number().int().min(1).max(4294967295) }),
  // followUntil: after a deployment, collect every few seconds until then (then the minute cycle).
  collect_session_states: z.object({ lanId: id.optional(), followUntil: z.iso.datetime().optional() }).passthrough(),
  reconcile_controller: z.object({}).passthrough(),
  housekeeping: z.object({}).passthrough(),
  refresh_networks: z.object({ spacingSeconds: z.number().min(0).max(600).default(3) }).passthrough(),
  reconcile_lan: z.object({ lanId: id }),
  sync_route_server_node: z.object({ routeServerId: id, retireNodeId: z.string().regex(/^[0-9a-f]{10}$/).optional() }),
  refresh_irr: z.object({ asn: z.number().int().min(1).max(4294967295) }),
  refresh_irr_all: z.object({ spreadMinutes: z.number().min(0).max(1440).default(360) }).passthrough(),
  collect_router_states: z.object({ lanId: id.optional() }).passthrough(),
  send_email: z.object({ to: z.email(), userId: id, kind: z.string().max(100), subject: z.string().min(1).max(300), text: z.string().max(20_000) }),
} as const;

export type TaskName = keyof typeof taskPayloads;
export type TaskPayload<T extends TaskName> = z.input<(typeof taskPayloads)[T]>;

/** Parses a job's payload, failing the job with a readable reason when it does not fit. */
export function parsePayload<T extends TaskName>(task: T, payload: unknown): z.output<(typeof taskPayloads)[T]> {
  const result = taskPayloads[task].safeParse(payload);
  if (!result.success) throw new Error(`invalid ${task} payload: ${z.prettifyError(result.error).replace(/\n\s*/g, " ")}`);
  return result.data as z.output<(typeof taskPayloads)[T]>;
}
