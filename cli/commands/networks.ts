import { getDb } from "@/db";
import { cliActor } from "@/lib/audit";
import { refreshIrrPrefixLists, setIrrAsSetOverride } from "@/lib/irr/prefix-lists";
import { refreshNetwork } from "@/lib/networks/refresh";
import { parseAsn } from "@/lib/auth/users";
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

export const networksRefreshIrr: CliCommand = {
  name: "networks refresh-irr",
  usage: "networks refresh-irr --asn N",
  summary: "fetch one network's IRR prefix lists now with bgpq4 (a failure keeps the previous lists)",
  async run(args, io) {
    const options = parseOptions(args, { asn: { type: "string" } });
    if (typeof options.asn !== "string") throw new CliError("missing --asn");
    const asn = parseAsn(options.asn);
    const result = await withDatabase(() => refreshIrrPrefixLists(getDb(), asn));
    for (const outcome of result.outcomes) io.stdout(`AS${asn} ${result.asSet} IPv${outcome.family}: ${outcome.status}, ${outcome.count} entries\n`);
    const failed = result.outcomes.filter((outcome) => outcome.error);
    if (failed.length > 0) throw new CliError(failed.map((outcome) => `IPv${outcome.family}: ${outcome.error}`).join("; "));
  },
};

export const networksSetAsSet: CliCommand = {
  name: "networks set-as-set",
  usage: "networks set-as-set --asn N (--as-set AS-FOO | --asn-only | --peeringdb)",
  summary: "override the as-set a network's IRR prefix lists come from (or go back to PeeringDB's)",
  async run(args, io) {
    const options = parseOptions(args, { asn: { type: "string" }, "as-set": { type: "string" }, "asn-only": { type: "boolean" }, peeringdb: { type: "boolean" } });
    if (typeof options.asn !== "string") throw new CliError("missing --asn");
    const choices = [typeof options["as-set"] === "string", Boolean(options["asn-only"]), Boolean(options.peeringdb)].filter(Boolean).length;
    if (choices !== 1) throw new CliError("give exactly one of --as-set AS-FOO, --asn-only or --peeringdb");
    const asn = parseAsn(options.asn);
    const value = options.peeringdb ? null : options["asn-only"] ? "asn-only" : (options["as-set"] as string);
    const result = await withDatabase(() => setIrrAsSetOverride(getDb(), asn, value, cliActor()));
    io.stdout(`AS${asn}: as-set ${result.override ?? "from PeeringDB"}${result.changed ? "; prefix lists refresh" : " (unchanged)"}\n`);
  },
};
