import { getDb } from "@/db";
import { refreshNetwork } from "@/lib/network-data";
import { parseAsn } from "@/lib/users";
import { CliError, type CliCommand } from "../io";
import { parseOptions } from "../options";
import { withDatabase } from "../database";

export const networksRefresh: CliCommand = {
  name: "networks refresh",
  usage: "networks refresh --asn N",
  summary: "refresh one network's PeeringDB data now (name, as-set, prefix counts)",
  async run(args, io) {
    const options = parseOptions(args, { asn: { type: "string" } });
    if (typeof options.asn !== "string") throw new CliError("missing --asn");
    const asn = parseAsn(options.asn);
    const outcome = await withDatabase(() => refreshNetwork(getDb(), asn));
    io.stdout(`AS${asn}: ${outcome}\n`);
  },
};
