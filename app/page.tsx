import type { Metadata } from "next";
import Link from "next/link";
import { requirePageUser } from "@/lib/auth/page";
import { isStaff } from "@/lib/auth/roles";
import { getDb } from "@/db";
import { countPendingRequests } from "@/lib/connections/queries";
import { checkHealth, getHealthPool, type HealthReport } from "@/lib/health";
import { getZeroTierProvider } from "@/lib/zerotier-client";
import { StatusBadge, type Tone } from "./ui/status-badge";

// The root layout's title template does not apply to its own segment.
export const metadata: Metadata = { title: { absolute: "Dashboard · ztix" } };
export const dynamic = "force-dynamic";

function databaseTone(report: HealthReport): Tone {
  return report.database.status === "ok" ? "ok" : "bad";
}

function workerTone(report: HealthReport): Tone {
  return report.worker.status === "ok" ? "ok" : report.worker.status === "stale" ? "bad" : "warn";
}

export default async function DashboardPage() {
  const user = await requirePageUser("/");
  if (!isStaff(user.role)) {
    return (
      <div className="space-y-6">
        <div>
          <h1 className="text-2xl font-semibold tracking-tight">Welcome, {user.displayName ?? user.username}</h1>
          <p className="mt-1 text-sm text-slate-600">Your networks on the exchange.</p>
        </div>
        {user.networks.length === 0 ? (
          <p className="rounded-lg border border-dashed border-slate-300 bg-white p-6 text-sm text-slate-600">
            Your account is not affiliated with any network yet. Affiliations come from PeeringDB: ask your network&apos;s
            PeeringDB administrator to add you, then log in again.
          </p>
        ) : (
          <ul className="grid gap-4 sm:grid-cols-2 lg:grid-cols-3">
            {user.networks.map((network) => (
              <li key={network.asn} className="rounded-lg border border-slate-200 bg-white p-5 shadow-sm">
                <Link href={`/networks/${network.asn}`} className="font-medium text-brand-700 hover:underline">
                  AS{network.asn}
                </Link>
                <p className="mt-1 text-sm text-slate-600">{network.networkName ?? "—"}</p>
              </li>
            ))}
          </ul>
        )}
      </div>
    );
  }

  const [report, pending] = await Promise.all([
    checkHealth(getHealthPool(), { controller: () => getZeroTierProvider().readiness() }),
    countPendingRequests(getDb()),
  ]);
  const cards = [
    {
      title: "Database",
      tone: databaseTone(report),
      status: report.database.status === "ok" ? "Reachable" : "Unreachable",
      detail: report.database.status === "ok" ? `Answered in ${report.database.latencyMs} ms` : report.database.error,
    },
    {
      title: "Job worker",
      tone: workerTone(report),
      status: report.worker.status === "ok" ? `${report.worker.running} running` : report.worker.status === "stale" ? "No heartbeat" : "Not seen yet",
      detail: report.worker.lastSeenAt ? `Last heartbeat ${new Date(report.worker.lastSeenAt).toUTCString()}` : "Start one with npm run worker",
    },
    {
      title: "ZeroTier controller",
      tone: (report.controller?.status === "ok" ? "ok" : "bad") as Tone,
      status: report.controller?.status === "ok" ? "Ready" : "Not ready",
      detail: report.controller?.status === "ok" ? `Node ${report.controller.nodeId}, version ${report.controller.version}` : report.controller?.reason,
    },
  ];

  return (
    <div className="space-y-8">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">Exchange overview</h1>
        <p className="mt-1 text-sm text-slate-600">Health of the portal&apos;s own parts. ztix {report.version}.</p>
      </div>
      {pending > 0 ? (
        <p className="rounded-md bg-amber-50 p-3 text-sm text-amber-900">
          <Link href="/requests" className="font-medium underline">
            {pending} connection request{pending === 1 ? "" : "s"}
          </Link>{" "}
          waiting for a decision.
        </p>
      ) : null}
      <section aria-labelledby="health-heading">
        <h2 id="health-heading" className="sr-only">
          System health
        </h2>
        <ul className="grid gap-4 sm:grid-cols-2 lg:grid-cols-3">
          {cards.map((card) => (
            <li key={card.title} className="rounded-lg border border-slate-200 bg-white p-5 shadow-sm">
              <div className="flex items-center justify-between gap-2">
                <h3 className="text-sm font-medium text-slate-600">{card.title}</h3>
                <StatusBadge tone={card.tone}>{card.status}</StatusBadge>
              </div>
              <p className="mt-3 text-sm text-slate-700">{card.detail}</p>
            </li>
          ))}
        </ul>
      </section>
    </div>
  );
}
