import type { Metadata } from "next";
import Link from "next/link";
import { getDb } from "@/db";
import { requirePageUser } from "@/lib/auth/page";
import { connectionFiltersOf, connectionListSpec, listConnections } from "@/lib/connections/queries";
import { lanChoicesText, parseLanChoices } from "@/lib/lans";
import { offsetOf, parseListParams } from "@/lib/lists/list-params";
import { ListSearch, Pager, SortLink } from "@/app/ui/list-controls";
import { routerStatesOf } from "@/lib/router-state/collect";
import { RouterStatePanel } from "@/app/ui/router-state-panel";
import { requestContexts, type RequestContext } from "@/lib/connections/request-context";
import { formatUtc } from "@/lib/utc-time";
import { BulkApproveForm } from "./bulk-approve-form";
import { RequestDecision } from "./request-decision";

export const metadata: Metadata = { title: "Requests" };
export const dynamic = "force-dynamic";

export default async function RequestsPage(props: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const user = await requirePageUser("/requests", ["admin", "operator"]);
  const list = parseListParams({ ...connectionListSpec, filters: { lan: connectionListSpec.filters.lan } }, await props.searchParams);
  const { rows, total, beside } = await listConnections(getDb(), user, { ...connectionFiltersOf(list), state: "requested" }, { limit: list.size, offset: offsetOf(list) }, list, { lans: lanChoicesText(getDb()) });
  const lans = parseLanChoices(beside.lans);
  const routerStates = await routerStatesOf(getDb(), rows.map((row) => row.id));
  const contexts = await requestContexts(getDb(), rows.map((row) => ({ id: row.id, asn: row.asn, lanName: row.lan_name })));
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-semibold tracking-tight">Pending requests</h1>
      {/* Always rendered: its answer stays on screen after the approved requests leave the list. */}
      <BulkApproveForm />
      <ListSearch list={list} label="Search requests" placeholder="ASN, name, node id" filters={[{ name: "lan", label: "LAN", options: lans.map((lan) => ({ value: String(lan.id), label: lan.name })) }]} />
      <nav aria-label="Sort requests" className="flex flex-wrap gap-3 text-xs text-slate-600">
        Sort by: {(["id", "asn", "network", "node", "created"] as const).map((column) => <SortLink key={column} list={list} column={column} label={{ id: "number", asn: "ASN", network: "name", node: "node id", created: "asked" }[column]} />)}
      </nav>
      {rows.length === 0 ? (
        <p className="rounded-lg border border-dashed border-slate-300 bg-white p-6 text-sm text-slate-600">{list.q || list.filters.lan ? "No pending request matches." : "Nothing waits for a decision."}</p>
      ) : (
        <ul className="space-y-4">
          {rows.map((row) => (
            <li key={row.id} data-connection-id={row.id} className="rounded-lg border border-slate-200 bg-white p-5 shadow-sm">
              <div className="flex flex-wrap items-baseline gap-x-4 gap-y-1">
                <input type="checkbox" form="bulk-approve" name={`approve-${row.id}`} aria-label={`Tick connection ${row.id} (AS${row.asn}) for approval`} className="h-4 w-4 self-center" />
                <Link href={`/connections/${row.id}`} className="font-medium text-brand-700 hover:underline">Connection {row.id}</Link>
                <span>AS{row.asn} {row.network_name ?? ""}</span>
                <span className="text-slate-500">on {row.lan_name}</span>
                <span className="font-mono text-xs">router {row.zt_node_id}</span>
                <span className="text-xs text-slate-500">asked {formatUtc(row.created_at)}</span>
              </div>
              <div className="mt-2">
                <RouterStatePanel compact staff state={routerStates.get(row.id) ?? null} networkId={row.zt_network_id} />
              </div>
              <RequestFacts context={contexts.get(row.id)} asn={row.asn} />
              <RequestDecision id={row.id} />
            </li>
          ))}
        </ul>
      )}
      <Pager list={list} total={total} noun={["request", "requests"]} />
    </div>
  );
}

/** The network's PeeringDB record and what to look at before approving. */
function RequestFacts({ context, asn }: { context?: RequestContext; asn: number }) {
  const network = context?.network;
  return (
    <div className="mt-3 space-y-2 text-sm" data-testid="request-facts">
      {network ? (
        <p className="text-slate-700">
          PeeringDB: <a href={network.peeringDbUrl} className="text-brand-700 hover:underline" rel="noreferrer" target="_blank">{network.name ?? `AS${asn}`}</a>
          {" · "}as-set <span className="font-mono text-xs">{network.asSet.value}</span>
          {network.asSet.origin === "PeeringDB" ? null : network.asSet.origin === "operator" ? " (set by an operator)" : " (ASN only)"}
          {" · "}
          {network.prefixes4 === null && network.prefixes6 === null ? "no prefix counts in PeeringDB" : `prefixes ${network.prefixes4 ?? "unknown"} IPv4, ${network.prefixes6 ?? "unknown"} IPv6`}
        </p>
      ) : null}
      {context?.warnings.length ? (
        <ul className="space-y-1" aria-label="Warnings">
          {context.warnings.map((warning) => (
            <li key={warning} className="rounded-md bg-amber-50 px-3 py-1.5 text-amber-900">{warning}</li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
