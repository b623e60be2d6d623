import "server-only";
import { sql } from "kysely";
import { z } from "zod";
import type { Db } from "@/db";
import { reserveAddress } from "./addressing/allocation";
import { recordAudit, type Actor } from "./audit";
import { DomainError } from "./errors";
import { formatAddress, normalizeAddress, parseAddress, parsePrefix, prefixContains } from "./addressing/ip";
import { enqueueLanDeployment } from "./connections/service";
import { enqueueIrrRefresh } from "./irr/prefix-lists";
import { checkExistingNetwork, configureLanNetwork, createLanNetwork } from "./zerotier/network-setup";

/**
 * The LANs by name, for pickers and filters: no per-LAN connection count, which the connections
 * list paid for on every request (it scans the LAN's connections).
 */
export async function listLanChoices(db: Db): Promise<LanChoice[]> {
  const row = await db.selectNoFrom(lanChoicesText(db).as("lans")).executeTakeFirstOrThrow();
  return parseLanChoices(row.lans);
}

export type LanChoice = { id: number; name: string; zt_network_id: string };

/** The LAN choices as one JSON text, for a list's statement to carry beside its rows (pagedQuery's `beside`). */
export function lanChoicesText(db: Db) {
  const choices = db.selectFrom("lans").select(sql<string>`coalesce(json_agg(json_build_object('id', id, 'name', name, 'zt_network_id', zt_network_id) order by name), '[]')::text`.as("choices"));
  return sql<string | null>`(${choices})`;
}

/** What lanChoicesText read. */
export function parseLanChoices(text: string | null): LanChoice[] {
  return text ? (JSON.parse(text) as LanChoice[]) : [];
}

export async function listLans(db: Db) {
  return db
    .selectFrom("lans")
    .select(["id", "name", "zt_network_id", "ipv4_prefix", "ipv6_prefix", "mtu", "rs_asn", "ipv6_scheme", "reserved_host_count", "quarantine_days", "description"])
    .select((eb) =>
      eb
        .selectFrom("connections")
        .select((sub) => sub.fn.countAll<number>().as("count"))
        .whereRef("connections.lan_id", "=", "lans.id")
        .where("connections.state", "in", ["approved", "provisioning", "provisioned", "active", "failed", "removing"])
        .as("live_connections"),
    )
    .orderBy("name")
    .execute();
}

export const ZLanCreate = z.object({
  name: z.string().trim().min(2, "name must be 2 to 64 characters").max(64, "name must be 2 to 64 characters").regex(/^[\w .-]+$/, "name may contain letters, digits, spaces, '.', '_' and '-'"),
  ipv4: z.string().trim(),
  ipv6: z.string().trim(),
  rsAsn: z.coerce.number({ message: "the route-server ASN must be a number" }).int().min(1).max(4294967295, "the route-server ASN must be between 1 and 4294967295"),
  mtu: z.coerce.number().int().min(1280, "MTU must be 1280 to 10000").max(10000, "MTU must be 1280 to 10000").default(2800),
  ipv6Scheme: z.enum(["asn", "sequential"], { message: "the IPv6 scheme is asn or sequential" }).default("asn"),
  reservedHosts: z.coerce.number().int().min(0).max(1000).default(10),
  quarantineDays: z.coerce.number().int().min(0).max(365).default(7),
});
export type TLanCreate = z.input<typeof ZLanCreate>;

function checkPrefixes(input: z.output<typeof ZLanCreate>) {
  const ipv4 = parsePrefix(input.ipv4);
  const ipv6 = parsePrefix(input.ipv6);
  const problems: Record<string, string[]> = {};
  if (!ipv4 || ipv4.family !== 4) problems.ipv4 = [`${input.ipv4} is not an IPv4 prefix such as 192.0.2.0/24 (host bits zero)`];
  else if (ipv4.length < 8 || ipv4.length > 29) problems.ipv4 = ["the IPv4 prefix must be between /8 and /29"];
  if (!ipv6 || ipv6.family !== 6) problems.ipv6 = [`${input.ipv6} is not an IPv6 prefix such as 2001:db8:ffff::/64 (host bits zero)`];
  else if (input.ipv6Scheme === "asn" && ipv6.length > 64) problems.ipv6 = ["the ASN-based IPv6 scheme needs a /64 or shorter"];
  else if (ipv6.length > 120) problems.ipv6 = ["the IPv6 prefix must be /120 or shorter"];
  if (Object.keys(problems).length > 0) throw new DomainError(Object.values(problems).flat().join("; "), problems);
  return { ipv4: ipv4!.text, ipv6: ipv6!.text };
}

