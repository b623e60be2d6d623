import "server-only";
import { readFileSync } from "node:fs";
import { z } from "zod";
import type { Db } from "@/db";
import { enqueueJob } from "@/jobs/enqueue";
import { recordAudit, type Actor } from "@/lib/audit";
import { assertAddressesFree } from "@/lib/addressing/allocation";
import { enqueueLanDeployment } from "@/lib/connections/service";
import { getConfig } from "@/lib/config";
import { ConflictError, DomainError, NotFoundError } from "@/lib/errors";
import { normalizeAddress, parseAddress, parsePrefix, prefixContains } from "@/lib/addressing/ip";
import { localTransport, sshTransport, type Transport } from "./transport";
import { routeServerNodeJobKey } from "@/jobs/keys";

/** A ZeroTier node id (what `zerotier-cli info` prints on the route server's host), lower-cased. */
export const ZZtNodeId = z
  .string()
  .trim()
  .regex(/^[0-9a-fA-F]{10}$/, "a ZeroTier node id is 10 hexadecimal digits (zerotier-cli info on the route server shows it)")
  .transform((value) => value.toLowerCase());

export const SYNC_NODE_MAX_ATTEMPTS = 12;

const path = z.string().regex(/^\/[A-Za-z0-9._/-]+$/, "must be an absolute path of letters, digits, '.', '_', '-' and '/'");

export const ZRouteServerAdd = z.object({
  lan: z.string().min(1),
  name: z.string().trim().regex(/^[a-z0-9][a-z0-9.-]{0,62}$/i, "letters, digits, '.' and '-' (up to 63, starting with a letter or digit)"),
  transport: z.enum(["ssh", "local"]).default("ssh"),
  sshHost: z.string().trim().regex(/^[A-Za-z0-9.:-]+$/, "not a host name or address").optional(),
  sshPort: z.coerce.number({ message: "a port number from 1 to 65535" }).int("a port number from 1 to 65535").min(1, "a port number from 1 to 65535").max(65535, "a port number from 1 to 65535").default(22),
  sshUser: z.string().regex(/^[a-z_][a-z0-9_-]{0,31}$/, "not a user name").default("ztix"),
  hostKey: z.string().regex(/^SHA256:[A-Za-z0-9+/]{43}$/, "the host key fingerprint is SHA256:… as ssh-keygen -lf prints it").optional(),
  ipv4: z.string().optional(),
  ipv6: z.string().optional(),
  routerId: z.string(),
  configPath: path.default("/etc/bird/bird.conf"),
  controlSocket: path.default("/run/bird/bird.ctl"),
  deployOrder: z.coerce.number({ message: "a whole number, 0 or more" }).int("a whole number, 0 or more").min(0, "a whole number, 0 or more").default(0),
  ztNodeId: ZZtNodeId.optional(),
});

type Problems = Record<string, string[]>;

/** zod issues as a form's field errors (keyed by the input's field names). */
function issueFields(issues: z.core.$ZodIssue[]): Problems {
  const fieldErrors: Problems = {};
  for (const issue of issues) addProblem(fieldErrors, String(issue.path[0]), issue.message);
  return fieldErrors;
}

function addProblem(problems: Problems, field: string, message: string) {
  (problems[field] ??= []).push(message);
}

const FIELD_LABELS: Record<string, string> = {
  lan: "LAN",
  name: "name",
  sshHost: "SSH host",
  sshPort: "SSH port",
  sshUser: "SSH user",
  hostKey: "host key fingerprint",
  ipv4: "IPv4 address",
  ipv6: "IPv6 address",
  routerId: "router id",
  configPath: "configuration path",
  controlSocket: "control socket",
  deployOrder: "deploy order",
  ztNodeId: "ZeroTier node id",
};

/**
 * Every problem of a route server's settings at once: one error whose message names them all (the
 * CLI's one line) and whose field errors put each beside its field in the portal's forms.
 */
function throwProblems(problems: Problems) {
  const fields = Object.keys(problems);
  if (fields.length === 0) return;
  throw new DomainError(fields.map((field) => `${FIELD_LABELS[field] ?? field}: ${problems[field]!.join(", ")}`).join("; "), problems);
}

