import "server-only";
import type { Db } from "@/db";
import { recordAudit } from "@/lib/audit";
import type { Attempt, MemberProvisioner } from "@/lib/connections/provisioning";
import { normalizeAddress } from "@/lib/addressing/ip";

const actor = { type: "job" as const, label: "sync_route_server_node" };

/** The controller member a route server should be: authorized with exactly its LAN addresses. */
export function routeServerMember(server: { name: string; ipv4_address: string | null; ipv6_address: string | null }) {
  const ipAssignments = [server.ipv4_address, server.ipv6_address].filter((address): address is string => Boolean(address)).map((address) => normalizeAddress(address) ?? address);
  return { authorized: true, ipAssignments, noAutoAssignIps: true, name: `route server ${server.name}` };
}

/**
 * Puts a route server's node on the controller in line with the database, through the same
 * fail-closed path as members: no readiness, no change (the job retries with backoff). An enabled
 * route server's node is authorized with its addresses; a disabled one's is deauthorized (the
 * deploy job asks for that only after the LAN's config without it is live). `retireNodeId` is a
 * node the route server no longer uses: it is deauthorized.
 */
export async function syncRouteServerNode(db: Db, provider: MemberProvisioner, routeServerId: number, attempt: Attempt, retireNodeId?: string) {
  const server = await db
    .selectFrom("route_servers")
    .innerJoin("lans", "lans.id", "route_servers.lan_id")
    .select(["route_servers.id", "route_servers.name", "route_servers.enabled", "route_servers.zt_node_id", "route_servers.zt_authorized", "route_servers.ipv4_address", "route_servers.ipv6_address", "lans.zt_network_id"])
    .where("route_servers.id", "=", routeServerId)
    .executeTakeFirst();
  if (!server) return "missing" as const;
  const nodeId = retireNodeId ?? server.zt_node_id;
  if (!nodeId) return "no node" as const;
  // A retired node that became the route server's node again stays.
  if (retireNodeId && retireNodeId === server.zt_node_id) return "skipped" as const;
  const authorize = !retireNodeId && server.enabled;

  const readiness = await provider.readiness();
  if (!readiness.ready) throw new Error(`ZeroTier controller not ready: ${readiness.reason} (attempt ${attempt.number} of ${attempt.max})`);
  const member = routeServerMember(server);
  try {
    if (authorize) await provider.upsertMember(server.zt_network_id, nodeId, member);
    else await provider.deauthorizeMember(server.zt_network_id, nodeId);
  } catch (error) {
    // Thrown: the job retries with backoff, a bounded number of times, then shows as failed with this.
    throw new Error(`route server ${server.name}, node ${nodeId}: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (!retireNodeId) {
    await db.updateTable("route_servers").set({ zt_authorized: authorize }).where("id", "=", server.id).where("zt_node_id", "=", nodeId).execute();
  }
  await recordAudit(db, {
    actor,
    action: authorize ? "route_server.node_authorized" : "route_server.node_deauthorized",
    subject: { type: "route_server", id: server.id },
    after: { nodeId, ...(authorize ? { ipAssignments: member.ipAssignments } : {}) },
  });
  return authorize ? ("authorized" as const) : ("deauthorized" as const);
}

/** After a LAN deployment: disabled route servers whose node is still authorized get deauthorized. */
export async function routeServersToDeauthorize(db: Db, lanId: number) {
  const rows = await db
    .selectFrom("route_servers")
    .select("id")
    .where("lan_id", "=", lanId)
    .where("enabled", "=", false)
    .where("zt_node_id", "is not", null)
    .where("zt_authorized", "=", true)
    .execute();
  return rows.map((row) => row.id);
}