type LanProvider = Parameters<typeof createLanNetwork>[0];

/**
 * Creates a peering LAN: either creates and configures its ZeroTier network on the controller
 * (private, no automatic assignment, routes for both prefixes, MTU), or adopts an existing
 * network after checking it is configured that way.
 */
export async function createLan(db: Db, provider: LanProvider, rawInput: TLanCreate, network: { create: true } | { adopt: string }, actor: Actor) {
  const parsed = ZLanCreate.safeParse(rawInput);
  if (!parsed.success) {
    const fieldErrors = z.flattenError(parsed.error).fieldErrors as Record<string, string[]>;
    throw new DomainError(Object.values(fieldErrors).flat().join("; "), fieldErrors);
  }
  const input = parsed.data;
  const prefixes = checkPrefixes(input);
  const existing = await db.selectFrom("lans").select("id").where("name", "=", input.name).executeTakeFirst();
  if (existing) throw new DomainError(`a LAN named ${input.name} already exists`, { name: ["already taken"] });

  let networkId: string;
  if ("adopt" in network) {
    networkId = network.adopt.trim().toLowerCase();
    if (!/^[0-9a-f]{16}$/.test(networkId)) throw new DomainError(`${network.adopt} is not a ZeroTier network id (16 hexadecimal digits)`);
    const problems = await checkExistingNetwork(provider, networkId, { ipv4Prefix: prefixes.ipv4, ipv6Prefix: prefixes.ipv6 });
    if (problems.length > 0) throw new DomainError(`network ${networkId} cannot be adopted: ${problems.join("; ")}`);
  } else {
    const created = await createLanNetwork(provider, { name: input.name, ipv4Prefix: prefixes.ipv4, ipv6Prefix: prefixes.ipv6, mtu: input.mtu });
    networkId = created.networkId;
  }

  return db.transaction().execute(async (trx) => {
    const lan = await trx
      .insertInto("lans")
      .values({
        name: input.name,
        zt_network_id: networkId,
        ipv4_prefix: prefixes.ipv4,
        ipv6_prefix: prefixes.ipv6,
        mtu: input.mtu,
        rs_asn: input.rsAsn,
        ipv6_scheme: input.ipv6Scheme,
        reserved_host_count: input.reservedHosts,
        quarantine_days: input.quarantineDays,
      })
      .returning(["id", "name", "zt_network_id", "ipv4_prefix", "ipv6_prefix"])
      .executeTakeFirstOrThrow();
    await recordAudit(trx, { actor, action: "lan.created", subject: { type: "lan", id: lan.id }, after: { ...lan, rsAsn: input.rsAsn, adopted: "adopt" in network } });
    return lan;
  });
}

/** Sets a LAN's RTR caches (validators); an empty list turns RPKI filtering off. */
function parseRtrServers(servers: string[]) {
  return servers.map((entry) => {
    const match = /^([A-Za-z0-9.-]+|\[[0-9a-fA-F:]+\]):(\d{1,5})$/.exec(entry.trim());
    const port = Number(match?.[2]);
    if (!match || port < 1 || port > 65535) throw new DomainError(`"${entry}" is not host:port (use [addr]:port for IPv6)`);
    return { host: match[1]!.replace(/^\[|\]$/g, ""), port };
  });
}

export async function setLanRpkiServers(db: Db, lanRef: string, servers: string[], actor: Actor) {
  const parsed = parseRtrServers(servers);
  return db.transaction().execute(async (trx) => {
    const lan = await trx.selectFrom("lans").select(["id", "name", "rpki_servers"]).where((eb) => (/^\d+$/.test(lanRef) ? eb("id", "=", Number(lanRef)) : eb("name", "=", lanRef))).executeTakeFirst();
    if (!lan) throw new DomainError(`no peering LAN ${lanRef}`);
    await trx.updateTable("lans").set({ rpki_servers: JSON.stringify(parsed) }).where("id", "=", lan.id).execute();
    await recordAudit(trx, { actor, action: "lan.rpki_changed", subject: { type: "lan", id: lan.id }, before: lan.rpki_servers, after: parsed });
    await enqueueLanDeployment(trx, lan.id, "RPKI validators changed");
    return { name: lan.name, servers: parsed };
  });
}

