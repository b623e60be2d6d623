import type { Metadata } from "next";
import { getDb } from "@/db";
import { requirePageUser } from "@/lib/auth/page";
import { normalizeAddress } from "@/lib/addressing/ip";
import { describePolicy } from "@/lib/routeserver/render";
import { DEFAULT_POLICY } from "@/lib/routeserver/types";

export const metadata: Metadata = { title: "Routing policy and communities" };
export const dynamic = "force-dynamic";

export default async function PolicyPage() {
  await requirePageUser("/policy");
  const lans = await getDb()
    .selectFrom("lans")
    .select(["id", "name", "rs_asn", "rpki_servers", "irr_filtering", "blackhole_ipv4", "blackhole_ipv6", "max_prefix_margin_percent", "default_max_prefix4", "default_max_prefix6"])
    .orderBy("name")
    .execute();
  return (
    <div className="space-y-8">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">Routing policy and communities</h1>
        <p className="mt-1 text-sm text-slate-600">What the route servers check on every route you announce, and the communities that steer where your routes go. Generated from the same data as the route servers&apos; configuration.</p>
      </div>
      {lans.map((lan) => {
        const policy = describePolicy({
          lan: {
            id: lan.id,
            name: lan.name,
            rsAsn: lan.rs_asn,
            ipv4Prefix: "",
            ipv6Prefix: "",
            rpkiServers: (lan.rpki_servers as { host: string; port: number }[] | null) ?? [],
            blackholeIpv4: lan.blackhole_ipv4 ? normalizeAddress(lan.blackhole_ipv4) : null,
            blackholeIpv6: lan.blackhole_ipv6 ? normalizeAddress(lan.blackhole_ipv6) : null,
          },
          policy: { ...DEFAULT_POLICY, maxPrefixMarginPercent: lan.max_prefix_margin_percent, defaultMaxPrefix4: lan.default_max_prefix4, defaultMaxPrefix6: lan.default_max_prefix6 },
          irrActive: lan.irr_filtering,
        });
        return (
          <section key={lan.id} className="space-y-4 rounded-lg border border-slate-200 bg-white p-5 shadow-sm">
            <h2 className="text-lg font-semibold">{lan.name} <span className="text-sm font-normal text-slate-500">route servers AS{lan.rs_asn}</span></h2>
            <div>
              <h3 className="text-sm font-medium text-slate-600">Checks on import, in order</h3>
              <ol className="mt-2 list-decimal space-y-1 pl-5 text-sm">{policy.checks.map((check) => <li key={check}>{check}</li>)}</ol>
            </div>
            {lan.irr_filtering ? (
              <p className="text-sm text-slate-700" data-testid="irr-policy">
                IRR prefix lists are built with bgpq4 from your network&apos;s as-set in PeeringDB (an operator may set another one, or your ASN alone; without an as-set, your ASN&apos;s
                own route objects are used), aggregated, once a day and whenever your as-set changes. A prefix not covered by your list is filtered with reason 9. A failed
                or empty fetch keeps the previous list; a network whose list was never fetched, or whose as-set has no route objects, has every route filtered with reason 9
                until route objects exist. Your network&apos;s page shows when each list was fetched.
              </p>
            ) : null}
            <div className="grid gap-6 md:grid-cols-2">
              <div>
                <h3 className="text-sm font-medium text-slate-600">Announcement control</h3>
                <table className="mt-2 w-full text-sm"><tbody className="divide-y divide-slate-100">{policy.announcementControl.map((entry) => <tr key={entry.community}><td className="py-1 pr-3 font-mono text-xs">{entry.community}</td><td className="py-1">{entry.meaning}</td></tr>)}</tbody></table>
              </div>
              <div>
                <h3 className="text-sm font-medium text-slate-600">Why a route was filtered (tagged on the route server)</h3>
                <table className="mt-2 w-full text-sm"><tbody className="divide-y divide-slate-100">{policy.filterReasons.map((entry) => <tr key={entry.community}><td className="py-1 pr-3 font-mono text-xs">{entry.community}</td><td className="py-1">{entry.meaning}</td></tr>)}</tbody></table>
              </div>
            </div>
          </section>
        );
      })}
    </div>
  );
}
