import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { getDb } from "@/db";
import { requirePageAsn } from "@/lib/auth/page";
import { isStaff } from "@/lib/auth/roles";
import { getAffiliatedNetwork } from "@/lib/networks";
import { RefreshNetworkForm } from "./refresh-form";

export const dynamic = "force-dynamic";

export async function generateMetadata(props: { params: Promise<{ asn: string }> }): Promise<Metadata> {
  return { title: `AS${(await props.params).asn}` };
}

export default async function NetworkPage(props: { params: Promise<{ asn: string }> }) {
  const { asn: asnText } = await props.params;
  const asn = Number(asnText);
  if (!/^\d+$/.test(asnText) || asn < 1 || asn > 4294967295) notFound();
  const user = await requirePageAsn(`/networks/${asn}`, asn);
  const network = await getAffiliatedNetwork(getDb(), asn);
  if (!network) notFound();

  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">AS{network.asn}</h1>
        <p className="mt-1 text-sm text-slate-600">{network.name ?? "Name not known yet"}</p>
      </div>
      {isStaff(user.role) ? <RefreshNetworkForm asn={asn} /> : null}
      <dl className="grid gap-4 rounded-lg border border-slate-200 bg-white p-5 text-sm shadow-sm sm:grid-cols-3">
        <div><dt className="text-slate-500">IRR as-set</dt><dd className="font-mono">{network.peeringDb?.irr_as_set ?? "—"}</dd></div>
        <div><dt className="text-slate-500">Max prefixes (PeeringDB) v4 / v6</dt><dd>{network.peeringDb?.info_prefixes4 ?? "—"} / {network.peeringDb?.info_prefixes6 ?? "—"}</dd></div>
        <div>
          <dt className="text-slate-500">PeeringDB data</dt>
          <dd>{network.peeringDb?.known_to_peeringdb === false ? "PeeringDB does not know this ASN" : network.peeringDb?.fetched_at ? `fetched ${new Date(network.peeringDb.fetched_at).toISOString().slice(0, 16).replace("T", " ")} UTC` : "not fetched yet"}</dd>
        </div>
      </dl>
      <section className="rounded-lg border border-slate-200 bg-white p-5 shadow-sm">
        <h2 className="text-sm font-medium text-slate-600">People acting for this network</h2>
        <ul className="mt-3 space-y-1 text-sm">
          {network.people.length === 0 ? <li className="text-slate-500">Nobody yet.</li> : null}
          {network.people.map((person) => (
            <li key={person.username}>
              {person.displayName ?? person.username} <span className="text-slate-500">({person.source})</span>
            </li>
          ))}
        </ul>
      </section>
    </div>
  );
}
