import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { getDb } from "@/db";
import { canAccessAsn } from "@/lib/auth/access";
import { requirePageUser } from "@/lib/auth/page";
import { isStaff } from "@/lib/auth/roles";
import { connectionHistory } from "@/lib/connections/queries";
import { memberReason } from "@/lib/connections/member-reason";
import { getConnectionFor } from "@/lib/connections/service";
import { AuthorizationError, NotFoundError } from "@/lib/errors";
import { routerStatesOf } from "@/lib/router-state/collect";
import { describeSessionState } from "@/lib/router-state/describe";
import { filteredRoutesOf } from "@/lib/routeserver/filtered";
import { enabledRouteServersOf, routerConfigInputFor } from "@/lib/routeserver/router-config";
import { routerConfig } from "@/lib/routeserver/snippet";
import { AuditChangeList } from "@/app/ui/audit-change-list";
import { AutoRefresh } from "@/app/ui/auto-refresh";
import { RouterStatePanel } from "@/app/ui/router-state-panel";
import { ConnectionStateBadge, TRANSITIONAL_STATES } from "@/app/ui/connection-state-badge";
import { bgpPasswordStatusOf } from "@/lib/connections/bgp-password";
import { formatUtc } from "@/lib/utc-time";
import { ApproveForm, BgpPasswordForm, RejectForm, RemoveForm, RetryForm, RevealBgpPasswordForm } from "./connection-forms";
import { RouterConfig } from "./router-config";

export const dynamic = "force-dynamic";

export async function generateMetadata(props: { params: Promise<{ id: string }> }): Promise<Metadata> {
  return { title: `Connection ${(await props.params).id}` };
}

async function load(id: number, user: Awaited<ReturnType<typeof requirePageUser>>) {
  try {
    return await getConnectionFor(getDb(), user, id);
  } catch (error) {
    if (error instanceof NotFoundError) notFound();
    // Someone else's connection answers like a missing one: no existence oracle.
    if (error instanceof AuthorizationError) notFound();
    throw error;
  }
}

