import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { getDb } from "@/db";
import { requirePageAsn } from "@/lib/auth/page";
import { isStaff } from "@/lib/auth/roles";
import { irrStatusOf } from "@/lib/irr/prefix-lists";
import { getAffiliatedNetwork } from "@/lib/networks/queries";
import { formatUtc } from "@/lib/utc-time";
import { AsSetForm, RefreshIrrForm } from "./irr-forms";
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
  const irr = await irrStatusOf(getDb(), asn);
  const override = (await getDb().selectFrom("networks").select("irr_as_set_override").where("asn", "=", asn).executeTakeFirst())?.irr_as_set_override ?? null;

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
          <dd>{network.peeringDb?.known_to_peeringdb === false ? "PeeringDB does not know this ASN" : network.peeringDb?.fetched_at ? `fetched ${formatUtc(network.peeringDb.fetched_at)}` : "not fetched yet"}</dd>
        </div>
      </dl>
      {irr ? (
        <section aria-labelledby="irr-heading" className="space-y-3 rounded-lg border border-slate-200 bg-white p-5 shadow-sm">
          <h2 id="irr-heading" className="text-sm font-medium text-slate-600">IRR prefix lists</h2>
          <p className="text-sm">
            As-set in use: <span className="font-mono">{irr.asSet}</span> <span className="text-slate-500">({irr.asSetOrigin})</span>
          </p>
          {irr.lists.length === 0 ? <p className="text-sm text-slate-500">Not fetched yet. Where IRR filtering is on, this network&apos;s routes are filtered (reason 9) until a list is fetched.</p> : null}
          <ul className="space-y-2 text-sm">
            {irr.lists.map((list) => (
              <li key={list.family} data-testid={`irr-v${list.family}`}>
                <span className="font-medium">IPv{list.family}</span>:{" "}
                {list.fetchedAt ? `${list.count} entries from ${list.asSet} at ${list.server}${list.sources ? ` (${list.sources})` : ""}, fetched ${formatUtc(list.fetchedAt)}` : "no list yet"}
                {list.error ? (
                  <span role="status" className="mt-1 block rounded border border-amber-200 bg-amber-50 p-2 text-amber-900">
                    Last fetch failed {formatUtc(list.attemptedAt)}: {list.error}
                    {list.fetchedAt ? " — the previous list stays in use." : ""}
                  </span>
                ) : null}
              </li>
            ))}
          </ul>
          {isStaff(user.role) ? (
            <div className="space-y-4 border-t border-slate-100 pt-4">
              <RefreshIrrForm asn={asn} />
              <AsSetForm asn={asn} override={override} />
            </div>
          ) : null}
        </section>
      ) : null}
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
