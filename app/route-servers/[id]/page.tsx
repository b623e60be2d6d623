import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { getDb } from "@/db";
import { requirePageUser } from "@/lib/auth/page";
import { EnableForm, SetNodeForm } from "./node-forms";
import { DrainForm, EditRouteServerForm } from "../route-server-forms";
import { deploymentConfig, previousSucceededConfig, routeServerDetail } from "@/lib/route-server-views";
import { renderCurrentConfig } from "@/lib/routeserver/input";
import { rtrStatesOf } from "@/lib/routeserver/rtr-state";
import { diffLines } from "@/lib/text-diff";
import { AutoRefresh } from "@/app/ui/auto-refresh";
import { DiffView } from "@/app/ui/diff-view";
import { StatusBadge } from "@/app/ui/status-badge";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Route server" };

export default async function RouteServerPage(props: { params: Promise<{ id: string }>; searchParams: Promise<{ deployment?: string }> }) {
  const { id: idText } = await props.params;
  const id = Number(idText);
  if (!/^\d+$/.test(idText)) notFound();
  await requirePageUser(`/route-servers/${id}`, ["admin", "operator"]);
  const detail = await routeServerDetail(getDb(), id);
  if (!detail) notFound();
  const { server, deployments, sessions } = detail;
  const rtr = await rtrStatesOf(getDb(), id);
  const selectedId = Number((await props.searchParams).deployment) || null;
  const selected = deployments.find((deployment) => deployment.id === selectedId) ?? null;

  // The diff shown: a chosen deployment against the one before it, else what would be deployed now against what is live.
  let diffTitle: string;
  let diff;
  if (selected) {
    const current = await deploymentConfig(getDb(), selected.id);
    const previous = await previousSucceededConfig(getDb(), id, selected.id);
    diffTitle = `Deployment ${selected.id} against ${previous ? `deployment ${previous.id}` : "nothing (first deployment)"}`;
    diff = diffLines(previous?.config ?? "", current?.config ?? "");
  } else {
    const live = deployments.find((deployment) => deployment.status === "succeeded");
    const liveConfig = live ? (await deploymentConfig(getDb(), live.id))?.config ?? "" : "";
    const rendered = await renderCurrentConfig(getDb(), id).catch(() => "");
    diffTitle = `What the next deployment would change${live ? ` (against deployment ${live.id})` : ""}`;
    diff = diffLines(liveConfig, rendered);
  }

  return (
    <div className="space-y-8">
      <AutoRefresh active={deployments.some((deployment) => deployment.status === "running")} />
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">Route server {server.name}{server.drained ? " (drained)" : ""}</h1>
        <p className="mt-1 text-sm text-slate-600">
          LAN {server.lan} · {server.transport === "local" ? "this host" : `${server.ssh_user}@${server.ssh_host}:${server.ssh_port}`} · host key <code className="font-mono text-xs">{server.host_key_fingerprint ?? "—"}</code> · {server.config_path}
        </p>
      </div>

      <section aria-labelledby="node-heading" className="rounded-lg border border-slate-200 bg-white p-5 shadow-sm">
        <h2 id="node-heading" className="mb-1 text-lg font-semibold">On the LAN</h2>
        <p className="mb-3 text-sm text-slate-600">
          {server.zt_node_id ? (
            <>
              ZeroTier node <code className="font-mono">{server.zt_node_id}</code>, {server.zt_authorized ? "authorized" : "not authorized (yet)"} with{" "}
              {[server.ipv4_address, server.ipv6_address].filter(Boolean).join(" and ") || "no addresses"}. Reconciliation keeps it so.
            </>
          ) : (
            <span className="text-amber-900" data-testid="rs-without-node">
              No ZeroTier node recorded: ztix does not authorize this route server on the LAN. Set it here or with{" "}
              <code className="font-mono text-xs">npm run cli -- route-servers set-node --name {server.name} --zt-node NODEID</code>.
            </span>
          )}{" "}
          {server.enabled ? "Enabled." : "Disabled: not deployed; its node is deauthorized once the LAN runs without it."}
        </p>
        <div className="flex flex-wrap items-end gap-6">
          <SetNodeForm id={server.id} ztNodeId={server.zt_node_id} />
          <EnableForm id={server.id} enabled={server.enabled} />
        </div>
      </section>

      <section aria-labelledby="drain-heading" className="rounded-lg border border-slate-200 bg-white p-5 shadow-sm dark:border-slate-700 dark:bg-slate-900">
        <h2 id="drain-heading" className="mb-1 text-lg font-semibold">Maintenance</h2>
        <p className="mb-3 text-sm text-slate-600 dark:text-slate-300" data-testid="drain-state">
          {server.drained
            ? "Drained: every route it sends carries GRACEFUL_SHUTDOWN (65535:0, RFC 8326), so members prefer the LAN's other route servers. Undrain after the work."
            : "In service. Before maintenance, drain it: its sessions stay up while members move their traffic to the other route servers."}
        </p>
        <DrainForm id={server.id} drained={server.drained} />
      </section>

      <section aria-labelledby="edit-heading" className="space-y-3">
        <h2 id="edit-heading" className="text-lg font-semibold">Settings</h2>
        <EditRouteServerForm
          id={server.id}
          values={{
            sshHost: server.ssh_host ?? "",
            sshPort: String(server.ssh_port),
            sshUser: server.ssh_user,
            hostKey: server.host_key_fingerprint ?? "",
            routerId: server.router_id,
            configPath: server.config_path,
            controlSocket: server.control_socket,
            deployOrder: String(server.deploy_order),
          }}
        />
      </section>

      <section>
        <h2 className="mb-2 text-lg font-semibold">BGP sessions</h2>
        {sessions.length === 0 ? (
          <p className="text-sm text-slate-600">No session states collected yet.</p>
        ) : (
          <table className="w-full overflow-hidden rounded-lg border border-slate-200 bg-white text-sm shadow-sm">
            <thead className="bg-slate-50 text-left text-xs uppercase tracking-wide text-slate-500">
              <tr><th className="px-3 py-2">Member</th><th className="px-3 py-2">Family</th><th className="px-3 py-2">State</th><th className="px-3 py-2">Accepted / filtered / sent</th></tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {sessions.map((session) => (
                <tr key={`${session.connection_id}-${session.family}`}>
                  <td className="px-3 py-2">AS{session.asn} (connection {session.connection_id})</td>
                  <td className="px-3 py-2">IPv{session.family}</td>
                  <td className="px-3 py-2"><StatusBadge tone={session.info.startsWith("Established") ? "ok" : "bad"}>{session.info || session.state}</StatusBadge></td>
                  <td className="px-3 py-2">{session.imported ?? "—"} / {session.filtered ?? "—"} / {session.exported ?? "—"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>

      <section>
        <h2 className="mb-2 text-lg font-semibold">RPKI (RTR caches)</h2>
        {!rtr?.checkedAt ? (
          <p className="text-sm text-slate-600">Not read yet (every minute, with the BGP sessions).</p>
        ) : rtr.states.length === 0 ? (
          <p className="text-sm text-slate-600">No RTR cache configured on this LAN: routes are not checked against RPKI (`lans set-rpki`).</p>
        ) : (
          <table className="w-full overflow-hidden rounded-lg border border-slate-200 bg-white text-sm shadow-sm" data-testid="rtr-states">
            <thead className="bg-slate-50 text-left text-xs uppercase tracking-wide text-slate-500">
              <tr><th className="px-3 py-2">Session</th><th className="px-3 py-2">State</th><th className="px-3 py-2">Since</th></tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {rtr.states.map((entry) => (
                <tr key={entry.name}>
                  <td className="px-3 py-2 font-mono text-xs">{entry.name}</td>
                  <td className="px-3 py-2"><StatusBadge tone={entry.info.startsWith("Established") ? "ok" : "bad"}>{entry.info || entry.state}</StatusBadge></td>
                  <td className="px-3 py-2 font-mono text-xs">{entry.since}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {rtr?.checkedAt ? <p className="mt-1 text-xs text-slate-500">Read {new Date(rtr.checkedAt).toISOString().slice(0, 19).replace("T", " ")} UTC. A cache that is down keeps its ROAs in BIRD until they expire; nothing is withdrawn meanwhile.</p> : null}
      </section>

      <section>
        <h2 className="mb-2 text-lg font-semibold">Deployments</h2>
        <table className="w-full overflow-hidden rounded-lg border border-slate-200 bg-white text-sm shadow-sm">
          <thead className="bg-slate-50 text-left text-xs uppercase tracking-wide text-slate-500">
            <tr><th className="px-3 py-2">#</th><th className="px-3 py-2">Started (UTC)</th><th className="px-3 py-2">Outcome</th><th className="px-3 py-2">Trigger</th><th className="px-3 py-2">SHA-256</th></tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {deployments.map((deployment) => (
              <tr key={deployment.id} className={deployment.id === selectedId ? "bg-brand-50" : undefined}>
                <td className="px-3 py-2"><a className="text-brand-700 hover:underline" href={`?deployment=${deployment.id}`}>{deployment.id}</a></td>
                <td className="px-3 py-2 font-mono text-xs">{new Date(deployment.started_at).toISOString().slice(0, 19).replace("T", " ")}</td>
                <td className="px-3 py-2">
                  <StatusBadge tone={deployment.status === "succeeded" ? "ok" : deployment.status === "failed" ? "bad" : "neutral"}>{deployment.status}</StatusBadge>
                  {deployment.error ? <div className="mt-1 text-xs text-red-700">{deployment.error}</div> : null}
                </td>
                <td className="px-3 py-2 text-xs">{deployment.trigger}</td>
                <td className="px-3 py-2 font-mono text-xs">{deployment.sha256.slice(0, 12)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {selected ? <pre className="mt-3 overflow-auto rounded-lg bg-slate-900 p-3 font-mono text-xs text-slate-100">{selected.log || "(no log)"}</pre> : null}
      </section>

      <section>
        <h2 className="mb-2 text-lg font-semibold">{diffTitle}</h2>
        <DiffView lines={diff} />
      </section>
    </div>
  );
}
