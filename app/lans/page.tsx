import type { Metadata } from "next";
import { getDb } from "@/db";
import { requirePageUser } from "@/lib/auth/page";
import { listLans } from "@/lib/lans";

export const metadata: Metadata = { title: "Peering LANs" };
export const dynamic = "force-dynamic";

export default async function LansPage() {
  await requirePageUser("/lans", ["admin", "operator"]);
  const lans = await listLans(getDb());
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">Peering LANs</h1>
        <p className="mt-1 text-sm text-slate-600">Created on the server: <code className="font-mono text-xs">npm run cli -- lans create --name N --ipv4 P --ipv6 P --rs-asn A --create-network</code></p>
      </div>
      <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white shadow-sm">
        <table className="w-full text-sm">
          <thead className="bg-slate-50 text-left text-xs uppercase tracking-wide text-slate-500">
            <tr>
              <th scope="col" className="px-4 py-2">Name</th>
              <th scope="col" className="px-4 py-2">ZeroTier network</th>
              <th scope="col" className="px-4 py-2">Prefixes</th>
              <th scope="col" className="px-4 py-2">RS ASN</th>
              <th scope="col" className="px-4 py-2">IPv6 scheme</th>
              <th scope="col" className="px-4 py-2">Live connections</th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {lans.map((lan) => (
              <tr key={lan.id}>
                <td className="px-4 py-2 font-medium">{lan.name}</td>
                <td className="px-4 py-2 font-mono text-xs">{lan.zt_network_id}</td>
                <td className="px-4 py-2 font-mono text-xs">{lan.ipv4_prefix}<br />{lan.ipv6_prefix}</td>
                <td className="px-4 py-2">AS{lan.rs_asn}</td>
                <td className="px-4 py-2">{lan.ipv6_scheme}</td>
                <td className="px-4 py-2">{Number(lan.live_connections ?? 0)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
