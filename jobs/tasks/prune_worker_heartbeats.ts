import type { Task } from "graphile-worker";
import { getDb } from "@/db";
import { pruneStoppedWorkers } from "@/lib/worker-heartbeat";
import { parsePayload } from "../payloads";

export const prune_worker_heartbeats: Task = async (payload, helpers) => {
  const { olderThanDays } = parsePayload("prune_worker_heartbeats", payload);
  const removed = await pruneStoppedWorkers(getDb(), olderThanDays);
  helpers.logger.info(`removed ${removed} heartbeat(s) of workers stopped over ${olderThanDays} days ago`);
};
