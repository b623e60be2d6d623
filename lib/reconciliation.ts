import "server-only";
import { sql } from "kysely";
import { notify } from "@/lib/notifications";
import type { Db } from "@/db";
import { recordAudit } from "./audit";
import { ConflictError } from "./errors";
import { normalizeAddress } from "./addressing/ip";
import { routeServerMember } from "./routeserver/nodes";
import type { MemberInfo, ZeroTierProvider } from "./zerotier";

const actor = { type: "job" as const, label: "reconcile_lan" };

export type ReconcileResult =
  | { status: "skipped"; reason: string }
  | { status: "done"; repaired: string[]; drift: string[] };

const sameAddresses = (a: string[], b: string[]) => [...a].map((x) => normalizeAddress(x) ?? x).sort().join() === [...b].map((x) => normalizeAddress(x) ?? x).sort().join();

/**
 * Desired members (the database: connections and the route servers' own nodes) against actual
 * ones (the controller), for one LAN. Repairs what
 * differs from the database; members authorized on the controller that the database does not know
 * are reported as drift and left alone. Without a complete member list nothing is changed.
 */
export async function reconcileLan(db: Db, provider: ZeroTierProvider, lanId: number): Promise<ReconcileResult> {
  const lan = await db.selectFrom("lans").select(["id", "name", "zt_network_id"]).where("id", "=", lanId).executeTakeFirstOrThrow();
  const readiness = await provider.readiness();
  if (!readiness.ready) return { status: "skipped", reason: `controller not ready: ${readiness.reason}` };
  let actual: MemberInfo[];
  try {
    actual = await provider.listMembers(lan.zt_network_id);
  } catch (error) {
    return { status: "skipped", reason: `the member list could not be read completely, so nothing was changed: ${error instanceof Error ? error.message : String(error)}` };
  }
  const byNode = new Map(actual.map((member) => [member.nodeId, member]));
  const connections = await db
    .selectFrom("connections")
    .select(["id", "asn", "zt_node_id", "state", "ipv4_address", "ipv6_address"])
    .where("lan_id", "=", lanId)
    .where("state", "in", ["approved", "provisioning", "provisioned", "active", "failed", "removing"])
    .execute();
  // Route servers are nodes of the LAN too: known (never drift), and repaired like members.
  const routeServers = await db
    .selectFrom("route_servers")
    .select(["id", "name", "enabled", "zt_node_id", "ipv4_address", "ipv6_address"])
    .where("lan_id", "=", lanId)
    .where("zt_node_id", "is not", null)
    .execute();
  const known = new Set([...connections.map((connection) => connection.zt_node_id), ...routeServers.map((server) => server.zt_node_id!)]);
  const repaired: string[] = [];

  for (const server of routeServers.filter((row) => row.enabled)) {
    const nodeId = server.zt_node_id!;
    const want = routeServerMember(server);
    const have = byNode.get(nodeId);
    const problem = !have ? "missing on the controller" : !have.authorized ? "not authorized" : !sameAddresses(have.ipAssignments, want.ipAssignments) ? `addresses ${have.ipAssignments.join(", ") || "none"}` : null;
    if (!problem) continue;
    await provider.upsertMember(lan.zt_network_id, nodeId, want);
    await db.updateTable("route_servers").set({ zt_authorized: true }).where("id", "=", server.id).execute();
    repaired.push(`${nodeId} (route server ${server.name}: ${problem})`);
    await recordAudit(db, {
      actor,
      action: "route_server.repaired_on_controller",
      subject: { type: "route_server", id: server.id },
      before: have ? { authorized: have.authorized, ipAssignments: have.ipAssignments } : { missing: true },
      after: { authorized: true, ipAssignments: want.ipAssignments },
    });
  }

  for (const connection of connections.filter((row) => row.state === "provisioned" || row.state === "active")) {
    const want = [connection.ipv4_address, connection.ipv6_address].filter((address): address is string => Boolean(address)).map((address) => normalizeAddress(address) ?? address);
    const have = byNode.get(connection.zt_node_id);
    const problem = !have ? "missing on the controller" : !have.authorized ? "not authorized" : !sameAddresses(have.ipAssignments, want) ? `addresses ${have.ipAssignments.join(", ") || "none"}` : null;
    if (!problem) continue;
    await provider.upsertMember(lan.zt_network_id, connection.zt_node_id, { authorized: true, ipAssignments: want, noAutoAssignIps: true, name: `AS${connection.asn}` });
    repaired.push(`${connection.zt_node_id} (${problem})`);
    await recordAudit(db, {
      actor,
      action: "connection.repaired_on_controller",
      subject: { type: "connection", id: connection.id },
      before: have ? { authorized: have.authorized, ipAssignments: have.ipAssignments } : { missing: true },
      after: { authorized: true, ipAssignments: want },
    });
  }

  const unknown = actual.filter((member) => member.authorized && !known.has(member.nodeId));
  for (const member of unknown) {
    const stored = await sql<{ inserted: boolean }>`
      insert into drift_items (lan_id, kind, subject, details)
      values (${lanId}, 'unknown_member', ${member.nodeId}, ${JSON.stringify({ ipAssignments: member.ipAssignments, name: member.name })}::jsonb)
      on conflict (lan_id, kind, subject) where resolved_at is null
      do update set last_seen_at = now(), details = excluded.details
      returning (xmax = 0) as inserted
    `.execute(db);
    // Told once, when first seen (xmax = 0: inserted, not updated).
    if (stored.rows[0]?.inserted) {
      await notify(db, "drift", "operators", {
        subject: `Drift on ${lan.name}: unknown authorized member ${member.nodeId}`,
        text: `The controller has member ${member.nodeId} authorized on ${lan.name} (${lan.zt_network_id}) with ${member.ipAssignments.join(", ") || "no addresses"}, but ztix has no connection for it. Deauthorize it from the dashboard, or find who added it.`,
      });
    }
  }
  // Drift that is gone from the controller is resolved by itself.
  await db
    .updateTable("drift_items")
    .set({ resolved_at: sql<Date>`now()`, resolution: "no longer authorized on the controller" })
    .where("lan_id", "=", lanId)
    .where("kind", "=", "unknown_member")
    .where("resolved_at", "is", null)
    .where("subject", "not in", unknown.length > 0 ? unknown.map((member) => member.nodeId) : [""])
    .execute();
  return { status: "done", repaired, drift: unknown.map((member) => member.nodeId) };
}

