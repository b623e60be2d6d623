import type { Metadata } from "next";
import Link from "next/link";
import { getDb } from "@/db";
import { requirePageUser } from "@/lib/auth/page";
import { isStaff } from "@/lib/auth/roles";
import { listNetworks } from "@/lib/networks";
import { DataTable } from "@/app/ui/data-table";

export const metadata: Metadata = { title: "Networks" };
export const dynamic = "force-dynamic";

export default async function NetworksPage() {
  const user = await requirePageUser("/networks");
  const staff = isStaff(user.role);
  const known = await listNetworks(getDb());
  const mine = new Set(user.networks.map((network) => network.asn));
  // Members see their own networks, with what PeeringDB says of them once it has been asked.
  const rows = staff
    ? known
    : user.networks.map((network) => known.find((row) => row.asn === network.asn) ?? { asn: network.asn, name: network.networkName, irr_as_set: null, info_prefixes4: null, info_prefixes6: null, known_to_peeringdb: null, fetched_at: null, live_connections: 0 });

  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">{staff ? "Networks" : "My networks"}</h1>
        <p className="mt-1 text-sm text-slate-600">Names, IRR as-sets and prefix counts come from PeeringDB and are refreshed by the worker.</p>
      </div>
      {rows.length === 0 ? (
        <p className="text-sm text-slate-600">No networks yet.</p>
      ) : (
        <DataTable columns={["ASN", "Name", "IRR as-set", "Prefixes v4 / v6", "Live connections", "PeeringDB"]}>
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
    </div>
  );
}
