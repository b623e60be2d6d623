import "server-only";
import type { Db } from "@/db";
import { joinCommands } from "@/lib/router-state/describe";
import { notify } from "./index";

type ConnectionEvent = "request_received" | "request_approved" | "request_rejected" | "connection_provisioned" | "job_failed";

/**
 * The mail for a connection's event, to its network's users (and, for a new request or a failed
 * job, to the operators), queued on the caller's transaction.
 */
export async function notifyConnectionEvent(db: Db, event: ConnectionEvent, connectionId: number) {
  const connection = await db
    .selectFrom("connections")
    .innerJoin("lans", "lans.id", "connections.lan_id")
    .leftJoin("networks", "networks.asn", "connections.asn")
    .select(["connections.id", "connections.asn", "connections.zt_node_id", "connections.ipv4_address", "connections.ipv6_address", "connections.reason", "connections.failed_operation", "lans.name as lan_name", "lans.zt_network_id", "networks.name as network_name"])
    .where("connections.id", "=", connectionId)
    .executeTakeFirst();
  if (!connection) return;
  const network = `AS${connection.asn}${connection.network_name ? ` (${connection.network_name})` : ""}`;
  const subject = `connection ${connection.id}: ${network} on ${connection.lan_name}`;
  const addresses = `IPv4 ${connection.ipv4_address ?? "none"}\nIPv6 ${connection.ipv6_address ?? "none"}`;
  const join = joinCommands(connection.zt_network_id).map((command) => `  ${command}`).join("\n");
  const member = { asn: connection.asn };
  switch (event) {
    case "request_received":
      await notify(db, "request_received", member, {
        subject: `Request received: ${subject}`,
        text: `We received the request to connect router ${connection.zt_node_id} of ${network} to ${connection.lan_name}. An operator decides on it; you will hear from us.\n\nIf the router has not joined the network yet, run on it (as root):\n${join}`,
      });
      await notify(db, "new_request", "operators", {
        subject: `New request: ${subject}`,
        text: `${network} asks to connect router ${connection.zt_node_id} to ${connection.lan_name}. Decide on the Requests page (connection ${connection.id}).`,
      });
      return;
    case "request_approved":
      await notify(db, "request_approved", member, {
        subject: `Approved: ${subject}`,
        text: `The request to connect router ${connection.zt_node_id} to ${connection.lan_name} is approved. Your addresses on the peering LAN:\n${addresses}\n\nThe router is being authorized on the ZeroTier network now. If it has not joined yet, run on it (as root):\n${join}`,
      });
      return;
    case "request_rejected":
      await notify(db, "request_rejected", member, {
        subject: `Rejected: ${subject}`,
        text: `The request to connect router ${connection.zt_node_id} to ${connection.lan_name} was rejected.\n\nReason: ${connection.reason ?? "(none given)"}`,
      });
      return;
    case "connection_provisioned":
      await notify(db, "connection_provisioned", member, {
        subject: `Connected: ${subject}`,
        text: `Router ${connection.zt_node_id} is authorized on ${connection.lan_name} with these addresses:\n${addresses}\n\nMake sure it has joined with allowGlobal=1 (as root):\n${join}\n\nThe connection page has the BGP configuration for the route servers.`,
      });
      return;
    case "job_failed":
      await notify(db, "job_failed", "operators", {
        subject: `Failed: ${connection.failed_operation === "remove" ? "removing" : "provisioning"} ${subject}`,
        text: `${connection.failed_operation === "remove" ? "Removing" : "Provisioning"} connection ${connection.id} (router ${connection.zt_node_id}) failed:\n\n${connection.reason ?? "(no reason recorded)"}\n\nRetry it on the connection page once the cause is fixed.`,
      });
      return;
  }
}
