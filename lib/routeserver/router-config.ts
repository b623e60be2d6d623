import "server-only";
import type { Db } from "@/db";
import { getConnection, getConnectionFor } from "@/lib/connections/service";
import { AuthorizationError, ConflictError, NotFoundError } from "@/lib/errors";
import type { SessionUser } from "@/lib/auth/users";
import { normalizeAddress } from "@/lib/addressing/ip";
import { prefixListEntry } from "./escape";
import { routerConfig, type RouterConfigFlavor, type RouterConfigInput } from "./snippet";

/** More than this many prefixes is not a router configuration to paste: the list is cut, and says so. */
export const MAX_PREFILLED_PREFIXES = 50;

/**
 * The network's stored IRR prefix lists (table irr_prefix_lists, kept by the IRR refresh), per
 * family, or null where ztix has none.
 */
async function storedIrrPrefixes(db: Db, asn: number): Promise<Record<4 | 6, string[] | null>> {
  const rows = await db.selectFrom("irr_prefix_lists").select(["family", "prefixes"]).where("asn", "=", asn).where("fetched_at", "is not", null).execute();
  const result: Record<4 | 6, string[] | null> = { 4: null, 6: null };
  for (const row of rows) {
    const family = row.family === 6 ? 6 : 4;
    // Only entries that are prefixes of the family get near a configuration.
    const valid = (Array.isArray(row.prefixes) ? (row.prefixes as unknown[]) : []).filter((entry): entry is string => {
      if (typeof entry !== "string") return false;
      try {
        prefixListEntry(entry, family);
        return true;
      } catch {
        return false;
      }
    });
    result[family] = valid.length > 0 ? valid.slice(0, MAX_PREFILLED_PREFIXES) : null;
  }
  return result;
}

/** A LAN's enabled route servers, in deployment order: the peers of every member's router there. */
export async function enabledRouteServersOf(db: Db, lanId: number) {
  return db.selectFrom("route_servers").select(["name", "ipv4_address", "ipv6_address"]).where("lan_id", "=", lanId).where("enabled", "=", true).orderBy("deploy_order").orderBy("id").execute();
}

/** What of a connection (with its LAN and network) its router configuration is made of: getConnectionFor's row has it. */
export type RouterConfigConnection = {
  asn: number;
  lan_id: number;
  state: string;
  route_server_peering: boolean;
  ipv4_address: string | null;
  ipv6_address: string | null;
  lan_name: string;
  zt_network_id: string;
  rs_asn: number;
  blackhole_ipv4: string | null;
  blackhole_ipv6: string | null;
  network_name: string | null;
};

/** Whether the connection has a router configuration, route servers aside: route-server peering, addresses, not leaving. */
export function configurable(connection: RouterConfigConnection) {
  return connection.route_server_peering && Boolean(connection.ipv4_address || connection.ipv6_address) && !["removed", "removing", "rejected"].includes(connection.state);
}

/**
 * The member's router configuration's input from a connection row and the LAN's enabled route
 * servers (enabledRouteServersOf) already read; the IRR prefix lists are read here. The caller has
 * checked that whoever asks may see the connection. Null when the connection has nothing to
 * configure (no route-server peering, no addresses yet, or no enabled route server).
 */
export async function routerConfigInputFor(db: Db, connection: RouterConfigConnection, servers: { name: string; ipv4_address: string | null; ipv6_address: string | null }[]): Promise<RouterConfigInput | null> {
  if (!configurable(connection) || servers.length === 0) return null;
  const address = (value: string | null) => (value ? normalizeAddress(value) : null);
  const irr = await storedIrrPrefixes(db, connection.asn);
  return {
    asn: connection.asn,
    networkName: connection.network_name,
    lanName: connection.lan_name,
    ztNetworkId: connection.zt_network_id,
    ipv4: address(connection.ipv4_address),
    ipv6: address(connection.ipv6_address),
    rsAsn: connection.rs_asn,
    routeServers: servers.map((server) => ({ name: server.name, ipv4: address(server.ipv4_address), ipv6: address(server.ipv6_address) })),
    // From the network's IRR prefix lists when ztix has them; else the configuration has placeholders.
    prefixes4: irr[4],
    prefixes6: irr[6],
    blackholeIpv4: address(connection.blackhole_ipv4),
    blackholeIpv6: address(connection.blackhole_ipv6),
  };
}

/** A connection's router configuration in one flavor, or a 409-style error when it has nothing to configure yet. */
async function configurationOf(db: Db, connectionId: number, connection: RouterConfigConnection, flavor: RouterConfigFlavor) {
  const input = configurable(connection) ? await routerConfigInputFor(db, connection, await enabledRouteServersOf(db, connection.lan_id)) : null;
  if (input === null) throw new ConflictError(`connection ${connectionId} has no router configuration: it needs route-server peering, assigned addresses and an enabled route server`);
  return routerConfig(input, flavor);
}

/** The member's complete router configuration in one flavor (an API key's read: any connection). */
export async function routerConfigText(db: Db, connectionId: number, flavor: RouterConfigFlavor) {
  return configurationOf(db, connectionId, await getConnection(db, connectionId), flavor);
}

/** For a signed-in user: only connections of its own networks; another's id is "does not exist", like a missing one. */
export async function routerConfigForUser(db: Db, user: SessionUser, connectionId: number, flavor: RouterConfigFlavor) {
  let connection: RouterConfigConnection;
  try {
    connection = await getConnectionFor(db, user, connectionId);
  } catch (error) {
    if (error instanceof AuthorizationError) throw new NotFoundError(`connection ${connectionId} does not exist`);
    throw error;
  }
  return configurationOf(db, connectionId, connection, flavor);
}