const BLACKHOLE_NOTE = "blackhole address (RFC 7999)";

async function findLan(db: Db, lanRef: string) {
  const lan = await db
    .selectFrom("lans")
    .select(["id", "name", "ipv4_prefix", "ipv6_prefix", "blackhole_ipv4", "blackhole_ipv6", "max_prefix_margin_percent", "default_max_prefix4", "default_max_prefix6"])
    .where((eb) => (/^\d+$/.test(lanRef) ? eb("id", "=", Number(lanRef)) : eb("name", "=", lanRef)))
    .forUpdate()
    .executeTakeFirst();
  if (!lan) throw new DomainError(`no peering LAN ${lanRef}`);
  return lan;
}

/**
 * Sets where a LAN's route servers point accepted BLACKHOLE (RFC 7999) routes: an unused address
 * on the LAN for each family (null turns blackholing off for that family; undefined keeps it).
 * Traffic to it is discarded because nothing answers for it on the LAN.
 */
export async function setLanBlackhole(db: Db, lanRef: string, addresses: { ipv4?: string | null; ipv6?: string | null }, actor: Actor) {
  return db.transaction().execute(async (trx) => {
    const lan = await findLan(trx, lanRef);
    const next = await applyBlackhole(trx, lan, addresses, actor);
    await enqueueLanDeployment(trx, lan.id, "blackhole addresses changed");
    return { name: lan.name, ...next };
  });
}

type LanRow = Awaited<ReturnType<typeof findLan>>;

type BlackholeInput = { ipv4?: string | null; ipv6?: string | null };

/** The blackhole addresses asked for, checked against the LAN's prefixes; what is wrong goes into `problems` by field. */
function checkBlackhole(lan: LanRow, addresses: BlackholeInput, problems: Record<string, string[]>) {
  const next = { ipv4: lan.blackhole_ipv4, ipv6: lan.blackhole_ipv6 };
  for (const family of [4, 6] as const) {
    const key = family === 4 ? "ipv4" : "ipv6";
    const text = addresses[key];
    if (text === undefined) continue;
    if (text === null) {
      next[key] = null;
      continue;
    }
    const address = parseAddress(text);
    const prefix = parsePrefix(family === 4 ? lan.ipv4_prefix : lan.ipv6_prefix)!;
    if (!address || address.family !== family) problems[key] = [`${text} is not an IPv${family} address`];
    else if (!prefixContains(prefix, address) || address.value === prefix.network) problems[key] = [`${text} is not a host address in the LAN's ${prefix.text}`];
    else next[key] = formatAddress(family, address.value);
  }
  return next;
}

/** zod's answer by field; a problem of the whole input (none expected of these objects) under "form", so it is never lost. */
function zodProblems(error: z.ZodError): Record<string, string[]> {
  const flat = z.flattenError(error);
  return { ...(flat.fieldErrors as Record<string, string[]>), ...(flat.formErrors.length > 0 ? { form: flat.formErrors } : {}) };
}

function throwProblems(problems: Record<string, string[]>) {
  if (Object.keys(problems).length > 0) throw new DomainError(Object.values(problems).flat().join("; "), problems);
}

async function applyBlackhole(trx: Db, lan: LanRow, addresses: BlackholeInput, actor: Actor) {
  const problems: Record<string, string[]> = {};
  const next = checkBlackhole(lan, addresses, problems);
  throwProblems(problems);
  // The address pool must never hand a blackhole address to a member: it is reserved.
  const wanted = [next.ipv4, next.ipv6].filter((address): address is string => address !== null);
  if (wanted.length > 0) {
    const inUse = await trx
      .selectFrom("address_allocations")
      .select(["address", "state", "connection_id", "note"])
      .where("lan_id", "=", lan.id)
      .where("state", "in", ["assigned", "reserved", "quarantined"])
      .where("address", "in", wanted)
      .where((eb) => eb.or([eb("note", "is", null), eb("note", "!=", BLACKHOLE_NOTE)]))
      .executeTakeFirst();
    if (inUse) {
      const message = `${inUse.address} is already ${inUse.state}${inUse.connection_id ? ` (connection ${inUse.connection_id})` : inUse.note ? ` (${inUse.note})` : ""}; a blackhole address must be unused`;
      throw new DomainError(message, { [inUse.address === next.ipv4 ? "ipv4" : "ipv6"]: [message] });
    }
  }
  await trx
    .updateTable("address_allocations")
    .set({ state: "released", released_at: sql<Date>`now()` })
    .where("lan_id", "=", lan.id)
    .where("state", "=", "reserved")
    .where("note", "=", BLACKHOLE_NOTE)
    .execute();
  for (const address of wanted) await reserveAddress(trx, lan.id, address, BLACKHOLE_NOTE);
  await trx.updateTable("lans").set({ blackhole_ipv4: next.ipv4, blackhole_ipv6: next.ipv6 }).where("id", "=", lan.id).execute();
  if (next.ipv4 !== lan.blackhole_ipv4 || next.ipv6 !== lan.blackhole_ipv6) {
    await recordAudit(trx, { actor, action: "lan.blackhole_changed", subject: { type: "lan", id: lan.id }, before: { ipv4: lan.blackhole_ipv4, ipv6: lan.blackhole_ipv6 }, after: next });
  }
  return next;
}

