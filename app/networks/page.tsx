import type { Metadata } from "next";
import Link from "next/link";
import { getDb } from "@/db";
import { requirePageUser } from "@/lib/auth/page";
import { isStaff } from "@/lib/auth/roles";
import { listAffiliatedNetworks } from "@/lib/networks";

export const metadata: Metadata = { title: "Networks" };
export const dynamic = "force-dynamic";

export default async function NetworksPage() {
  const user = await requirePageUser("/networks");
  const networks = isStaff(user.role)
    ? await listAffiliatedNetworks(getDb())
    : user.networks.map((network) => ({ asn: network.asn, name: network.networkName, members: 1 }));

  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-semibold tracking-tight">{isStaff(user.role) ? "Networks" : "My networks"}</h1>
      {networks.length === 0 ? (
        <p className="text-sm text-slate-600">No networks yet.</p>
      ) : (
        <table className="w-full overflow-hidden rounded-lg border border-slate-200 bg-white text-sm shadow-sm">
          <thead className="bg-slate-50 text-left text-xs uppercase tracking-wide text-slate-500">
            <tr>
              <th scope="col" className="px-4 py-2">ASN</th>
              <th scope="col" className="px-4 py-2">Name</th>
              {isStaff(user.role) ? <th scope="col" className="px-4 py-2">People</th> : null}
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {networks.map((network) => (
              <tr key={network.asn}>
                <td className="px-4 py-2 font-mono">
                  <Link href={`/networks/${network.asn}`} className="text-brand-700 hover:underline">
                    AS{network.asn}
                  </Link>
                </td>
                <td className="px-4 py-2">{network.name ?? "—"}</td>
                {isStaff(user.role) ? <td className="px-4 py-2">{network.members}</td> : null}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
