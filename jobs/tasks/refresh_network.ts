import type { Task } from "graphile-worker";
import { getDb } from "@/db";
import { refreshNetwork } from "@/lib/networks/refresh";
import { parsePayload } from "../payloads";

export const refresh_network: Task = async (payload, helpers) => {
  const { asn } = parsePayload("refresh_network", payload);
  const outcome = await refreshNetwork(getDb(), asn);
  helpers.logger.info(`AS${asn}: ${outcome}`);
};
