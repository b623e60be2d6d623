import "server-only";
import { z } from "zod";
import type { Db } from "@/db";
import { recordAudit, type Actor } from "./audit";
import { DomainError } from "./errors";
import { parsePrefix } from "./ip";
import { enqueueLanDeployment } from "./connections/service";
import { enqueueIrrRefresh } from "./irr/prefix-lists";
import { checkExistingNetwork, createLanNetwork } from "./zerotier/network-setup";

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
export async function setLanRpkiServers(db: Db, lanRef: string, servers: string[], actor: Actor) {
  const parsed = servers.map((entry) => {
    const match = /^([A-Za-z0-9.-]+|\[[0-9a-fA-F:]+\]):(\d{1,5})$/.exec(entry.trim());
    const port = Number(match?.[2]);
    if (!match || port < 1 || port > 65535) throw new DomainError(`"${entry}" is not host:port (use [addr]:port for IPv6)`);
    return { host: match[1]!.replace(/^\[|\]$/g, ""), port };
  });
  return db.transaction().execute(async (trx) => {
    const lan = await trx.selectFrom("lans").select(["id", "name", "rpki_servers"]).where((eb) => (/^\d+$/.test(lanRef) ? eb("id", "=", Number(lanRef)) : eb("name", "=", lanRef))).executeTakeFirst();
    if (!lan) throw new DomainError(`no peering LAN ${lanRef}`);
    await trx.updateTable("lans").set({ rpki_servers: JSON.stringify(parsed) }).where("id", "=", lan.id).execute();
    await recordAudit(trx, { actor, action: "lan.rpki_changed", subject: { type: "lan", id: lan.id }, before: lan.rpki_servers, after: parsed });
    await enqueueLanDeployment(trx, lan.id, "RPKI validators changed");
    return { name: lan.name, servers: parsed };
  });
}

/** Turns IRR prefix filtering on or off for a LAN's route servers (they redeploy). */
export async function setLanIrrFiltering(db: Db, lanRef: string, enabled: boolean, actor: Actor) {
  return db.transaction().execute(async (trx) => {
    const lan = await trx.selectFrom("lans").select(["id", "name", "irr_filtering"]).where((eb) => (/^\d+$/.test(lanRef) ? eb("id", "=", Number(lanRef)) : eb("name", "=", lanRef))).executeTakeFirst();
    if (!lan) throw new DomainError(`no peering LAN ${lanRef}`);
    if (lan.irr_filtering === enabled) return { name: lan.name, enabled, changed: false };
    await trx.updateTable("lans").set({ irr_filtering: enabled }).where("id", "=", lan.id).execute();
    await recordAudit(trx, { actor, action: "lan.irr_filtering_changed", subject: { type: "lan", id: lan.id }, before: lan.irr_filtering, after: enabled });
    await enqueueLanDeployment(trx, lan.id, `IRR filtering turned ${enabled ? "on" : "off"}`);
    if (enabled) {
      // Every member's lists are fetched now; until its first fetch a member's routes are filtered.
      const members = await trx.selectFrom("connections").select("asn").distinct().where("lan_id", "=", lan.id).where("state", "in", ["provisioned", "active"]).where("route_server_peering", "=", true).execute();
      for (const member of members) await enqueueIrrRefresh(trx, member.asn);
    }
    return { name: lan.name, enabled, changed: true };
  });
}
