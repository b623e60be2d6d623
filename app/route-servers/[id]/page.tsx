import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { getDb } from "@/db";
import { requirePageUser } from "@/lib/auth/page";
import { formatUtc } from "@/lib/utc-time";
import { EnableForm, SetNodeForm } from "./node-forms";
import { DrainForm, EditRouteServerForm } from "../route-server-forms";
import { RouteServerReadProblem, RouteServerState } from "../route-server-state";
import { deploymentConfig, deploymentListSpec, listDeployments, listRouteServerSessions, previousSucceededConfig, routeServerDetail, sessionListSpec } from "@/lib/routeserver/views";
import { listHref, listQuery, parseListParams } from "@/lib/lists/list-params";
import { renderCurrentConfig } from "@/lib/routeserver/input";
import { rtrStatesOf } from "@/lib/routeserver/rtr-state";
import { diffLines } from "@/lib/text-diff";
import { AutoRefresh } from "@/app/ui/auto-refresh";
import { DataTable } from "@/app/ui/data-table";
import { ListSearch, Pager } from "@/app/ui/list-controls";
import { DiffView } from "@/app/ui/diff-view";
import { StatusBadge } from "@/app/ui/status-badge";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Route server" };

export default async function RouteServerPage(props: { params: Promise<{ id: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { id: idText } = await props.params;
  const id = Number(idText);
  if (!/^\d+$/.test(idText)) notFound();
  await requirePageUser(`/route-servers/${id}`, ["admin", "operator"]);
  const detail = await routeServerDetail(getDb(), id);
  if (!detail) notFound();
  const { server, deployments } = detail;
  const searchParams = await props.searchParams;
  const list = parseListParams(sessionListSpec, searchParams);
  const deploymentList = parseListParams(deploymentListSpec, searchParams, "d");
  const [sessions, deploymentPage] = await Promise.all([listRouteServerSessions(getDb(), id, list), listDeployments(getDb(), id, deploymentList)]);
  const rtr = await rtrStatesOf(getDb(), id);
  const selectedId = Number(searchParams.deployment) || null;
  // The sessions list's links keep the chosen deployment.
  const keep = { deployment: selectedId ? String(selectedId) : undefined, ...listQuery(deploymentList) };
  const keepForDeployments = { deployment: selectedId ? String(selectedId) : undefined, ...listQuery(list) };
  const selected = deploymentPage.rows.find((deployment) => deployment.id === selectedId) ?? deployments.find((deployment) => deployment.id === selectedId) ?? null;

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
        <div className="flex flex-wrap items-center gap-x-3 gap-y-1">
          <h1 className="text-2xl font-semibold tracking-tight">Route server {server.name}</h1>
          <RouteServerState enabled={server.enabled} drained={server.drained} unreadable={server.read_error !== null} />
        </div>
        <p className="mt-1 text-sm text-slate-600">
          LAN {server.lan} · {server.transport === "local" ? "this host" : `${server.ssh_user}@${server.ssh_host}:${server.ssh_port}`} · host key <code className="font-mono text-xs">{server.host_key_fingerprint ?? "—"}</code> · {server.config_path}
        </p>
        {server.enabled ? <RouteServerReadProblem error={server.read_error} since={server.read_error_since} readAt={server.read_at} /> : null}
      </div>

      <section aria-labelledby="deployments-heading">
        <h2 id="deployments-heading" className="mb-2 text-lg font-semibold">Deployments</h2>
        <div className="space-y-3">
          <ListSearch list={deploymentList} label="Search deployments" placeholder="trigger or SHA-256" hidden={keepForDeployments} filters={[{ name: "status", label: "Outcome", options: deploymentListSpec.filters.status }]} />
          <DataTable
            dense
            list={deploymentList}
            hidden={keepForDeployments}
            columns={[{ label: "#", sort: "started" }, "Started (UTC)", { label: "Outcome", sort: "status" }, { label: "Trigger", sort: "trigger" }, "SHA-256"]}
          >
            {deploymentPage.rows.map((deployment) => (
              <tr key={deployment.id} className={deployment.id === selectedId ? "bg-brand-50" : undefined}>
                <td><a className="text-brand-700 hover:underline" href={listHref(deploymentList, { page: deploymentList.page }, { ...listQuery(list), deployment: String(deployment.id) })}>{deployment.id}</a></td>
                <td className="font-mono text-xs">{new Date(deployment.started_at).toISOString().slice(0, 19).replace("T", " ")}</td>
                <td>
                  <StatusBadge tone={deployment.status === "succeeded" ? "ok" : deployment.status === "failed" ? "bad" : deployment.status === "interrupted" ? "warn" : "neutral"}>{deployment.status}</StatusBadge>
                  {deployment.error ? <div className="mt-1 text-xs text-red-700">{deployment.error}</div> : null}
                </td>
                <td className="text-xs">{deployment.trigger}</td>
                <td className="font-mono text-xs">{deployment.sha256.slice(0, 12)}</td>
              </tr>
            ))}
          </DataTable>
          <Pager list={deploymentList} total={deploymentPage.total} noun={["deployment", "deployments"]} hidden={keepForDeployments} />
        </div>
        {selected ? <pre className="mt-3 overflow-auto rounded-lg bg-slate-900 p-3 font-mono text-xs text-slate-100">{selected.log || "(no log)"}</pre> : null}
      </section>

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

      <section aria-labelledby="sessions-heading" className="space-y-3">
        <h2 id="sessions-heading" className="text-lg font-semibold">BGP sessions</h2>
        <ListSearch
          list={list}
          label="Search sessions"
          placeholder="ASN, name or node id"
          hidden={keep}
          filters={[
            { name: "state", label: "State", options: ["established", "down"] },
            { name: "family", label: "Family", options: [{ value: "4", label: "IPv4" }, { value: "6", label: "IPv6" }] },
          ]}
        />
        {sessions.total === 0 ? (
          <p className="text-sm text-slate-600">{list.q || list.filters.state || list.filters.family ? "No sessions match." : "No session states collected yet."}</p>
        ) : (
          <DataTable
            dense
            list={list}
            hidden={keep}
            columns={[{ label: "Member", sort: "asn" }, { label: "Connection", sort: "connection" }, { label: "Family", sort: "family" }, { label: "State", sort: "state" }, { label: "Accepted / filtered / sent", sort: "accepted" }]}
          >
            {sessions.rows.map((session) => (
              <tr key={`${session.connection_id}-${session.family}`} data-testid="bgp-session">
                <td className="px-3 py-2">AS{session.asn} <span className="text-slate-500">{session.network_name ?? ""}</span></td>
                <td className="px-3 py-2"><a className="text-brand-700 hover:underline" href={`/connections/${session.connection_id}`}>{session.connection_id}</a></td>
                <td className="px-3 py-2">IPv{session.family}</td>
                <td className="px-3 py-2"><StatusBadge tone={session.info.startsWith("Established") ? "ok" : "bad"}>{session.info || session.state}</StatusBadge></td>
                <td className="px-3 py-2">{session.imported ?? "—"} / {session.filtered ?? "—"} / {session.exported ?? "—"}</td>
              </tr>
            ))}
          </DataTable>
        )}
        <Pager list={list} total={sessions.total} noun={["session", "sessions"]} hidden={keep} />
      </section>

      <section>
        <h2 className="mb-2 text-lg font-semibold">RPKI (RTR caches)</h2>
        {!rtr?.checkedAt ? (
          <p className="text-sm text-slate-600">Not read yet (every minute, with the BGP sessions).</p>
        ) : rtr.states.length === 0 ? (
          <p className="text-sm text-slate-600">No RTR cache configured on this LAN: routes are not checked against RPKI. Add one in the LAN&apos;s route-server settings (or <code className="font-mono text-xs">lans set-rpki</code>).</p>
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
        {rtr?.checkedAt ? <p className="mt-1 text-xs text-slate-500">Read {formatUtc(rtr.checkedAt, "second")}. A cache that is down keeps its ROAs in BIRD until they expire; nothing is withdrawn meanwhile.</p> : null}
      </section>


      <section>
        <h2 className="mb-2 text-lg font-semibold">{diffTitle}</h2>
        <DiffView lines={diff} />
      </section>
    </div>
  );
}
