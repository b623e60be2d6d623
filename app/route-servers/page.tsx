import type { Metadata } from "next";
import Link from "next/link";
import { getDb } from "@/db";
import { requirePageUser } from "@/lib/auth/page";
import { routeServerOverview } from "@/lib/routeserver/views";
import { AutoRefresh } from "@/app/ui/auto-refresh";
import { StatusBadge } from "@/app/ui/status-badge";
import { formatUtc } from "@/lib/utc-time";
import { DeployNowForm } from "./deploy-now-form";
import { AddRouteServerForm } from "./route-server-forms";
import { RouteServerState } from "./route-server-state";
import { listLanChoices } from "@/lib/lans";
import { DataTable } from "@/app/ui/data-table";

export const metadata: Metadata = { title: "Route servers" };
export const dynamic = "force-dynamic";

export default async function RouteServersPage() {
  await requirePageUser("/route-servers", ["admin", "operator"]);
  const servers = await routeServerOverview(getDb());
  const allLans = await listLanChoices(getDb());
  const lans = [...new Map(servers.map((server) => [server.lan_id, server.lan])).entries()];
  return (
    <div className="space-y-6">
      <AutoRefresh active={servers.some((server) => server.lastDeployment?.status === "running")} />
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">Route servers</h1>
        <p className="mt-1 text-sm text-slate-600">
          Add one below, or on the server: <code className="font-mono text-xs">npm run cli -- route-servers add …</code>. Deployments go one route server at a time, in deploy order.
        </p>
      </div>
      {allLans.length > 0 ? <AddRouteServerForm lans={allLans.map((lan) => ({ id: lan.id, name: lan.name }))} /> : <p className="text-sm text-slate-600">Create a peering LAN first.</p>}
      {lans.length === 0 ? <p className="rounded-lg border border-dashed border-slate-300 bg-white p-6 text-sm text-slate-600">No route servers yet.</p> : null}
      {lans.map(([lanId, lan]) => (
        <section key={lanId} className="space-y-3">
          <div className="flex flex-wrap items-center justify-between gap-3">
            <h2 className="text-lg font-semibold">{lan}</h2>
            <DeployNowForm lanId={lanId} />
          </div>
          <DataTable columns={["Order", "Name", "State", "Reached at", "LAN addresses", "ZeroTier node", "Last deployment"]}>
                {servers.filter((server) => server.lan_id === lanId).map((server) => (
                  <tr key={server.id} data-route-server={server.name}>
                    <td className="px-4 py-2">{server.deploy_order}</td>
                    <td className="px-4 py-2 font-medium"><Link className="text-brand-700 hover:underline" href={`/route-servers/${server.id}`}>{server.name}</Link></td>
                    <td className="px-4 py-2"><RouteServerState enabled={server.enabled} drained={server.drained} unreadable={server.read_error !== null} /></td>
                    <td className="px-4 py-2 font-mono text-xs">{server.transport === "local" ? "this host" : `${server.ssh_host}:${server.ssh_port}`}</td>
                    <td className="px-4 py-2 font-mono text-xs">{server.ipv4_address ?? "—"}<br />{server.ipv6_address ?? ""}</td>
                    <td className="px-4 py-2 text-xs">
                      {server.zt_node_id ? (
                        <><span className="font-mono">{server.zt_node_id}</span> <span className="text-slate-500">{server.zt_authorized ? "authorized" : "not authorized"}</span></>
                      ) : (
                        <Link className="text-amber-800 hover:underline" href={`/route-servers/${server.id}`}>not set: set it</Link>
                      )}
                    </td>
                    <td className="px-4 py-2">
                      {server.lastDeployment ? (
                        <>
                          <StatusBadge tone={server.lastDeployment.status === "succeeded" ? "ok" : server.lastDeployment.status === "failed" ? "bad" : server.lastDeployment.status === "interrupted" ? "warn" : "neutral"}>{server.lastDeployment.status}</StatusBadge>
                          <span className="ml-2 text-xs text-slate-500">{formatUtc(server.lastDeployment.started_at)}</span>
                          {server.lastDeployment.error ? <div className="mt-1 text-xs text-red-700">{server.lastDeployment.error}</div> : null}
                        </>
                      ) : (
                        <span className="text-xs text-slate-500">never deployed</span>
                      )}
                    </td>
                  </tr>
                ))}
          </DataTable>
        </section>
      ))}
    </div>
  );
}
