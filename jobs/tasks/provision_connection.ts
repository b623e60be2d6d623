import type { Task } from "graphile-worker";
import { getDb } from "@/db";
import { provisionConnection } from "@/lib/connections/provisioning";
import { getZeroTierProvider } from "@/lib/zerotier/client";
import { parsePayload } from "../payloads";

export const provision_connection: Task = async (payload, helpers) => {
  const { connectionId, waitingSince } = parsePayload("provision_connection", payload);
  const outcome = await provisionConnection(getDb(), getZeroTierProvider(), connectionId, {
    number: helpers.job.attempts,
    max: helpers.job.max_attempts,
    createdAt: new Date(helpers.job.created_at),
    retryingSince: waitingSince ? new Date(waitingSince) : undefined,
  });
  helpers.logger.info(`connection ${connectionId}: ${outcome}`);
};