/** An address checked against the LAN's prefix, normalized; a problem recorded when it is not inside. */
function addressInside(problems: Problems, field: "ipv4" | "ipv6", address: string | undefined, prefix: string, family: 4 | 6) {
  if (!address) return null;
  const parsedAddress = parseAddress(address);
  if (!parsedAddress || parsedAddress.family !== family || !prefixContains(parsePrefix(prefix)!, parsedAddress)) {
    addProblem(problems, field, `${address} is not an IPv${family} address inside ${prefix}`);
    return null;
  }
  return normalizeAddress(address);
}

function checkRouterId(problems: Problems, routerId: string | undefined) {
  if (parseAddress(routerId?.trim() ?? "")?.family !== 4) addProblem(problems, "routerId", `${routerId?.trim() ? `"${routerId.trim()}" is not` : "needs"} an IPv4 address (BIRD's router id)`);
}

function checkSshReach(problems: Problems, input: { sshHost?: string; hostKey?: string }) {
  if (!input.sshHost?.trim()) addProblem(problems, "sshHost", "an SSH route server needs its host");
  if (!input.hostKey?.trim()) addProblem(problems, "hostKey", "an SSH route server needs its host key's fingerprint (pinned)");
}

/** Adds a route server to a LAN; its LAN addresses are reserved so no member gets them. */
export async function addRouteServer(db: Db, raw: z.input<typeof ZRouteServerAdd>, actor: Actor) {
  try {
    return await insertRouteServer(db, raw, actor);
  } catch (error) {
    const pgError = error as { code?: string; constraint?: string } | null;
    if (pgError?.code === "23505" && pgError.constraint === "route_servers_lan_node_key") throw new ConflictError("this ZeroTier node is already another route server of this LAN");
    if (pgError?.code === "23505" && pgError.constraint === "route_servers_lan_name_key") throw new ConflictError("this LAN already has a route server of that name");
    throw error;
  }
}

async function insertRouteServer(db: Db, raw: z.input<typeof ZRouteServerAdd>, actor: Actor) {
  // Every problem is collected before answering, from the raw input where the schema failed.
  const parsed = ZRouteServerAdd.safeParse(raw);
  const problems = parsed.success ? {} : issueFields(parsed.error.issues);
  if ((raw.transport ?? "ssh") === "ssh") checkSshReach(problems, raw);
  const lanRef = String(raw.lan ?? "").trim();
  const lan = lanRef
    ? await db.selectFrom("lans").select(["id", "name", "ipv4_prefix", "ipv6_prefix"]).where((eb) => (/^\d+$/.test(lanRef) ? eb("id", "=", Number(lanRef)) : eb("name", "=", lanRef))).executeTakeFirst()
    : undefined;
  if (!lan) addProblem(problems, "lan", lanRef ? `no peering LAN ${lanRef}` : "choose a LAN");
  const ipv4 = lan ? addressInside(problems, "ipv4", raw.ipv4?.trim() || undefined, lan.ipv4_prefix, 4) : null;
  const ipv6 = lan ? addressInside(problems, "ipv6", raw.ipv6?.trim() || undefined, lan.ipv6_prefix, 6) : null;
  checkRouterId(problems, raw.routerId);
  throwProblems(problems);
  if (!parsed.success || !lan) throw new Error("unreachable: problems were thrown");
  const input = parsed.data;
  if (input.ztNodeId) {
    const member = await db.selectFrom("connections").select("id").where("lan_id", "=", lan.id).where("zt_node_id", "=", input.ztNodeId).where("state", "not in", ["removed", "rejected"]).executeTakeFirst();
    if (member) throw new ConflictError(`node ${input.ztNodeId} is connection ${member.id}'s router on this LAN`);
  }
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
        zt_node_id: input.ztNodeId ?? null,
      })
      .returning(["id", "name"])
      .executeTakeFirstOrThrow();
    await recordAudit(trx, { actor, action: "route_server.added", subject: { type: "route_server", id: created.id }, after: { ...input, lan: lan.name } });
    if (input.ztNodeId) await enqueueNodeSync(trx, created.id);
    await enqueueLanDeployment(trx, lan.id, `route server ${created.name} added`);
    return { ...created, lan: lan.name };
  });
}

/** Puts the route server's node on the controller in line (authorized with its addresses, or not). */
export async function enqueueNodeSync(db: Db, routeServerId: number, retireNodeId?: string) {
  await enqueueJob(db, "sync_route_server_node", { routeServerId, ...(retireNodeId ? { retireNodeId } : {}) }, {
    jobKey: retireNodeId ? undefined : routeServerNodeJobKey(routeServerId),
    maxAttempts: SYNC_NODE_MAX_ATTEMPTS,
  });
}