/** The operator's one action on drift: deauthorize the unknown member on the controller. */
export async function deauthorizeDrift(db: Db, provider: ZeroTierProvider, driftId: number, by: { type: "user"; id: number; label: string }) {
  const item = await db
    .selectFrom("drift_items")
    .innerJoin("lans", "lans.id", "drift_items.lan_id")
    .select(["drift_items.id", "drift_items.subject", "drift_items.resolved_at", "lans.zt_network_id"])
    .where("drift_items.id", "=", driftId)
    .executeTakeFirst();
  if (!item || item.resolved_at) return false;
  // A route server's node is known, never drift: refuse even if an old item names it.
  const routeServer = await db.selectFrom("route_servers").innerJoin("lans", "lans.id", "route_servers.lan_id").select("route_servers.name").where("lans.zt_network_id", "=", item.zt_network_id).where("route_servers.zt_node_id", "=", item.subject).executeTakeFirst();
  if (routeServer) throw new ConflictError(`node ${item.subject} is route server ${routeServer.name}'s node: ztix keeps it authorized`);
  await provider.deauthorizeMember(item.zt_network_id, item.subject);
  await db.updateTable("drift_items").set({ resolved_at: sql<Date>`now()`, resolution: `deauthorized by ${by.label}` }).where("id", "=", driftId).execute();
  await recordAudit(db, { actor: by, action: "drift.deauthorized", subject: { type: "drift", id: driftId }, after: { nodeId: item.subject } });
  return true;
}