export const ZMaxPrefixSettings = z.object({
  marginPercent: z.coerce.number({ message: "the margin must be a number" }).int("the margin must be a whole number").min(0, "the margin must be 0 to 1000 %").max(1000, "the margin must be 0 to 1000 %").optional(),
  default4: z.coerce.number({ message: "the IPv4 default must be a number" }).int().min(1, "the IPv4 default must be 1 to 10,000,000").max(10_000_000, "the IPv4 default must be 1 to 10,000,000").optional(),
  default6: z.coerce.number({ message: "the IPv6 default must be a number" }).int().min(1, "the IPv6 default must be 1 to 10,000,000").max(10_000_000, "the IPv6 default must be 1 to 10,000,000").optional(),
});

/**
 * Sets a LAN's max-prefix policy: the margin over PeeringDB's prefix counts, and the limits for
 * members without PeeringDB counts (an operator's per-connection override still wins).
 */
export async function setLanMaxPrefix(db: Db, lanRef: string, rawInput: z.input<typeof ZMaxPrefixSettings>, actor: Actor) {
  const input = parseMaxPrefix(rawInput);
  if (input.marginPercent === undefined && input.default4 === undefined && input.default6 === undefined) throw new DomainError("nothing to change: give a margin or a default");
  return db.transaction().execute(async (trx) => {
    const lan = await findLan(trx, lanRef);
    const next = await applyMaxPrefix(trx, lan, input, actor);
    await enqueueLanDeployment(trx, lan.id, "max-prefix policy changed");
    return { name: lan.name, ...next };
  });
}

function parseMaxPrefix(rawInput: z.input<typeof ZMaxPrefixSettings>) {
  const parsed = ZMaxPrefixSettings.safeParse(rawInput);
  if (!parsed.success) throwProblems(zodProblems(parsed.error));
  return parsed.data!;
}

async function applyMaxPrefix(trx: Db, lan: LanRow, input: z.output<typeof ZMaxPrefixSettings>, actor: Actor) {
  const next = {
    max_prefix_margin_percent: input.marginPercent ?? lan.max_prefix_margin_percent,
    default_max_prefix4: input.default4 ?? lan.default_max_prefix4,
    default_max_prefix6: input.default6 ?? lan.default_max_prefix6,
  };
  await trx.updateTable("lans").set(next).where("id", "=", lan.id).execute();
  const before = { max_prefix_margin_percent: lan.max_prefix_margin_percent, default_max_prefix4: lan.default_max_prefix4, default_max_prefix6: lan.default_max_prefix6 };
  if (JSON.stringify(before) !== JSON.stringify(next)) await recordAudit(trx, { actor, action: "lan.max_prefix_changed", subject: { type: "lan", id: lan.id }, before, after: next });
  return { marginPercent: next.max_prefix_margin_percent, default4: next.default_max_prefix4, default6: next.default_max_prefix6 };
}

/**
 * The LAN page's form: RTR caches, blackhole addresses and max-prefix, saved together (all or
 * nothing) with one deployment of the LAN queued. Field errors name the form's fields.
 */
