import "server-only";
import { readFileSync } from "node:fs";
import { z } from "zod";
import type { Db } from "@/db";
import { recordAudit, type Actor } from "./audit";
import { assertAddressesFree } from "./address-allocation";
import { getConfig } from "./config";
import { DomainError } from "./errors";
import { normalizeAddress, parseAddress, parsePrefix, prefixContains } from "./ip";
import { localTransport, sshTransport, type Transport } from "./routeserver/transport";

const path = z.string().regex(/^\/[A-Za-z0-9._/-]+$/, "must be an absolute path of letters, digits, '.', '_', '-' and '/'");

export const ZRouteServerAdd = z.object({
  lan: z.string().min(1),
  name: z.string().trim().regex(/^[a-z0-9][a-z0-9.-]{0,62}$/i, "name: letters, digits, '.' and '-'"),
  transport: z.enum(["ssh", "local"]).default("ssh"),
  sshHost: z.string().trim().regex(/^[A-Za-z0-9.:-]+$/, "not a host name or address").optional(),
  sshPort: z.coerce.number().int().min(1).max(65535).default(22),
  sshUser: z.string().regex(/^[a-z_][a-z0-9_-]{0,31}$/, "not a user name").default("ztix"),
  hostKey: z.string().regex(/^SHA256:[A-Za-z0-9+/]{43}$/, "the host key fingerprint is SHA256:… as ssh-keygen -lf prints it").optional(),
  ipv4: z.string().optional(),
  ipv6: z.string().optional(),
  routerId: z.string(),
  configPath: path.default("/etc/bird/bird.conf"),
  controlSocket: path.default("/run/bird/bird.ctl"),
  deployOrder: z.coerce.number().int().min(0).default(0),
});

/** Adds a route server to a LAN; its LAN addresses are reserved so no member gets them. */
export async function addRouteServer(db: Db, raw: z.input<typeof ZRouteServerAdd>, actor: Actor) {
  const parsed = ZRouteServerAdd.safeParse(raw);
  if (!parsed.success) throw new DomainError(parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`).join("; "));
  const input = parsed.data;
  if (input.transport === "ssh" && (!input.sshHost || !input.hostKey)) throw new DomainError("an SSH route server needs --ssh-host and --host-key (its pinned SHA256 fingerprint)");
  const lan = await db.selectFrom("lans").select(["id", "name", "ipv4_prefix", "ipv6_prefix"]).where((eb) => (/^\d+$/.test(input.lan) ? eb("id", "=", Number(input.lan)) : eb("name", "=", input.lan))).executeTakeFirst();
  if (!lan) throw new DomainError(`no peering LAN ${input.lan}`);
  const inside = (address: string | undefined, prefix: string, family: 4 | 6) => {
    if (!address) return null;
    const parsedAddress = parseAddress(address);
    if (!parsedAddress || parsedAddress.family !== family || !prefixContains(parsePrefix(prefix)!, parsedAddress)) throw new DomainError(`${address} is not an IPv${family} address inside ${prefix}`);
    return normalizeAddress(address);
  };
  const ipv4 = inside(input.ipv4, lan.ipv4_prefix, 4);
  const ipv6 = inside(input.ipv6, lan.ipv6_prefix, 6);
  if (parseAddress(input.routerId)?.family !== 4) throw new DomainError(`router id ${input.routerId} must be an IPv4 address`);
  return db.transaction().execute(async (trx) => {
    await trx.selectFrom("lans").select("id").where("id", "=", lan.id).forUpdate().execute();
    await assertAddressesFree(trx, lan.id, { ipv4, ipv6 });
    // A trigger reserves the addresses in address_allocations (one address space per LAN).
    const created = await trx
      .insertInto("route_servers")
      .values({
        lan_id: lan.id,
        name: input.name,
        transport: input.transport,
        ssh_host: input.sshHost ?? null,
        ssh_port: input.sshPort,
        ssh_user: input.sshUser,
        host_key_fingerprint: input.hostKey ?? null,
        ipv4_address: ipv4,
        ipv6_address: ipv6,
        router_id: input.routerId,
        config_path: input.configPath,
        control_socket: input.controlSocket,
        deploy_order: input.deployOrder,
      })
      .returning(["id", "name"])
      .executeTakeFirstOrThrow();
    await recordAudit(trx, { actor, action: "route_server.added", subject: { type: "route_server", id: created.id }, after: { ...input, lan: lan.name } });
    return { ...created, lan: lan.name };
  });
}

export async function listRouteServers(db: Db) {
  return db
    .selectFrom("route_servers")
    .innerJoin("lans", "lans.id", "route_servers.lan_id")
    .select(["route_servers.id", "route_servers.name", "lans.name as lan", "route_servers.transport", "route_servers.ssh_host", "route_servers.ssh_port", "route_servers.ipv4_address", "route_servers.ipv6_address", "route_servers.router_id", "route_servers.deploy_order", "route_servers.enabled"])
    .orderBy("lans.name")
    .orderBy("route_servers.deploy_order")
    .execute();
}

/** Opens the configured transport to a route server (SSH with the pinned host key, or local). */
export async function connectRouteServer(server: { name: string; transport: string; ssh_host: string | null; ssh_port: number; ssh_user: string; host_key_fingerprint: string | null }): Promise<Transport> {
  if (server.transport === "local") return localTransport();
  const keyFile = getConfig().RS_SSH_KEY_FILE;
  if (!keyFile) throw new Error("RS_SSH_KEY_FILE is not set: ztix has no key to reach route servers over SSH");
  readFileSync(keyFile);
  return sshTransport({ host: server.ssh_host!, port: server.ssh_port, username: server.ssh_user, privateKeyFile: keyFile, hostKeyFingerprint: server.host_key_fingerprint ?? "" });
}