export default async function ConnectionPage(props: { params: Promise<{ id: string }> }) {
  const { id: idText } = await props.params;
  const id = Number(idText);
  if (!/^\d+$/.test(idText) || !Number.isSafeInteger(id)) notFound();
  const user = await requirePageUser(`/connections/${id}`);
  const connection = await load(id, user);
  const staff = isStaff(user.role);
  const history = staff ? await connectionHistory(getDb(), id) : [];
  const canAct = canAccessAsn(user, connection.asn, "act");
  const gone = ["removed", "rejected"].includes(connection.state);
  const [sessions, routeServers, routerStates] = await Promise.all([
    // Current sessions only: a removed connection has none, and a disabled route server counts for nobody.
    gone
      ? []
      : getDb()
          .selectFrom("bgp_sessions")
          .innerJoin("route_servers", "route_servers.id", "bgp_sessions.route_server_id")
          .select(["route_servers.name", "bgp_sessions.family", "bgp_sessions.state", "bgp_sessions.info", "bgp_sessions.imported", "bgp_sessions.filtered", "bgp_sessions.exported", "bgp_sessions.updated_at", "route_servers.read_at", "route_servers.read_error"])
          .where("bgp_sessions.connection_id", "=", id)
          .where("route_servers.enabled", "=", true)
          .orderBy("route_servers.name")
          .orderBy("bgp_sessions.family")
          .execute(),
    enabledRouteServersOf(getDb(), connection.lan_id),
    routerStatesOf(getDb(), [id]),
  ]);
  const configInput = await routerConfigInputFor(getDb(), connection, routeServers);
  const bgpPassword = bgpPasswordStatusOf(connection);
  const addressOf = (name: string, family: number) => {
    const server = routeServers.find((candidate) => candidate.name === name);
    return (family === 4 ? server?.ipv4_address : server?.ipv6_address) ?? null;
  };
  const passwordChangeable = connection.route_server_peering && !["removing", "removed", "rejected"].includes(connection.state);
  // Operators see why a member's routes were filtered, read live from the route servers.
  const filtered = staff && ["provisioned", "active"].includes(connection.state) && routeServers.length > 0 ? await filteredRoutesOf(getDb(), id) : [];
  const configs = configInput ? { bird: routerConfig(configInput, "bird"), frr: routerConfig(configInput, "frr") } : null;
  const reason = memberReason(connection, staff);
  const live = !["rejected", "removed", "removing", "requested"].includes(connection.state);

  return (
    <div className="space-y-6">
      {/* A waiting request changes when an operator decides: look less often than during provisioning. */}
      <AutoRefresh active={connection.state === "requested" || TRANSITIONAL_STATES.includes(connection.state)} intervalMs={connection.state === "requested" ? 5000 : 2000} />
      <div className="flex flex-wrap items-center gap-3">
        <h1 className="text-2xl font-semibold tracking-tight">Connection {connection.id}</h1>
        <span data-testid="connection-state"><ConnectionStateBadge state={connection.state} /></span>
      </div>
      <dl className="grid gap-4 rounded-lg border border-slate-200 bg-white p-5 text-sm shadow-sm sm:grid-cols-2 lg:grid-cols-3">
        <div><dt className="text-slate-500">Network</dt><dd className="font-medium">AS{connection.asn} {connection.network_name ?? ""}</dd></div>
        <div><dt className="text-slate-500">Peering LAN</dt><dd className="font-medium">{connection.lan_name} <span className="font-mono text-xs text-slate-500">{connection.zt_network_id}</span></dd></div>
        <div><dt className="text-slate-500">Router (ZeroTier node)</dt><dd className="font-mono">{connection.zt_node_id}</dd></div>
        <div><dt className="text-slate-500">IPv4 address</dt><dd className="font-mono" data-testid="ipv4-address">{connection.ipv4_address ?? "assigned on approval"}</dd></div>
        <div><dt className="text-slate-500">IPv6 address</dt><dd className="font-mono" data-testid="ipv6-address">{connection.ipv6_address ?? "assigned on approval"}</dd></div>
        <div><dt className="text-slate-500">Route-server peering</dt><dd>{connection.route_server_peering ? "yes" : "no"}</dd></div>
      </dl>
      {reason ? (
        <p role="status" data-testid="connection-reason" className={`rounded-md p-3 text-sm ${connection.state === "failed" || connection.state === "rejected" ? "bg-red-50 text-red-800" : "bg-amber-50 text-amber-900"}`}>
          {connection.state === "rejected" ? "Rejected: " : ""}
          {reason}
        </p>
      ) : null}

      {!["rejected", "removed", "removing"].includes(connection.state) ? <RouterStatePanel state={routerStates.get(id) ?? null} networkId={connection.zt_network_id} staff={staff} /> : null}

      <section className="grid gap-6 lg:grid-cols-2">
        {staff && connection.state === "requested" ? (
          <>
            <div className="rounded-lg border border-slate-200 bg-white p-5 shadow-sm"><h2 className="mb-3 font-medium">Approve</h2><ApproveForm id={connection.id} /></div>
            <div className="rounded-lg border border-slate-200 bg-white p-5 shadow-sm"><h2 className="mb-3 font-medium">Reject</h2><RejectForm id={connection.id} /></div>
          </>
        ) : null}
        {/* One box in one place for both: a retry turns "failed" into "provisioning", and the form keeps its answer. */}
        {staff && (connection.state === "failed" || connection.state === "approved" || connection.state === "provisioning" || connection.state === "removing") ? (
          <div className="rounded-lg border border-slate-200 bg-white p-5 shadow-sm">
            <h2 className="mb-1 font-medium">{connection.state === "failed" ? "Retry" : "Run now"}</h2>
            <p className="mb-3 text-sm text-slate-600">
              {connection.state === "failed" ? "Runs the failed step again." : "Runs its job now: enqueued again if it is gone or out of attempts, released if its worker died."}
            </p>
            <RetryForm id={connection.id} />
          </div>
        ) : null}
        {canAct && (live || connection.state === "requested") ? (
          <div className="rounded-lg border border-slate-200 bg-white p-5 shadow-sm">
            <h2 className="mb-1 font-medium">{connection.state === "requested" ? "Withdraw" : "Remove"}</h2>
            <p className="mb-3 text-xs text-slate-500">
              {connection.state === "requested" ? "Withdraws the request." : "Deauthorizes the router on the exchange and releases its addresses."}
            </p>
            <RemoveForm id={connection.id} asn={connection.asn} withdraw={connection.state === "requested"} />
          </div>
        ) : null}
      </section>

      {connection.route_server_peering && ["provisioned", "active"].includes(connection.state) && routeServers.length > 0 ? (
        <p className="text-sm"><Link href={`/connections/${connection.id}/routes`} className="font-medium text-sky-700 underline">Your routes on the route servers (looking glass)</Link>: accepted, filtered and why, and what you receive.</p>
      ) : null}
      {passwordChangeable && (staff || bgpPassword.set) ? (
        <section className="rounded-lg border border-slate-200 bg-white p-5 shadow-sm" data-testid="bgp-password-section">
          <h2 className="mb-1 font-medium">BGP session password</h2>
          <p className="mb-3 text-xs text-slate-500">
            {bgpPassword.set
              ? `Set${bgpPassword.setAt ? ` ${formatUtc(bgpPassword.setAt)}` : ""}; ${bgpPassword.shownAt ? "the network has seen it" : "the network has not seen it yet"}. Stored encrypted; the route servers use it for every session of this connection.`
              : "None: the sessions with the route servers run without TCP-MD5."}
          </p>
          {staff ? <BgpPasswordForm id={connection.id} isSet={bgpPassword.set} /> : bgpPassword.shownAt ? (
            <p className="text-sm text-slate-700">It was shown once already; ask the exchange to set a new one if you lost it.</p>
          ) : canAct ? <RevealBgpPasswordForm id={connection.id} /> : null}
        </section>
      ) : null}

      {sessions.length > 0 ? (
        <section>
          <h2 className="mb-2 text-lg font-semibold">BGP sessions with the route servers</h2>
          <table className="w-full overflow-hidden rounded-lg border border-slate-200 bg-white text-sm shadow-sm" data-testid="bgp-sessions">
            <thead className="bg-slate-50 text-left text-xs uppercase tracking-wide text-slate-500">
              <tr><th className="px-3 py-2">Route server</th><th className="px-3 py-2">Family</th><th className="px-3 py-2">State</th><th className="px-3 py-2">Prefixes received (accepted, filtered) / sent</th></tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {sessions.map((session) => (
                <tr key={`${session.name}-${session.family}`}>
                  <td className="px-3 py-2">{session.name}</td>
                  <td className="px-3 py-2">IPv{session.family}</td>
                  <td className="px-3 py-2">
                    {(() => {
                      const view = describeSessionState(session, { routeServerAddress: addressOf(session.name, session.family), rsAsn: connection.rs_asn, memberAddress: session.family === 4 ? connection.ipv4_address : connection.ipv6_address, memberAsn: connection.asn });
                      return (
                        <>
                          <span className="font-medium">{view.summary}</span> <span className="text-xs text-slate-500">({session.info || session.state})</span>
                          {view.nextStep ? <span className="block text-xs text-slate-600">Next: {view.nextStep}.</span> : null}
                          {/* Why is for the operators (it names their hosts); the member learns the state may be old. */}
                          {session.read_error ? (
                            <span className="block text-xs text-amber-800 dark:text-amber-300" data-testid="session-stale">
                              As last read{session.read_at ? ` at ${formatUtc(session.read_at)}` : ""}: this route server cannot be read at the moment.
                            </span>
                          ) : null}
                        </>
                      );
                    })()}
                  </td>
                  <td className="px-3 py-2">
                    {session.imported === null ? "—" : `${session.imported + (session.filtered ?? 0)} (${session.imported} accepted, ${session.filtered ?? 0} filtered) / ${session.exported ?? 0}`}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <p className="mt-1 text-xs text-slate-500">Filtered routes are kept on the route servers with the reason; see the <a className="text-brand-700 hover:underline" href="/policy">routing policy</a>.</p>
        </section>
      ) : null}

      {filtered.length > 0 ? (
        <section>
          <h2 className="mb-2 text-lg font-semibold">Filtered routes (live)</h2>
          {filtered.map((entry) => (
            <div key={entry.routeServer} className="mb-3 rounded-lg border border-slate-200 bg-white p-3 text-sm shadow-sm">
              <h3 className="font-medium">{entry.routeServer}</h3>
              {entry.error ? <p className="text-red-700">Could not read: {entry.error}</p> : entry.routes.length === 0 ? <p className="text-slate-600">Nothing filtered.</p> : (
                <ul className="mt-1 space-y-1">
                  {entry.routes.map((route) => <li key={route.prefix}><span className="font-mono text-xs">{route.prefix}</span>: {route.meanings.join("; ")}</li>)}
                </ul>
              )}
            </div>
          ))}
        </section>
      ) : null}

      {configs ? <RouterConfig connectionId={connection.id} configs={configs} /> : null}

      {staff ? (
        <section>
          <h2 className="mb-2 text-lg font-semibold">History</h2>
          <ol data-testid="connection-history" className="space-y-2 text-sm">
            {history.map((event) => (
              <li key={event.id} className="rounded border border-slate-200 bg-white px-3 py-2">
                <span className="font-mono text-xs text-slate-500">{new Date(event.at).toISOString().replace("T", " ").slice(0, 19)}</span>{" "}
                <span className="font-medium">{event.action}</span> by {event.actor_label}
                <div className="mt-1 text-slate-600">
                  <AuditChangeList before={event.before} after={event.after} />
                </div>
              </li>
            ))}
          </ol>
        </section>
      ) : null}
    </div>
  );
}
