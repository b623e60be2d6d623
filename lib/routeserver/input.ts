import "server-only";
import type { Db } from "@/db";
import { NotFoundError } from "@/lib/errors";
import { storedPrefixLists } from "@/lib/irr/prefix-lists";
import { normalizeAddress } from "@/lib/addressing/ip";
import { decryptSecret, secretContexts } from "@/lib/secrets";
import { version } from "@/lib/version";
import { renderBirdConfig } from "./render";
import { DEFAULT_POLICY, type RouteServerRenderInput } from "./types";

/** Builds every enabled route server's render input for a LAN, from the database. */
export async function loadRenderInputs(db: Db, lanId: number) {
  const lan = await db.selectFrom("lans").select(["id", "name", "rs_asn", "ipv4_prefix", "ipv6_prefix", "rpki_servers", "irr_filtering", "blackhole_ipv4", "blackhole_ipv6", "max_prefix_margin_percent", "default_max_prefix4", "default_max_prefix6"]).where("id", "=", lanId).executeTakeFirst();
  if (!lan) throw new Error(`peering LAN ${lanId} does not exist`);
  const servers = await db
    .selectFrom("route_servers")
    .selectAll()
    .where("lan_id", "=", lanId)
    .where("enabled", "=", true)
    .orderBy("deploy_order")
    .orderBy("id")
    .execute();
  const members = await db
    .selectFrom("connections")
    .leftJoin("networks", "networks.asn", "connections.asn")
    .select([
      "connections.id",
      "connections.asn",
      "connections.ipv4_address",
      "connections.ipv6_address",
      "connections.max_prefix4_override",
      "connections.max_prefix6_override",
      "connections.bgp_password",
      "networks.name",
      "networks.irr_as_set",
      "networks.irr_as_set_override",
      "networks.info_prefixes4",
      "networks.info_prefixes6",
    ])
    .where("connections.lan_id", "=", lanId)
    .where("connections.state", "in", ["provisioned", "active"])
    .where("connections.route_server_peering", "=", true)
    .orderBy("connections.id")
    .execute();
  // IRR on: a member's prefixes must be in its last good list; never fetched (or nothing
  // found) is an empty list, so everything is filtered with reason 9, never accepted by default.
  const irrLists = lan.irr_filtering ? await storedPrefixLists(db, [...new Set(members.map((member) => member.asn))]) : null;
  // Decrypted before anything is rendered: a wrong or missing key fails the whole deployment
  // with one clear error, never a config without some members' passwords.
  const bgpPasswords = new Map(members.map((member) => [member.id, member.bgp_password ? decryptSecret(member.bgp_password, secretContexts.bgpPassword(member.id)) : null]));

  return servers.map((server) => {
    const input: RouteServerRenderInput = {
      generatedBy: `ztix ${version}`,
      lan: {
        id: lan.id,
        name: lan.name,
        rsAsn: lan.rs_asn,
        ipv4Prefix: lan.ipv4_prefix,
        ipv6Prefix: lan.ipv6_prefix,
        rpkiServers: (lan.rpki_servers as { host: string; port: number }[] | null) ?? [],
        blackholeIpv4: lan.blackhole_ipv4 ? normalizeAddress(lan.blackhole_ipv4) : null,
        blackholeIpv6: lan.blackhole_ipv6 ? normalizeAddress(lan.blackhole_ipv6) : null,
      },
      routeServer: {
        id: server.id,
        name: server.name,
        routerId: normalizeAddress(server.router_id)!,
        ipv4Address: server.ipv4_address ? normalizeAddress(server.ipv4_address) : null,
        ipv6Address: server.ipv6_address ? normalizeAddress(server.ipv6_address) : null,
        localIncludeDir: null,
        drained: server.drained,
      },
      policy: { ...DEFAULT_POLICY, maxPrefixMarginPercent: lan.max_prefix_margin_percent, defaultMaxPrefix4: lan.default_max_prefix4, defaultMaxPrefix6: lan.default_max_prefix6 },
      members: members.map((member) => ({
        connectionId: member.id,
        asn: member.asn,
        name: member.name,
        irrAsSet: member.irr_as_set_override ?? member.irr_as_set,
        ipv4Address: member.ipv4_address ? normalizeAddress(member.ipv4_address) : null,
        ipv6Address: member.ipv6_address ? normalizeAddress(member.ipv6_address) : null,
        maxPrefix4: member.info_prefixes4,
        maxPrefix6: member.info_prefixes6,
        maxPrefixOverride4: member.max_prefix4_override,
        maxPrefixOverride6: member.max_prefix6_override,
        irrPrefixes4: irrLists ? (irrLists.get(member.asn)?.[4] ?? []) : null,
        irrPrefixes6: irrLists ? (irrLists.get(member.asn)?.[6] ?? []) : null,
        bgpPassword: bgpPasswords.get(member.id) ?? null,
      })),
    };
    return { server, input };
  });
}

/** The config a route server would get now (rendered from the database, not what is deployed). */
export async function renderCurrentConfig(db: Db, routeServerId: number) {
  const server = await db.selectFrom("route_servers").select(["lan_id"]).where("id", "=", routeServerId).executeTakeFirst();
  if (!server) throw new NotFoundError(`route server ${routeServerId} does not exist`);
  const target = (await loadRenderInputs(db, server.lan_id)).find((entry) => entry.server.id === routeServerId);
  if (!target) throw new NotFoundError(`route server ${routeServerId} is disabled`);
  return renderBirdConfig(target.input);
}
