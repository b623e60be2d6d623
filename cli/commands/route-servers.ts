import { getDb } from "@/db";
import { cliActor } from "@/lib/audit";
import { connectRouteServer, addRouteServer, listRouteServers, setRouteServerDrained, setRouteServerEnabled, setRouteServerNode } from "@/lib/routeserver/registry";
import { DeploymentRunningError, deployLan } from "@/lib/routeserver/deploy";
import { CliError, type CliCommand } from "../io";
import { parseOptions } from "../options";
import { formatTable } from "../table";
import { withDatabase } from "../database";

export const routeServersAdd: CliCommand = {
  name: "route-servers add",
  usage: "route-servers add --lan N --name N --ssh-host H [--ssh-port P] [--ssh-user U] --host-key SHA256:... --ipv4 A --ipv6 A --router-id A --zt-node NODEID [--config-path P] [--control-socket P] [--deploy-order N] [--local]",
  summary: "add a route server to a LAN (its host key pinned; its ZeroTier node authorized with its addresses; --local for BIRD on this host)",
  async run(args, io) {
    const options = parseOptions(args, {
      lan: { type: "string" },
      name: { type: "string" },
      "ssh-host": { type: "string" },
      "ssh-port": { type: "string" },
      "ssh-user": { type: "string" },
      "host-key": { type: "string" },
      ipv4: { type: "string" },
      ipv6: { type: "string" },
      "router-id": { type: "string" },
      "config-path": { type: "string" },
      "control-socket": { type: "string" },
      "deploy-order": { type: "string" },
      local: { type: "boolean" },
      "zt-node": { type: "string" },
    });
    for (const flag of ["lan", "name", "router-id"] as const) if (typeof options[flag] !== "string") throw new CliError(`missing --${flag}`);
    const created = await withDatabase(() =>
      addRouteServer(
        getDb(),
        {
          lan: options.lan as string,
          name: options.name as string,
          transport: options.local ? "local" : "ssh",
          sshHost: options["ssh-host"] as string | undefined,
          sshPort: options["ssh-port"] as unknown as number | undefined,
          sshUser: options["ssh-user"] as string | undefined,
          hostKey: options["host-key"] as string | undefined,
          ipv4: options.ipv4 as string | undefined,
          ipv6: options.ipv6 as string | undefined,
          routerId: options["router-id"] as string,
          configPath: options["config-path"] as string | undefined,
          controlSocket: options["control-socket"] as string | undefined,
          deployOrder: options["deploy-order"] as unknown as number | undefined,
          ztNodeId: options["zt-node"] as string | undefined,
        },
        cliActor(),
      ),
    );
    io.stdout(`added route server ${created.name} (id ${created.id}) to LAN ${created.lan}; its deployment is queued\n`);
    if (!options["zt-node"]) io.stderr(`warning: no --zt-node: ztix does not authorize ${created.name} on the LAN's ZeroTier network (set it with: route-servers set-node --name ${created.name} --zt-node NODEID)\n`);
  },
};

export const routeServersList: CliCommand = {
  name: "route-servers list",
  usage: "route-servers list",
  summary: "list route servers",
  async run(args, io) {
    parseOptions(args, {});
    const servers = await withDatabase(() => listRouteServers(getDb()));
    const rows = servers.map((server) => [String(server.id), server.lan, server.name, server.transport === "local" ? "local" : `${server.ssh_host}:${server.ssh_port}`, server.ipv4_address ?? "-", server.ipv6_address ?? "-", server.zt_node_id ?? "-", String(server.deploy_order), server.enabled ? "enabled" : "disabled"]);
    const header = ["ID", "LAN", "NAME", "REACHED AT", "IPV4", "IPV6", "ZT NODE", "ORDER", "STATE"];
    io.stdout(formatTable(header, rows));
  },
};