export async function setLanRouteServerSettings(
  db: Db,
  lanId: number,
  input: { rtr: string; ipv4: string; ipv6: string; marginPercent: string; default4: string; default6: string; irrFiltering?: boolean },
  actor: Actor,
) {
  // Every field's problem is answered at once, not the first one found.
  const problems: Record<string, string[]> = {};
  const rtrEntries = input.rtr.split(/[\s,]+/).filter(Boolean);
  let rpki: { host: string; port: number }[] = [];
  try {
    rpki = parseRtrServers(rtrEntries);
  } catch (error) {
    problems.rtr = [error instanceof Error ? error.message : String(error)];
  }
  const maxPrefixParsed = ZMaxPrefixSettings.safeParse({ marginPercent: input.marginPercent, default4: input.default4, default6: input.default6 });
  if (!maxPrefixParsed.success) Object.assign(problems, zodProblems(maxPrefixParsed.error));
  return db.transaction().execute(async (trx) => {
    const lan = await findLan(trx, String(lanId));
    checkBlackhole(lan, { ipv4: input.ipv4.trim() || null, ipv6: input.ipv6.trim() || null }, problems);
    throwProblems(problems);
    const maxPrefix = maxPrefixParsed.data!;
    const current = await trx.selectFrom("lans").select("rpki_servers").where("id", "=", lan.id).executeTakeFirstOrThrow();
    if (JSON.stringify(current.rpki_servers) !== JSON.stringify(rpki)) {
      await trx.updateTable("lans").set({ rpki_servers: JSON.stringify(rpki) }).where("id", "=", lan.id).execute();
      await recordAudit(trx, { actor, action: "lan.rpki_changed", subject: { type: "lan", id: lan.id }, before: current.rpki_servers, after: rpki });
    }
    await applyBlackhole(trx, lan, { ipv4: input.ipv4.trim() || null, ipv6: input.ipv6.trim() || null }, actor);
    await applyMaxPrefix(trx, lan, maxPrefix, actor);
    if (input.irrFiltering !== undefined) await applyIrrFiltering(trx, lan.id, input.irrFiltering, actor);
    await enqueueLanDeployment(trx, lan.id, "route-server settings changed");
    return { name: lan.name };
  });
}

/** A LAN's route-server settings in one place (CLI `lans policy`, the LAN page). */
export async function getLanPolicySettings(db: Db, lanRef: string) {
  const lan = await db
    .selectFrom("lans")
    .select(["id", "name", "rs_asn", "rpki_servers", "irr_filtering", "blackhole_ipv4", "blackhole_ipv6", "max_prefix_margin_percent", "default_max_prefix4", "default_max_prefix6"])
    .where((eb) => (/^\d+$/.test(lanRef) ? eb("id", "=", Number(lanRef)) : eb("name", "=", lanRef)))
    .executeTakeFirst();
  if (!lan) throw new DomainError(`no peering LAN ${lanRef}`);
  return {
    id: lan.id,
    name: lan.name,
    rsAsn: lan.rs_asn,
    rpkiServers: (lan.rpki_servers as { host: string; port: number }[] | null) ?? [],
    irrFiltering: lan.irr_filtering,
    blackholeIpv4: lan.blackhole_ipv4 ? normalizeAddress(lan.blackhole_ipv4) : null,
    blackholeIpv6: lan.blackhole_ipv6 ? normalizeAddress(lan.blackhole_ipv6) : null,
    maxPrefixMarginPercent: lan.max_prefix_margin_percent,
    defaultMaxPrefix4: lan.default_max_prefix4,
    defaultMaxPrefix6: lan.default_max_prefix6,
  };
}
/** Turns IRR prefix filtering on or off for a LAN's route servers (they redeploy). */
export async function setLanIrrFiltering(db: Db, lanRef: string, enabled: boolean, actor: Actor) {
  return db.transaction().execute(async (trx) => {
    const lan = await trx.selectFrom("lans").select(["id", "name"]).where((eb) => (/^\d+$/.test(lanRef) ? eb("id", "=", Number(lanRef)) : eb("name", "=", lanRef))).executeTakeFirst();
    if (!lan) throw new DomainError(`no peering LAN ${lanRef}`);
    const changed = await applyIrrFiltering(trx, lan.id, enabled, actor);
    if (changed) await enqueueLanDeployment(trx, lan.id, `IRR filtering turned ${enabled ? "on" : "off"}`);
    return { name: lan.name, enabled, changed };
  });
}

