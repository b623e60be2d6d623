import type { Metadata } from "next";
import { getDb } from "@/db";
import { requirePageUser } from "@/lib/auth/page";
import { isStaff } from "@/lib/auth/roles";
import { connectionFiltersOf, connectionListSpec, listConnections } from "@/lib/connections/queries";
import { CONNECTION_STATES } from "@/lib/connections/state";
import { lanChoicesText, parseLanChoices } from "@/lib/lans";
import { offsetOf, parseListParams } from "@/lib/lists/list-params";
import { TRANSITIONAL_STATES } from "@/app/ui/connection-state-badge";
import { ConnectionsView } from "./connections-view";

export const metadata: Metadata = { title: "Connections" };
export const dynamic = "force-dynamic";

export default async function ConnectionsPage(props: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const user = await requirePageUser("/connections");
  const list = parseListParams(connectionListSpec, await props.searchParams);
  // The LAN filter's choices come with the rows: one statement for the page's data.
  const { rows, total, beside } = await listConnections(getDb(), user, connectionFiltersOf(list), { limit: list.size, offset: offsetOf(list) }, list, { lans: lanChoicesText(getDb()) });
  const lans = parseLanChoices(beside.lans);
  return (
    <ConnectionsView
      staff={isStaff(user.role)}
      list={list}
      states={CONNECTION_STATES}
      lans={lans.map((lan) => ({ value: String(lan.id), label: lan.name }))}
      rows={rows.map((row) => [row.id, row.asn, row.network_name, row.lan_name, row.zt_node_id, row.ipv4_address, row.ipv6_address, row.state])}
      total={total}
      refresh={rows.some((row) => TRANSITIONAL_STATES.includes(row.state))}
    />
  );
}
