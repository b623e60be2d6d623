import type { Metadata } from "next";
import Link from "next/link";
import { getDb } from "@/db";
import { requirePageUser } from "@/lib/auth/page";
import { isStaff } from "@/lib/auth/roles";
import { listNetworks, networkListSpec, pageNetworks } from "@/lib/networks/queries";
import { parseListParams } from "@/lib/lists/list-params";
import { DataTable } from "@/app/ui/data-table";
import { ListSearch, Pager } from "@/app/ui/list-controls";

export const metadata: Metadata = { title: "Networks" };
export const dynamic = "force-dynamic";

export default async function NetworksPage(props: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const user = await requirePageUser("/networks");
  const staff = isStaff(user.role);
  const list = parseListParams(networkListSpec, await props.searchParams);
  const mine = new Set(user.networks.map((network) => network.asn));
  // Members see their own networks, with what PeeringDB says of them once it has been asked.
  const known = staff ? [] : await listNetworks(getDb());
  const { rows, total } = staff
    ? await pageNetworks(getDb(), list)
    : { rows: user.networks.map((network) => known.find((row) => row.asn === network.asn) ?? { asn: network.asn, name: network.networkName, irr_as_set: null, info_prefixes4: null, info_prefixes6: null, known_to_peeringdb: null, fetched_at: null, live_connections: 0 }), total: user.networks.length };

  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">{staff ? "Networks" : "My networks"}</h1>
        <p className="mt-1 text-sm text-slate-600">Names, IRR as-sets and prefix counts come from PeeringDB and are refreshed by the worker.</p>
      </div>
      {staff ? (
        <ListSearch
          list={list}
          label="Search networks"
          placeholder="ASN, name or as-set"
          filters={[
            { name: "peeringdb", label: "PeeringDB", options: [{ value: "known", label: "known" }, { value: "unknown", label: "unknown" }, { value: "not-fetched", label: "not fetched yet" }] },
            { name: "live", label: "Live connections", options: [{ value: "yes", label: "some" }, { value: "no", label: "none" }] },
          ]}
        />
      ) : null}
      {rows.length === 0 ? (
        <p className="text-sm text-slate-600">{list.q || Object.keys(list.filters).length > 0 ? "No networks match." : "No networks yet."}</p>
      ) : (
        <DataTable
          list={staff ? list : undefined}
          columns={[{ label: "ASN", sort: "asn" }, { label: "Name", sort: "name" }, { label: "IRR as-set", sort: "as_set" }, { label: "Prefixes v4 / v6", sort: "prefixes4" }, { label: "Live connections", sort: "live" }, { label: "PeeringDB", sort: "fetched" }]}
        >
              {rows.map((network) => (
                <tr key={network.asn}>
                  <td className="px-4 py-2 font-mono">
                    {staff || mine.has(network.asn) ? (
                      <Link href={`/networks/${network.asn}`} className="text-brand-700 hover:underline">AS{network.asn}</Link>
                    ) : (
                      `AS${network.asn}`
                    )}
                  </td>
                  <td className="px-4 py-2">{network.name ?? "—"}</td>
                  <td className="px-4 py-2 font-mono text-xs">{network.irr_as_set ?? "—"}</td>
                  <td className="px-4 py-2">{network.info_prefixes4 ?? "—"} / {network.info_prefixes6 ?? "—"}</td>
                  <td className="px-4 py-2">{Number(network.live_connections ?? 0)}</td>
                  <td className="px-4 py-2 text-xs text-slate-500">
                    {network.known_to_peeringdb === false ? "unknown to PeeringDB" : network.fetched_at ? `fetched ${new Date(network.fetched_at).toISOString().slice(0, 10)}` : "not fetched yet"}
                  </td>
                </tr>
              ))}
        </DataTable>
      )}
      {staff ? <Pager list={list} total={total} noun={["network", "networks"]} /> : null}
    </div>
  );
}
