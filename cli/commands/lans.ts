import { getDb } from "@/db";
import { cliActor } from "@/lib/audit";
import { createLan, listLans, setLanIrrFiltering, setLanRpkiServers } from "@/lib/lans";
import { getZeroTierProvider } from "@/lib/zerotier-client";
import { CliError, type CliCommand } from "../io";
import { parseOptions } from "../options";
import { formatTable } from "../table";
import { withDatabase } from "../database";

export const lansCreate: CliCommand = {
  name: "lans create",
  usage: "lans create --name N --ipv4 PREFIX --ipv6 PREFIX --rs-asn ASN (--create-network | --zt-network NWID) [--mtu 2800] [--ipv6-scheme asn|sequential] [--reserved-hosts 10] [--quarantine-days 7]",
  summary: "create a peering LAN: a new ZeroTier network on the controller, or adopt an existing one",
  async run(args, io) {
    const options = parseOptions(args, {
      name: { type: "string" },
      ipv4: { type: "string" },
      ipv6: { type: "string" },
      "rs-asn": { type: "string" },
      "create-network": { type: "boolean" },
      "zt-network": { type: "string" },
      mtu: { type: "string" },
      "ipv6-scheme": { type: "string" },
      "reserved-hosts": { type: "string" },
      "quarantine-days": { type: "string" },
    });
    for (const flag of ["name", "ipv4", "ipv6", "rs-asn"] as const) if (typeof options[flag] !== "string") throw new CliError(`missing --${flag}`);
    if (Boolean(options["create-network"]) === (typeof options["zt-network"] === "string")) {
      throw new CliError("give either --create-network (make a new ZeroTier network) or --zt-network NWID (adopt an existing one)");
    }
    const lan = await withDatabase(() =>
      createLan(
        getDb(),
        getZeroTierProvider(),
        {
          name: options.name as string,
          ipv4: options.ipv4 as string,
          ipv6: options.ipv6 as string,
          rsAsn: options["rs-asn"] as unknown as number,
          mtu: (options.mtu as unknown as number | undefined) ?? undefined,
          ipv6Scheme: options["ipv6-scheme"] as "asn" | "sequential" | undefined,
          reservedHosts: options["reserved-hosts"] as unknown as number | undefined,
          quarantineDays: options["quarantine-days"] as unknown as number | undefined,
        },
        options["create-network"] ? { create: true } : { adopt: options["zt-network"] as string },
        cliActor(),
      ),
    );
    io.stdout(`created LAN ${lan.name} (id ${lan.id}) on ZeroTier network ${lan.zt_network_id}: ${lan.ipv4_prefix} ${lan.ipv6_prefix}\n`);
  },
};

export const lansSetRpki: CliCommand = {
  name: "lans set-rpki",
  usage: "lans set-rpki --lan N (--rtr HOST:PORT [--rtr HOST:PORT ...] | --none)",
  summary: "set the RTR caches (RPKI validators) of a LAN's route servers; RPKI-invalid routes are then filtered",
  async run(args, io) {
    const options = parseOptions(args, { lan: { type: "string" }, rtr: { type: "string", multiple: true }, none: { type: "boolean" } });
    if (typeof options.lan !== "string") throw new CliError("missing --lan");
    const servers = (options.rtr as string[] | undefined) ?? [];
    if (servers.length === 0 && !options.none) throw new CliError("give --rtr HOST:PORT (repeatable), or --none to turn RPKI filtering off");
    const result = await withDatabase(() => setLanRpkiServers(getDb(), options.lan as string, servers, cliActor()));
    io.stdout(result.servers.length === 0 ? `RPKI filtering off on ${result.name}; route servers redeploy\n` : `RPKI on ${result.name} via ${result.servers.map((server) => `${server.host}:${server.port}`).join(", ")}; route servers redeploy\n`);
  },
};

export const lansList: CliCommand = {
  name: "lans list",
  usage: "lans list [--json]",
  summary: "list peering LANs",
  async run(args, io) {
    const options = parseOptions(args, { json: { type: "boolean" } });
    const lans = await withDatabase(() => listLans(getDb()));
    if (options.json) {
      io.stdout(`${JSON.stringify(lans, null, 2)}\n`);
      return;
    }
    const rows = lans.map((lan) => [String(lan.id), lan.name, lan.zt_network_id, lan.ipv4_prefix, lan.ipv6_prefix, `AS${lan.rs_asn}`, String(lan.live_connections ?? 0)]);
    const header = ["ID", "NAME", "ZEROTIER NETWORK", "IPV4", "IPV6", "RS ASN", "LIVE"];
    io.stdout(formatTable(header, rows));
  },
};

export const lansSetIrr: CliCommand = {
  name: "lans set-irr",
  usage: "lans set-irr --lan N (--on | --off)",
  summary: "check members' prefixes against their IRR prefix lists on a LAN's route servers (or stop)",
  async run(args, io) {
    const options = parseOptions(args, { lan: { type: "string" }, on: { type: "boolean" }, off: { type: "boolean" } });
    if (typeof options.lan !== "string") throw new CliError("missing --lan");
    if (Boolean(options.on) === Boolean(options.off)) throw new CliError("give exactly one of --on or --off");
    const result = await withDatabase(() => setLanIrrFiltering(getDb(), options.lan as string, Boolean(options.on), cliActor()));
    io.stdout(`IRR filtering ${result.enabled ? "on" : "off"} on ${result.name}${result.changed ? "; route servers redeploy" : " (unchanged)"}\n`);
  },
};