/** Finds a route server by id or by name (unique within a LAN; ambiguous names must use the id). */
async function findRouteServer(db: Db, ref: string | number) {
  const rows = await db
    .selectFrom("route_servers")
    .select(["id", "name", "lan_id", "enabled", "zt_node_id"])
    .where((eb) => (typeof ref === "number" || /^\d+$/.test(ref) ? eb("id", "=", Number(ref)) : eb("name", "=", ref)))
    .forUpdate()
    .execute();
  if (rows.length === 0) throw new NotFoundError(`no route server ${ref}`);
  if (rows.length > 1) throw new DomainError(`several route servers are named ${ref}: use the id (route-servers list shows it)`);
  return rows[0]!;
}

function isUniqueViolation(error: unknown) {
  return (error as { code?: string } | null)?.code === "23505";
}

/**
 * Records (or replaces) the route server's ZeroTier node. The new node is authorized with the
 * route server's addresses; a replaced node is deauthorized. Both as jobs, in this transaction.
 */
export async function setRouteServerNode(db: Db, ref: string | number, rawNodeId: string, actor: Actor) {
  const parsed = ZZtNodeId.safeParse(rawNodeId);
  if (!parsed.success) throw new DomainError(parsed.error.issues[0]!.message);
  const nodeId = parsed.data;
  try {
    return await db.transaction().execute(async (trx) => {
      const server = await findRouteServer(trx, ref);
      if (server.zt_node_id === nodeId) return { id: server.id, name: server.name, ztNodeId: nodeId, changed: false };
      const member = await trx.selectFrom("connections").select("id").where("lan_id", "=", server.lan_id).where("zt_node_id", "=", nodeId).where("state", "not in", ["removed", "rejected"]).executeTakeFirst();
      if (member) throw new ConflictError(`node ${nodeId} is connection ${member.id}'s router on this LAN`);
      await trx.updateTable("route_servers").set({ zt_node_id: nodeId }).where("id", "=", server.id).execute();
      await recordAudit(trx, { actor, action: "route_server.node_set", subject: { type: "route_server", id: server.id }, before: { ztNodeId: server.zt_node_id }, after: { ztNodeId: nodeId } });
      await enqueueNodeSync(trx, server.id);
      if (server.zt_node_id) await enqueueNodeSync(trx, server.id, server.zt_node_id);
      await enqueueLanDeployment(trx, server.lan_id, `route server ${server.name} node set`);
      return { id: server.id, name: server.name, ztNodeId: nodeId, changed: true };
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw new ConflictError(`node ${nodeId} is already another route server of this LAN`);
    throw error;
  }
}

/**
 * Enables or disables a route server; the LAN is redeployed either way. An enabled server's node
 * is authorized now; a disabled one's is deauthorized once the LAN's deployment without it ran
 * (deploy_route_servers does that), so no member loses a session it still has configured.
 */
export async function setRouteServerEnabled(db: Db, ref: string | number, enabled: boolean, actor: Actor) {
  return db.transaction().execute(async (trx) => {
    const server = await findRouteServer(trx, ref);
    if (server.enabled === enabled) return { id: server.id, name: server.name, enabled, changed: false };
    await trx.updateTable("route_servers").set({ enabled }).where("id", "=", server.id).execute();
    await recordAudit(trx, { actor, action: enabled ? "route_server.enabled" : "route_server.disabled", subject: { type: "route_server", id: server.id }, before: { enabled: server.enabled }, after: { enabled } });
    if (enabled && server.zt_node_id) await enqueueNodeSync(trx, server.id);
    await enqueueLanDeployment(trx, server.lan_id, `route server ${server.name} ${enabled ? "enabled" : "disabled"}`);
    return { id: server.id, name: server.name, enabled, changed: true };
  });
}

export async function listRouteServers(db: Db) {
  return db
    .selectFrom("route_servers")
    .innerJoin("lans", "lans.id", "route_servers.lan_id")
    .select(["route_servers.id", "route_servers.name", "lans.name as lan", "route_servers.transport", "route_servers.ssh_host", "route_servers.ssh_port", "route_servers.ipv4_address", "route_servers.ipv6_address", "route_servers.router_id", "route_servers.deploy_order", "route_servers.enabled", "route_servers.drained", "route_servers.zt_node_id", "route_servers.zt_authorized", "route_servers.read_at", "route_servers.read_error", "route_servers.read_error_since"])
    .orderBy("lans.name")
    .orderBy("route_servers.deploy_order")
    .execute();
}

/** Opens the configured transport to a route server (SSH with the pinned host key, or local). */
export async function connectRouteServer(server: { name: string; transport: string; ssh_host: string | null; ssh_port: number; ssh_user: string; host_key_fingerprint: string | null }): Promise<Transport> {
  if (server.transport === "local") return localTransport();
  const { RS_SSH_KEY_FILE: keyFile, RS_SSH_TIMEOUT_SECONDS: timeoutSeconds } = getConfig();
  if (!keyFile) throw new Error("RS_SSH_KEY_FILE is not set: ztix has no key to reach route servers over SSH");
  readFileSync(keyFile);
  return sshTransport({ host: server.ssh_host!, port: server.ssh_port, username: server.ssh_user, privateKeyFile: keyFile, hostKeyFingerprint: server.host_key_fingerprint ?? "", timeoutMs: timeoutSeconds * 1000 });
}

/**
 * Drains a route server for maintenance, or puts it back: while drained, every route it sends
 * carries GRACEFUL_SHUTDOWN (65535:0, RFC 8326), so members prefer the LAN's other route servers
 * before its sessions go down. The LAN is redeployed either way.
 */
export async function setRouteServerDrained(db: Db, ref: string | number, drained: boolean, actor: Actor) {
  return db.transaction().execute(async (trx) => {
    const server = await findRouteServer(trx, ref);
    const current = await trx.selectFrom("route_servers").select("drained").where("id", "=", server.id).executeTakeFirstOrThrow();
    if (current.drained === drained) return { id: server.id, name: server.name, drained, changed: false };
    await trx.updateTable("route_servers").set({ drained }).where("id", "=", server.id).execute();
    await recordAudit(trx, { actor, action: drained ? "route_server.drained" : "route_server.undrained", subject: { type: "route_server", id: server.id }, before: { drained: current.drained }, after: { drained } });
    await enqueueLanDeployment(trx, server.lan_id, `route server ${server.name} ${drained ? "drained" : "undrained"}`);
    return { id: server.id, name: server.name, drained, changed: true };
  });
}

export const ZRouteServerEdit = ZRouteServerAdd.pick({ sshHost: true, sshPort: true, sshUser: true, hostKey: true, configPath: true, controlSocket: true, deployOrder: true }).extend({
  routerId: z.string().trim(),
});

/**
 * Edits how a route server is reached and deployed (SSH host, port, user, pinned host key, paths,
 * deploy order, router id). Its LAN addresses and node have their own flows (reserved addresses,
 * node authorization). The LAN is redeployed so the change is tried at once.
 */
export async function updateRouteServer(db: Db, ref: string | number, raw: z.input<typeof ZRouteServerEdit>, actor: Actor) {
  const parsed = ZRouteServerEdit.safeParse(raw);
  const problems = parsed.success ? {} : issueFields(parsed.error.issues);
  checkRouterId(problems, raw.routerId);
  return db.transaction().execute(async (trx) => {
    const { id } = await findRouteServer(trx, ref);
    const server = await trx.selectFrom("route_servers").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
    if (server.transport === "ssh") checkSshReach(problems, raw);
    throwProblems(problems);
    if (!parsed.success) throw new Error("unreachable: problems were thrown");
    const input = parsed.data;
    const next = {
      ssh_host: input.sshHost ?? null,
      ssh_port: input.sshPort,
      ssh_user: input.sshUser,
      host_key_fingerprint: input.hostKey ?? null,
      router_id: normalizeAddress(input.routerId)!,
      config_path: input.configPath,
      control_socket: input.controlSocket,
      deploy_order: input.deployOrder,
    };
    const before = Object.fromEntries(Object.keys(next).map((key) => [key, server[key as keyof typeof server]]));
    await trx.updateTable("route_servers").set(next).where("id", "=", server.id).execute();
    await recordAudit(trx, { actor, action: "route_server.updated", subject: { type: "route_server", id: server.id }, before, after: next });
    await enqueueLanDeployment(trx, server.lan_id, `route server ${server.name} edited`);
    return { id: server.id, name: server.name };
  });
}
