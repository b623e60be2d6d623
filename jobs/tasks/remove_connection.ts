import type { Task } from "graphile-worker";
import { getDb } from "@/db";
import { deprovisionConnection } from "@/lib/connections/provisioning";
import { getZeroTierProvider } from "@/lib/zerotier/client";
import { parsePayload } from "../payloads";

export const remove_connection: Task = async (payload, helpers) => {
  const { connectionId } = parsePayload("remove_connection", payload);
  const outcome = await deprovisionConnection(getDb(), getZeroTierProvider(), connectionId, {
    number: helpers.job.attempts,
    max: helpers.job.max_attempts,
  });
  helpers.logger.info(`connection ${connectionId}: ${outcome}`);
};
