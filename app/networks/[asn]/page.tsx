import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { getDb } from "@/db";
import { requirePageAsn } from "@/lib/auth/page";
import { getAffiliatedNetwork } from "@/lib/networks";

export const dynamic = "force-dynamic";

export async function generateMetadata(props: { params: Promise<{ asn: string }> }): Promise<Metadata> {
  return { title: `AS${(await props.params).asn}` };
}

export default async function NetworkPage(props: { params: Promise<{ asn: string }> }) {
  const { asn: asnText } = await props.params;
  const asn = Number(asnText);
  if (!/^\d+$/.test(asnText) || asn < 1 || asn > 4294967295) notFound();
  await requirePageAsn(`/networks/${asn}`, asn);
  const network = await getAffiliatedNetwork(getDb(), asn);
  if (!network) notFound();

  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">AS{network.asn}</h1>
        <p className="mt-1 text-sm text-slate-600">{network.name ?? "Name not known yet"}</p>
      </div>
      <section className="rounded-lg border border-slate-200 bg-white p-5 shadow-sm">
        <h2 className="text-sm font-medium text-slate-600">People acting for this network</h2>
        <ul className="mt-3 space-y-1 text-sm">
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
