import type { Task } from "graphile-worker";
import { getDb } from "@/db";
import { deprovisionConnection } from "@/lib/connections/provisioning";
import { getZeroTierProvider } from "@/lib/zerotier/client";
import { parsePayload } from "../payloads";

export const remove_connection: Task = async (payload, helpers) => {
  const { connectionId, waitingSince } = parsePayload("remove_connection", payload);
  const outcome = await deprovisionConnection(getDb(), getZeroTierProvider(), connectionId, {
    number: helpers.job.attempts,
    max: helpers.job.max_attempts,
    createdAt: new Date(helpers.job.created_at),
    retryingSince: waitingSince ? new Date(waitingSince) : undefined,
  });
  helpers.logger.info(`connection ${connectionId}: ${outcome}`);
};
