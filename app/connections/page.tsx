import type { Metadata } from "next";
import Link from "next/link";
import { getDb } from "@/db";
import { requirePageUser } from "@/lib/auth/page";
import { isStaff } from "@/lib/auth/roles";
import { connectionFiltersOf, connectionListSpec, listConnections } from "@/lib/connections/queries";
import { CONNECTION_STATES } from "@/lib/connections/state";
import { listLanChoices } from "@/lib/lans";
import { offsetOf, parseListParams } from "@/lib/lists/list-params";
import { AutoRefresh } from "@/app/ui/auto-refresh";
import { TRANSITIONAL_STATES } from "@/app/ui/connection-state-badge";
import { DataTable } from "@/app/ui/data-table";
import { ConnectionRows } from "./connection-rows";
import { ListSearch, Pager } from "@/app/ui/list-controls";

export const metadata: Metadata = { title: "Connections" };
export const dynamic = "force-dynamic";

export default async function ConnectionsPage(props: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const user = await requirePageUser("/connections");
  const lans = await listLanChoices(getDb());
  const list = parseListParams(connectionListSpec(lans.map((lan) => lan.id)), await props.searchParams);
  const { rows, total } = await listConnections(getDb(), user, connectionFiltersOf(list), { limit: list.size, offset: offsetOf(list) }, list);
  const staff = isStaff(user.role);

  return (
    <div className="space-y-6">
      <AutoRefresh active={rows.some((row) => TRANSITIONAL_STATES.includes(row.state))} />
      <div className="flex flex-wrap items-center justify-between gap-3">
        <h1 className="text-2xl font-semibold tracking-tight">{staff ? "Connections" : "My connections"}</h1>
        <Link href="/connections/new" className="rounded-md bg-brand-600 px-3 py-2 text-sm font-semibold text-white shadow-sm hover:bg-brand-700">
          Request a connection
        </Link>
      </div>
      <ListSearch
        list={list}
        label="Search connections"
        placeholder="ASN, name, node id or address"
        filters={[
          { name: "state", label: "State", options: CONNECTION_STATES },
          { name: "lan", label: "LAN", options: lans.map((lan) => ({ value: String(lan.id), label: lan.name })) },
        ]}
      />
      {rows.length === 0 ? (
        <p className="rounded-lg border border-dashed border-slate-300 bg-white p-6 text-sm text-slate-600">No connections match.</p>
      ) : (
        <DataTable
          list={list}
          columns={[{ label: "#", sort: "id" }, { label: "Network", sort: "asn" }, { label: "LAN", sort: "lan" }, { label: "Router", sort: "node" }, { label: "Addresses", sort: "address" }, { label: "State", sort: "state" }]}
          body={
            <ConnectionRows
              rows={rows.map((row) => ({ id: row.id, asn: row.asn, network_name: row.network_name, lan_name: row.lan_name, zt_node_id: row.zt_node_id, ipv4_address: row.ipv4_address, ipv6_address: row.ipv6_address, state: row.state }))}
            />
          }
        />
      )}
      <Pager list={list} total={total} noun={["connection", "connections"]} />
    </div>
  );
}
