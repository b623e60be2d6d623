import Link from "next/link";
import { getDb } from "@/db";
import { irrFailures } from "@/lib/irr/prefix-lists";
import { formatUtc } from "@/lib/utc-time";


/** Dashboard: networks whose last IRR fetch failed (their previous list, if any, is still in use). */
export async function IrrFailures() {
  const failures = await irrFailures(getDb());
  return (
    <section aria-labelledby="irr-heading">
      <h2 id="irr-heading" className="mb-2 text-lg font-semibold">IRR prefix lists</h2>
      {failures.length === 0 ? (
        <p className="text-sm text-slate-600">Every network&apos;s last IRR fetch succeeded.</p>
      ) : (
        <ul className="space-y-2">
          {failures.map((failure) => (
            <li key={`${failure.asn}-${failure.family}`} className="rounded-lg border border-amber-200 bg-amber-50 p-3 text-sm">
              <Link href={`/networks/${failure.asn}`} className="font-medium underline">AS{failure.asn}</Link> IPv{failure.family}: {failure.error} ({formatUtc(failure.attempted_at)};{" "}
              {failure.fetched_at ? `the list from ${formatUtc(failure.fetched_at)} stays in use` : "no list yet: its routes are filtered where IRR filtering is on"})
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
