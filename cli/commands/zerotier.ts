import { getConfig } from "@/lib/config";
import { getZeroTierProvider } from "@/lib/zerotier/client";
import { CliError, type CliCommand } from "../io";
import { parseOptions } from "../options";

export const zerotierStatus: CliCommand = {
  name: "zerotier status",
  usage: "zerotier status",
  summary: "check the ZeroTier controller (or Central): reachable, token accepted, database ready",
  async run(args, io) {
    parseOptions(args, {});
    const config = getConfig();
    const provider = getZeroTierProvider();
    const readiness = await provider.readiness();
    const where = config.ZT_PROVIDER === "central" ? `ZeroTier Central at ${config.ZT_CENTRAL_URL}` : `controller at ${config.ZT_CONTROLLER_URL}`;
    if (!readiness.ready) throw new CliError(`${where} is not ready: ${readiness.reason}`);
    io.stdout(`${where} is ready: node ${readiness.nodeId}, version ${readiness.version}\n`);
  },
};