/** Whether it changed; turning it on queues a fetch of every member's lists (the caller deploys). */
async function applyIrrFiltering(trx: Db, lanId: number, enabled: boolean, actor: Actor) {
  const lan = await trx.selectFrom("lans").select(["irr_filtering"]).where("id", "=", lanId).executeTakeFirstOrThrow();
  if (lan.irr_filtering === enabled) return false;
  await trx.updateTable("lans").set({ irr_filtering: enabled }).where("id", "=", lanId).execute();
  await recordAudit(trx, { actor, action: "lan.irr_filtering_changed", subject: { type: "lan", id: lanId }, before: lan.irr_filtering, after: enabled });
  if (enabled) {
    // Every member's lists are fetched now; until its first fetch a member's routes are filtered.
    const members = await trx.selectFrom("connections").select("asn").distinct().where("lan_id", "=", lanId).where("state", "in", ["provisioned", "active"]).where("route_server_peering", "=", true).execute();
    for (const member of members) await enqueueIrrRefresh(trx, member.asn);
  }
  return true;
}

export const ZLanEdit = z.object({
  name: ZLanCreate.shape.name,
  mtu: z.coerce.number({ message: "MTU must be a number" }).int().min(1280, "MTU must be 1280 to 10000").max(10000, "MTU must be 1280 to 10000"),
  reservedHosts: z.coerce.number({ message: "must be a number" }).int().min(0, "0 to 1000").max(1000, "0 to 1000"),
  quarantineDays: z.coerce.number({ message: "must be a number" }).int().min(0, "0 to 365 days").max(365, "0 to 365 days"),
  description: z.string().trim().max(500, "at most 500 characters").default(""),
});

/**
 * Edits a LAN's general settings. A changed MTU is written to its ZeroTier network first (the
 * same configuration a created network gets), so the database never claims an MTU routers lack.
 */
export async function updateLanSettings(db: Db, provider: LanProvider & Parameters<typeof configureLanNetwork>[0], lanId: number, rawInput: z.input<typeof ZLanEdit>, actor: Actor) {
  const parsed = ZLanEdit.safeParse(rawInput);
  if (!parsed.success) {
    const fieldErrors = z.flattenError(parsed.error).fieldErrors as Record<string, string[]>;
    throw new DomainError(Object.values(fieldErrors).flat().join("; "), fieldErrors);
  }
  const input = parsed.data;
  const lan = await db.selectFrom("lans").select(["id", "name", "zt_network_id", "ipv4_prefix", "ipv6_prefix", "mtu", "reserved_host_count", "quarantine_days", "description"]).where("id", "=", lanId).executeTakeFirst();
  if (!lan) throw new DomainError(`no peering LAN ${lanId}`);
  if (input.name !== lan.name) {
    const taken = await db.selectFrom("lans").select("id").where("name", "=", input.name).executeTakeFirst();
    if (taken) throw new DomainError(`a LAN named ${input.name} already exists`, { name: ["already taken"] });
  }
  if (input.mtu !== lan.mtu) await configureLanNetwork(provider, lan.zt_network_id, { name: input.name, ipv4Prefix: lan.ipv4_prefix, ipv6Prefix: lan.ipv6_prefix, mtu: input.mtu });
  const before = { name: lan.name, mtu: lan.mtu, reservedHosts: lan.reserved_host_count, quarantineDays: lan.quarantine_days, description: lan.description ?? "" };
  const after = { name: input.name, mtu: input.mtu, reservedHosts: input.reservedHosts, quarantineDays: input.quarantineDays, description: input.description };
  return db.transaction().execute(async (trx) => {
    await trx
      .updateTable("lans")
      .set({ name: input.name, mtu: input.mtu, reserved_host_count: input.reservedHosts, quarantine_days: input.quarantineDays, description: input.description || null })
      .where("id", "=", lan.id)
      .execute();
    if (JSON.stringify(before) !== JSON.stringify(after)) await recordAudit(trx, { actor, action: "lan.updated", subject: { type: "lan", id: lan.id }, before, after });
    // The LAN's name is in every route server's config header.
    if (input.name !== lan.name) await enqueueLanDeployment(trx, lan.id, "LAN renamed");
    return { id: lan.id, name: input.name, mtuChanged: input.mtu !== lan.mtu };
  });
}

/** A LAN's general settings (the LAN page's first form). */
export async function getLanGeneralSettings(db: Db, lanId: number) {
  return db.selectFrom("lans").select(["id", "name", "zt_network_id", "ipv4_prefix", "ipv6_prefix", "mtu", "reserved_host_count", "quarantine_days", "description"]).where("id", "=", lanId).executeTakeFirstOrThrow();
}
