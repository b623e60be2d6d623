import type { Metadata } from "next";
import Link from "next/link";
import { requirePageUser } from "@/lib/auth/page";
import { isStaff } from "@/lib/auth/roles";
import { getDb } from "@/db";
import { memberReason } from "@/lib/connections/member-reason";
import { countPendingRequests } from "@/lib/connections/queries";
import { checkHealth, getHealthPool, type HealthReport } from "@/lib/health";
import { dashboardData, memberOverview } from "@/lib/dashboard";
import { rtrHealthy, type RtrState } from "@/lib/routeserver/rtr-state";
import { getZeroTierProvider } from "@/lib/zerotier/client";
import { formatUtc } from "@/lib/utc-time";
import { RouteServerReadProblem } from "./route-servers/route-server-state";
import { DeauthorizeDriftForm } from "./ui/drift-form";
import { IrrFailures } from "./ui/irr/irr-failures";
import { ConnectionStateBadge } from "./ui/connection-state-badge";
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
    const connections = await memberOverview(getDb(), user.networks.map((network) => network.asn));
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
        <section aria-labelledby="my-connections-heading" className="space-y-3">
          <div className="flex flex-wrap items-center justify-between gap-3">
            <h2 id="my-connections-heading" className="text-lg font-semibold">Your connections</h2>
            {user.networks.length > 0 ? (
              <Link href="/connections/new" className="rounded-md bg-brand-600 px-3 py-2 text-sm font-semibold text-white shadow-sm hover:bg-brand-700">Request a connection</Link>
            ) : null}
          </div>
          {connections.length === 0 ? (
            <p className="text-sm text-slate-600">No connections yet.</p>
          ) : (
            <ul className="grid gap-4 sm:grid-cols-2" data-testid="member-connections">
              {connections.map((connection) => {
                const sessions = Number(connection.sessions ?? 0);
                const established = Number(connection.established ?? 0);
                const unreadable = Number(connection.unreadable ?? 0);
                return (
                  <li key={connection.id} className="rounded-lg border border-slate-200 bg-white p-5 shadow-sm">
                    <div className="flex items-center justify-between gap-2">
                      <Link href={`/connections/${connection.id}`} className="font-medium text-brand-700 hover:underline">AS{connection.asn} on {connection.lan}</Link>
                      <ConnectionStateBadge state={connection.state} />
                    </div>
                    <p className="mt-2 font-mono text-xs text-slate-700">{connection.ipv4_address ?? "addresses on approval"}{connection.ipv6_address ? ` · ${connection.ipv6_address}` : ""}</p>
                    <p className="mt-1 text-sm text-slate-600">{sessions === 0 ? "No route-server sessions yet" : `${established} of ${sessions} route-server sessions Established`}</p>
                    {unreadable > 0 ? (
                      <p className="mt-1 text-xs text-amber-800">
                        {unreadable === sessions ? "As last read:" : `${unreadable} of them as last read:`} a route server cannot be read at the moment, so the exchange cannot tell their state now.
                      </p>
                    ) : null}
                    {memberReason(connection, false) ? <p className="mt-1 text-xs text-amber-800">{memberReason(connection, false)}</p> : null}
                  </li>
                );
              })}
            </ul>
          )}
        </section>
      </div>
    );
  }

  const [report, pending, overview] = await Promise.all([
    checkHealth(getHealthPool(), { controller: () => getZeroTierProvider().readiness() }),
    countPendingRequests(getDb()),
    dashboardData(getDb()),
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
      detail: report.worker.lastSeenAt ? `Last heartbeat ${formatUtc(report.worker.lastSeenAt, "second")}` : "Start one with npm run worker",
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

      {overview.routeServers.length > 0 ? (
        <section aria-labelledby="rs-heading">
          <h2 id="rs-heading" className="mb-2 text-lg font-semibold">Route servers</h2>
          <ul className="grid gap-4 sm:grid-cols-2 lg:grid-cols-3">
            {overview.routeServers.map((server) => {
              const sessions = Number(server.sessions ?? 0);
              const established = Number(server.established ?? 0);
              const rtr = (server.rtr_states as RtrState[] | null) ?? [];
              const healthy = server.last_status !== "failed" && server.read_error === null && established === sessions && rtrHealthy(rtr);
              return (
                <li key={server.id} className="rounded-lg border border-slate-200 bg-white p-5 shadow-sm">
                  <div className="flex items-center justify-between gap-2">
                    <Link href={`/route-servers/${server.id}`} className="text-sm font-medium text-brand-700 hover:underline">{server.name} <span className="text-slate-500">({server.lan})</span></Link>
                    <StatusBadge tone={healthy ? "ok" : "bad"}>{healthy ? "Healthy" : "Attention"}</StatusBadge>
                  </div>
                  <p className="mt-3 text-sm text-slate-700">{established} of {sessions} sessions Established · last deployment {server.last_status ?? "none"}</p>
                  <RouteServerReadProblem error={server.read_error} since={server.read_error_since} readAt={server.read_at} />
                  {server.zt_node_id ? null : (
                    <p className="mt-2 text-sm text-amber-900" data-testid="rs-without-node">
                      No ZeroTier node recorded: ztix does not authorize this route server on the LAN. Set it with{" "}
                      <code className="font-mono text-xs">npm run cli -- route-servers set-node --name {server.name} --zt-node NODEID</code> (or on its page).
                    </p>
                  )}
                  {rtr.length > 0 ? (
                    <p className="mt-1 text-sm text-slate-700" data-testid="rtr-summary">
                      RPKI: {rtr.filter((entry) => entry.info.startsWith("Established")).length} of {rtr.length} RTR caches Established
                      {rtrHealthy(rtr) ? "" : ` (${rtr.filter((entry) => !entry.info.startsWith("Established")).map((entry) => `${entry.name}: ${entry.info || entry.state}`).join(", ")})`}
                    </p>
                  ) : null}
                </li>
              );
            })}
          </ul>
        </section>
      ) : null}

      <section aria-labelledby="connections-heading">
        <h2 id="connections-heading" className="mb-2 text-lg font-semibold">Connections</h2>
        <ul className="flex flex-wrap gap-3 text-sm">
          {["requested", "provisioning", "provisioned", "active", "failed", "removing"].map((state) => (
            <li key={state}>
              <Link href={`/connections?state=${state}`} className="inline-flex items-center gap-2 rounded-md border border-slate-200 bg-white px-3 py-1.5 shadow-sm hover:bg-slate-50">
                <span className="font-semibold">{overview.states[state] ?? 0}</span> {state}
              </Link>
            </li>
          ))}
        </ul>
      </section>

      <section aria-labelledby="jobs-heading" data-testid="failed-jobs">
        <h2 id="jobs-heading" className="mb-2 text-lg font-semibold">
          Jobs <span className="text-sm font-normal text-slate-500">{overview.jobs.total} in the queue, {overview.jobs.running} running</span>
        </h2>
        {overview.jobs.failed === 0 ? (
          <p className="text-sm text-slate-600">No failed jobs.</p>
        ) : (
          <div className="rounded-lg border border-red-200 bg-red-50 p-4 text-sm">
            <p className="font-medium text-red-900">
              <Link href="/jobs?state=failed" className="underline">{overview.jobs.failed} failed job{overview.jobs.failed === 1 ? "" : "s"}</Link>
            </p>
            <ul className="mt-2 space-y-1 text-red-900">
              {overview.failedJobs.map((job) => (
                <li key={job.id}><span className="font-mono text-xs">{job.task_identifier}</span>: {job.last_error?.split("\n")[0]}</li>
              ))}
            </ul>
          </div>
        )}
      </section>

      <section aria-labelledby="drift-heading">
        <h2 id="drift-heading" className="mb-2 text-lg font-semibold">Drift</h2>
        {overview.drift.length === 0 ? (
          <p className="text-sm text-slate-600">The controller matches the database.</p>
        ) : (
          <ul className="space-y-2">
            {overview.drift.map((item) => (
              <li key={item.id} className="flex flex-wrap items-center justify-between gap-3 rounded-lg border border-amber-200 bg-amber-50 p-3 text-sm">
                {item.kind === "route_server_config" ? (
                  <span>
                    LAN {item.lan}: the config file on route server <span className="font-mono">{item.subject}</span> differs from its last deployment (edited by hand?). The next
                    deployment replaces it; &quot;Deploy now&quot; on the Route servers page does it at once.
                  </span>
                ) : (
                  <>
                    <span>
                      LAN {item.lan}: router <span className="font-mono">{item.subject}</span> is authorized on the controller but unknown to ztix
                      {(item.details as { ipAssignments?: string[] } | null)?.ipAssignments?.length ? ` (${(item.details as { ipAssignments: string[] }).ipAssignments.join(", ")})` : ""}
                    </span>
                    {item.deauthorizable ? <DeauthorizeDriftForm id={item.id} /> : null}
                  </>
                )}
              </li>
            ))}
          </ul>
        )}
      </section>

      <IrrFailures />

      <section aria-labelledby="deployments-heading">
        <h2 id="deployments-heading" className="mb-2 text-lg font-semibold">Recent deployments</h2>
        {overview.deployments.length === 0 ? (
          <p className="text-sm text-slate-600">None yet.</p>
        ) : (
          <ul className="space-y-1 text-sm">
            {overview.deployments.map((deployment) => (
              <li key={deployment.id}>
                <StatusBadge tone={deployment.status === "succeeded" ? "ok" : deployment.status === "failed" ? "bad" : "neutral"}>{deployment.status}</StatusBadge>{" "}
                <Link className="text-brand-700 hover:underline" href={`/route-servers/${deployment.route_server_id}?deployment=${deployment.id}`}>{deployment.name}</Link>{" "}
                <span className="text-xs text-slate-500">{formatUtc(deployment.started_at)}</span>
                {deployment.error ? <span className="ml-2 text-xs text-red-700">{deployment.error}</span> : null}
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}
