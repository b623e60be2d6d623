import type { Metadata } from "next";
import Link from "next/link";
import { getDb } from "@/db";
import { requirePageUser } from "@/lib/auth/page";
import { isStaff } from "@/lib/auth/roles";
import { listConnections, parseConnectionFilters } from "@/lib/connections/queries";
import { CONNECTION_STATES } from "@/lib/connections/state";
import { listLans } from "@/lib/lans";
import { AutoRefresh } from "@/app/ui/auto-refresh";
import { ConnectionStateBadge, TRANSITIONAL_STATES } from "@/app/ui/connection-state-badge";
import { DataTable } from "@/app/ui/data-table";

export const metadata: Metadata = { title: "Connections" };
export const dynamic = "force-dynamic";

const PAGE_SIZE = 50;

export default async function ConnectionsPage(props: { searchParams: Promise<Record<string, string | undefined>> }) {
  const user = await requirePageUser("/connections");
  const searchParams = await props.searchParams;
  const filters = parseConnectionFilters(searchParams);
  const page = Math.max(1, Number(searchParams.page) || 1);
  const [{ rows, total }, lans] = await Promise.all([
    listConnections(getDb(), user, filters, { limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE }),
    listLans(getDb()),
  ]);
  const staff = isStaff(user.role);
  const pageLink = (target: number) => `?${new URLSearchParams({ ...Object.fromEntries(Object.entries(searchParams).filter(([, v]) => v)) as Record<string, string>, page: String(target) })}`;

  return (
    <div className="space-y-6">
      <AutoRefresh active={rows.some((row) => TRANSITIONAL_STATES.includes(row.state))} />
      <div className="flex flex-wrap items-center justify-between gap-3">
        <h1 className="text-2xl font-semibold tracking-tight">{staff ? "Connections" : "My connections"}</h1>
        <Link href="/connections/new" className="rounded-md bg-brand-600 px-3 py-2 text-sm font-semibold text-white shadow-sm hover:bg-brand-700">
          Request a connection
        </Link>
      </div>
      <form className="flex flex-wrap items-end gap-3" role="search" aria-label="Filter connections">
        <div>
          <label htmlFor="state" className="block text-xs font-medium text-slate-600">State</label>
          <select id="state" name="state" defaultValue={filters.state ?? ""} className="mt-1 rounded-md border border-slate-300 px-2 py-1.5 text-sm">
            <option value="">any</option>
            {CONNECTION_STATES.map((state) => <option key={state} value={state}>{state}</option>)}
          </select>
        </div>
        <div>
          <label htmlFor="asn" className="block text-xs font-medium text-slate-600">ASN</label>
          <input id="asn" name="asn" defaultValue={filters.asn ?? ""} placeholder="64500" className="mt-1 w-28 rounded-md border border-slate-300 px-2 py-1.5 text-sm" />
        </div>
        <div>
          <label htmlFor="lan" className="block text-xs font-medium text-slate-600">LAN</label>
          <select id="lan" name="lan" defaultValue={filters.lanId ?? ""} className="mt-1 rounded-md border border-slate-300 px-2 py-1.5 text-sm">
            <option value="">any</option>
            {lans.map((lan) => <option key={lan.id} value={lan.id}>{lan.name}</option>)}
          </select>
        </div>
        <button type="submit" className="rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium hover:bg-slate-50">Filter</button>
      </form>
      {rows.length === 0 ? (
        <p className="rounded-lg border border-dashed border-slate-300 bg-white p-6 text-sm text-slate-600">No connections match.</p>
      ) : (
        <DataTable columns={["#", "Network", "LAN", "Router", "Addresses", "State"]}>
              {rows.map((row) => (
                <tr key={row.id} data-connection-id={row.id}>
                  <td className="px-4 py-2"><Link className="text-brand-700 hover:underline" href={`/connections/${row.id}`}>{row.id}</Link></td>
                  <td className="px-4 py-2">AS{row.asn} <span className="text-slate-500">{row.network_name ?? ""}</span></td>
                  <td className="px-4 py-2">{row.lan_name}</td>
                  <td className="px-4 py-2 font-mono text-xs">{row.zt_node_id}</td>
                  <td className="px-4 py-2 font-mono text-xs">{row.ipv4_address ? <>{row.ipv4_address}<br />{row.ipv6_address}</> : "—"}</td>
                  <td className="px-4 py-2"><ConnectionStateBadge state={row.state} /></td>
                </tr>
              ))}
        </DataTable>
      )}
      <nav aria-label="Pages" className="flex items-center gap-4 text-sm text-slate-600">
        <span>{total} connection{total === 1 ? "" : "s"}</span>
        {page > 1 ? <a className="text-brand-700 hover:underline" href={pageLink(page - 1)}>Previous</a> : null}
        {page * PAGE_SIZE < total ? <a className="text-brand-700 hover:underline" href={pageLink(page + 1)}>Next</a> : null}
      </nav>
    </div>
  );
}
