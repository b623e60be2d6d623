import { getDb } from "@/db";
import { cliActor } from "@/lib/audit";
import { createLan, getLanPolicySettings, listLans, setLanBlackhole, setLanIrrFiltering, setLanMaxPrefix, setLanRpkiServers } from "@/lib/lans";
import { getZeroTierProvider } from "@/lib/zerotier/client";
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

export const lansSetBlackhole: CliCommand = {
  name: "lans set-blackhole",
  usage: "lans set-blackhole --lan N [--ipv4 ADDRESS | --no-ipv4] [--ipv6 ADDRESS | --no-ipv6]",
  summary: "set the LAN's RFC 7999 blackhole addresses (next hop of accepted BLACKHOLE routes; reserved, never assigned); --no-ipvX turns blackholing off",
  async run(args, io) {
    const options = parseOptions(args, { lan: { type: "string" }, ipv4: { type: "string" }, ipv6: { type: "string" }, "no-ipv4": { type: "boolean" }, "no-ipv6": { type: "boolean" } });
    if (typeof options.lan !== "string") throw new CliError("missing --lan");
    if (options.ipv4 !== undefined && options["no-ipv4"]) throw new CliError("give --ipv4 ADDRESS or --no-ipv4, not both");
    if (options.ipv6 !== undefined && options["no-ipv6"]) throw new CliError("give --ipv6 ADDRESS or --no-ipv6, not both");
    const ipv4 = options["no-ipv4"] ? null : (options.ipv4 as string | undefined);
    const ipv6 = options["no-ipv6"] ? null : (options.ipv6 as string | undefined);
    if (ipv4 === undefined && ipv6 === undefined) throw new CliError("give --ipv4 ADDRESS and/or --ipv6 ADDRESS (or --no-ipv4 / --no-ipv6)");
    const result = await withDatabase(() => setLanBlackhole(getDb(), options.lan as string, { ipv4, ipv6 }, cliActor()));
    io.stdout(`blackholing on ${result.name}: IPv4 ${result.ipv4 ?? "off"}, IPv6 ${result.ipv6 ?? "off"}; route servers redeploy\n`);
  },
};

export const lansSetMaxPrefix: CliCommand = {
  name: "lans set-max-prefix",
  usage: "lans set-max-prefix --lan N [--margin PERCENT] [--default-ipv4 N] [--default-ipv6 N]",
  summary: "set the LAN's max-prefix policy: margin over PeeringDB's counts, limits for members without them",
  async run(args, io) {
    const options = parseOptions(args, { lan: { type: "string" }, margin: { type: "string" }, "default-ipv4": { type: "string" }, "default-ipv6": { type: "string" } });
    if (typeof options.lan !== "string") throw new CliError("missing --lan");
    const result = await withDatabase(() =>
      setLanMaxPrefix(getDb(), options.lan as string, { marginPercent: options.margin as string | undefined, default4: options["default-ipv4"] as string | undefined, default6: options["default-ipv6"] as string | undefined }, cliActor()),
    );
    io.stdout(`max-prefix on ${result.name}: PeeringDB + ${result.marginPercent} %, else ${result.default4} (IPv4) / ${result.default6} (IPv6); route servers redeploy\n`);
  },
};

export const lansPolicy: CliCommand = {
  name: "lans policy",
  usage: "lans policy --lan N [--json]",
  summary: "show a LAN's route-server settings in one place: RTR caches, IRR filtering, blackhole addresses, max-prefix",
  async run(args, io) {
    const options = parseOptions(args, { lan: { type: "string" }, json: { type: "boolean" } });
    if (typeof options.lan !== "string") throw new CliError("missing --lan");
    const settings = await withDatabase(() => getLanPolicySettings(getDb(), options.lan as string));
    if (options.json) {
      io.stdout(`${JSON.stringify(settings, null, 2)}\n`);
      return;
    }
    io.stdout(
      [
        `LAN ${settings.name} (route-server ASN ${settings.rsAsn})`,
        `RPKI (RTR caches): ${settings.rpkiServers.length ? settings.rpkiServers.map((server) => `${server.host}:${server.port}`).join(", ") : "none (routes are not checked against RPKI)"}`,
        `IRR prefix filtering: ${settings.irrFiltering ? "on (lists built with bgpq4; see networks refresh-irr)" : "off"}`,
        `Blackhole (RFC 7999): IPv4 ${settings.blackholeIpv4 ?? "off"}, IPv6 ${settings.blackholeIpv6 ?? "off"}`,
        `Max-prefix: PeeringDB + ${settings.maxPrefixMarginPercent} %, else ${settings.defaultMaxPrefix4} (IPv4) / ${settings.defaultMaxPrefix6} (IPv6)`,
        "",
      ].join("\n"),
    );
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