export const routeServersSetNode: CliCommand = {
  name: "route-servers set-node",
  usage: "route-servers set-node --name N --zt-node NODEID",
  summary: "record a route server's ZeroTier node (authorized with its addresses; a replaced node is deauthorized)",
  async run(args, io) {
    const options = parseOptions(args, { name: { type: "string" }, "zt-node": { type: "string" } });
    for (const flag of ["name", "zt-node"] as const) if (typeof options[flag] !== "string") throw new CliError(`missing --${flag}`);
    const result = await withDatabase(() => setRouteServerNode(getDb(), options.name as string, options["zt-node"] as string, cliActor()));
    io.stdout(result.changed ? `route server ${result.name}: node ${result.ztNodeId} recorded; its authorization and the LAN's deployment are queued\n` : `route server ${result.name} already has node ${result.ztNodeId}\n`);
  },
};

function enableCommand(enabled: boolean): CliCommand {
  const verb = enabled ? "enable" : "disable";
  return {
    name: `route-servers ${verb}`,
    usage: `route-servers ${verb} --name N`,
    summary: enabled
      ? "enable a route server (its node is authorized, the LAN redeployed)"
      : "disable a route server (the LAN redeployed without it, then its node deauthorized)",
    async run(args, io) {
      const options = parseOptions(args, { name: { type: "string" } });
      if (typeof options.name !== "string") throw new CliError("missing --name");
      const result = await withDatabase(() => setRouteServerEnabled(getDb(), options.name as string, enabled, cliActor()));
      io.stdout(result.changed ? `route server ${result.name} ${verb}d; the LAN's deployment is queued\n` : `route server ${result.name} is already ${verb}d\n`);
    },
  };
}

export const routeServersEnable = enableCommand(true);
export const routeServersDisable = enableCommand(false);

function drainCommand(drained: boolean): CliCommand {
  const verb = drained ? "drain" : "undrain";
  return {
    name: `route-servers ${verb}`,
    usage: `route-servers ${verb} --name N`,
    summary: drained
      ? "drain a route server before maintenance: every route it sends carries GRACEFUL_SHUTDOWN (65535:0); the LAN redeployed"
      : "put a drained route server back in service; the LAN redeployed",
    async run(args, io) {
      const options = parseOptions(args, { name: { type: "string" } });
      if (typeof options.name !== "string") throw new CliError("missing --name");
      const result = await withDatabase(() => setRouteServerDrained(getDb(), options.name as string, drained, cliActor()));
      io.stdout(result.changed ? `route server ${result.name} ${verb}ed; the LAN's deployment is queued\n` : `route server ${result.name} is already ${drained ? "drained" : "in service"}\n`);
    },
  };
}

export const routeServersDrain = drainCommand(true);
export const routeServersUndrain = drainCommand(false);

export const deployCommand: CliCommand = {
  name: "deploy",
  usage: "deploy --lan N [--wait SECONDS]",
  summary: "render, check and deploy a LAN's route servers now, one at a time (waits up to 300 s for a deployment of the LAN already running)",
  async run(args, io) {
    const options = parseOptions(args, { lan: { type: "string" }, wait: { type: "string" } });
    if (typeof options.lan !== "string") throw new CliError("missing --lan");
    if (typeof options.wait === "string" && !/^\d+$/.test(options.wait)) throw new CliError("--wait must be a whole number of seconds");
    const waitSeconds = options.wait === undefined ? 300 : Number(options.wait);
    const outcomes = await withDatabase(async () => {
      const lan = await getDb()
        .selectFrom("lans")
        .select("id")
        .where((eb) => (/^\d+$/.test(options.lan as string) ? eb("id", "=", Number(options.lan)) : eb("name", "=", options.lan as string)))
        .executeTakeFirst();
      if (!lan) throw new CliError(`no peering LAN ${options.lan}`);
      try {
        return await deployLan(getDb(), lan.id, `cli (${process.env.USER ?? "unknown"})`, connectRouteServer, {
          waitMs: waitSeconds * 1000,
          onWait: () => io.stderr(`ztix: another deployment of LAN ${options.lan} is running; waiting up to ${waitSeconds} s for it to finish\n`),
        });
      } catch (error) {
        if (error instanceof DeploymentRunningError) throw new CliError(`another deployment of LAN ${options.lan} is still running after ${waitSeconds} s; try again when it has finished (the route servers' pages show it)`);
        throw error;
      }
    });
    io.stdout(outcomes.length === 0 ? "this LAN has no enabled route servers\n" : outcomes.map((outcome) => `${outcome.routeServer}: ${outcome.status}\n`).join(""));
  },
};
