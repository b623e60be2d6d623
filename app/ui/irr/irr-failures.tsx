import Link from "next/link";
import { getDb } from "@/db";
import { irrFailures, irrNeverFetched } from "@/lib/irr/prefix-lists";
import { formatUtc } from "@/lib/utc-time";

/**
 * Dashboard: networks whose last IRR fetch failed (their previous list, if any, is still in use),
 * and live networks never fetched yet: "every fetch succeeded" is only said when both are none.
 */
export async function IrrFailures() {
  const [failures, neverFetched] = await Promise.all([irrFailures(getDb()), irrNeverFetched(getDb())]);
  return (
    <section aria-labelledby="irr-heading">
      <h2 id="irr-heading" className="mb-2 text-lg font-semibold">IRR prefix lists</h2>
      {neverFetched.length > 0 ? (
        <p className="mb-2 text-sm text-slate-700 dark:text-slate-300" data-testid="irr-never-fetched">
          Not fetched yet ({neverFetched.length === 50 ? "50 or more" : neverFetched.length}):{" "}
          {neverFetched.slice(0, 10).map((asn, index) => (
            <span key={asn}>
              {index > 0 ? ", " : ""}
              <Link href={`/networks/${asn}`} className="underline">AS{asn}</Link>
            </span>
          ))}
          {neverFetched.length > 10 ? " and more" : ""}. The next IRR pass fetches them; until then their routes through the route servers are filtered.
        </p>
      ) : null}
      {failures.length === 0 ? (
        neverFetched.length === 0 ? <p className="text-sm text-slate-600">Every network&apos;s last IRR fetch succeeded.</p> : null
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
