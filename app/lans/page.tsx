import type { Metadata } from "next";
import Link from "next/link";
import { getDb } from "@/db";
import { requirePageUser } from "@/lib/auth/page";
import { listLans } from "@/lib/lans";
import { DataTable } from "@/app/ui/data-table";
import { CreateLanForm } from "./lan-forms";

export const metadata: Metadata = { title: "Peering LANs" };
export const dynamic = "force-dynamic";

export default async function LansPage() {
  await requirePageUser("/lans", ["admin", "operator"]);
  const lans = await listLans(getDb());
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">Peering LANs</h1>
        <p className="mt-1 text-sm text-slate-600">Create one below, or on the server: <code className="font-mono text-xs break-all">npm run cli -- lans create --name N --ipv4 P --ipv6 P --rs-asn A --create-network</code></p>
      </div>
      <CreateLanForm />
      <DataTable columns={["Name", "ZeroTier network", "Prefixes", "RS ASN", "IPv6 scheme", "Live connections"]}>
            {lans.map((lan) => (
              <tr key={lan.id}>
                <td className="px-4 py-2 font-medium"><Link href={`/lans/${lan.id}`} className="text-brand-700 hover:underline">{lan.name}</Link></td>
                <td className="px-4 py-2 font-mono text-xs">{lan.zt_network_id}</td>
                <td className="px-4 py-2 font-mono text-xs">{lan.ipv4_prefix}<br />{lan.ipv6_prefix}</td>
                <td className="px-4 py-2">AS{lan.rs_asn}</td>
                <td className="px-4 py-2">{lan.ipv6_scheme}</td>
                <td className="px-4 py-2">{Number(lan.live_connections ?? 0)}</td>
              </tr>
            ))}
      </DataTable>
    </div>
  );
}
