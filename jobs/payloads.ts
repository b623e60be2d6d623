import { z } from "zod";

/**
 * Every task's payload schema, by task identifier. Payloads arrive as `unknown` (old or foreign
 * jobs exist), so each task parses its own with these; `enqueueJob` uses them for typing.
 */
export const taskPayloads = {
  prune_worker_heartbeats: z.object({ olderThanDays: z.number().int().min(1).default(7) }).passthrough(),
} as const;

export type TaskName = keyof typeof taskPayloads;
export type TaskPayload<T extends TaskName> = z.input<(typeof taskPayloads)[T]>;
