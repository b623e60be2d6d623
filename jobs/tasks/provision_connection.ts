import type { Task } from "graphile-worker";
import { getDb } from "@/db";
import { provisionConnection } from "@/lib/connections/provisioning";
import { getZeroTierProvider } from "@/lib/zerotier/client";
import { parsePayload } from "../payloads";

export const provision_connection: Task = async (payload, helpers) => {
  const { connectionId } = parsePayload("provision_connection", payload);
  const outcome = await provisionConnection(getDb(), getZeroTierProvider(), connectionId, {
    number: helpers.job.attempts,
    max: helpers.job.max_attempts,
  });
  helpers.logger.info(`connection ${connectionId}: ${outcome}`);
};
