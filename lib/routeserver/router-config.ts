import "server-only";
import type { Db } from "@/db";
import { getConnectionFor } from "@/lib/connections/service";
import { AuthorizationError, ConflictError, NotFoundError } from "@/lib/errors";
import type { SessionUser } from "@/lib/users";
import { normalizeAddress } from "@/lib/ip";
import { routerConfig, type RouterConfigFlavor, type RouterConfigInput } from "./snippet";

/**
 * What the member's router configuration is made of, from the database. The caller has checked
 * that whoever asks may see the connection. Null when the connection has nothing to configure
 * (no route-server peering, no addresses yet, or no enabled route server).
 */
export async function routerConfigInput(db: Db, connectionId: number): Promise<RouterConfigInput | null> {
  const connection = await db
    .selectFrom("connections")
    .innerJoin("lans", "lans.id", "connections.lan_id")
    .leftJoin("networks", "networks.asn", "connections.asn")
    .select(["connections.asn", "connections.lan_id", "connections.state", "connections.route_server_peering", "connections.ipv4_address", "connections.ipv6_address", "lans.name as lan_name", "lans.zt_network_id", "lans.rs_asn", "networks.name as network_name"])
    .where("connections.id", "=", connectionId)
    .executeTakeFirst();
  if (!connection) throw new NotFoundError(`connection ${connectionId} does not exist`);
  if (!connection.route_server_peering || (!connection.ipv4_address && !connection.ipv6_address) || ["removed", "removing", "rejected"].includes(connection.state)) return null;
  const servers = await db.selectFrom("route_servers").select(["name", "ipv4_address", "ipv6_address"]).where("lan_id", "=", connection.lan_id).where("enabled", "=", true).orderBy("deploy_order").orderBy("id").execute();
  if (servers.length === 0) return null;
  const address = (value: string | null) => (value ? normalizeAddress(value) : null);
  return {
    asn: connection.asn,
    networkName: connection.network_name,
    lanName: connection.lan_name,
    ztNetworkId: connection.zt_network_id,
    ipv4: address(connection.ipv4_address),
    ipv6: address(connection.ipv6_address),
    rsAsn: connection.rs_asn,
    routeServers: servers.map((server) => ({ name: server.name, ipv4: address(server.ipv4_address), ipv6: address(server.ipv6_address) })),
    // IRR prefix lists are not stored by ztix yet: the configuration carries placeholders instead.
    prefixes4: null,
    prefixes6: null,
  };
}

/** The member's complete router configuration in one flavor, or null (see routerConfigInput). */
export async function renderRouterConfig(db: Db, connectionId: number, flavor: RouterConfigFlavor) {
  const input = await routerConfigInput(db, connectionId);
  return input ? routerConfig(input, flavor) : null;
}

/** The configuration text, or a 409-style error when the connection has nothing to configure yet. */
export async function routerConfigText(db: Db, connectionId: number, flavor: RouterConfigFlavor) {
  const config = await renderRouterConfig(db, connectionId, flavor);
  if (config === null) throw new ConflictError(`connection ${connectionId} has no router configuration: it needs route-server peering, assigned addresses and an enabled route server`);
  return config;
}

/** For a signed-in user: only connections of its own networks; another's id is "does not exist", like a missing one. */
export async function routerConfigForUser(db: Db, user: SessionUser, connectionId: number, flavor: RouterConfigFlavor) {
  try {
    await getConnectionFor(db, user, connectionId);
  } catch (error) {
    if (error instanceof AuthorizationError) throw new NotFoundError(`connection ${connectionId} does not exist`);
    throw error;
  }
  return routerConfigText(db, connectionId, flavor);
}
