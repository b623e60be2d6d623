import type { Metadata } from "next";
import { getDb } from "@/db";
import { auditListSpec, pageAuditEvents, parseAuditQuery } from "@/lib/audit";
import { requirePageUser } from "@/lib/auth/page";
import { listHref, parseListParams } from "@/lib/lists/list-params";
import { AuditChangeList } from "@/app/ui/audit-change-list";
import { DataTable } from "@/app/ui/data-table";
import { Pager } from "@/app/ui/list-controls";

export const metadata: Metadata = { title: "Audit log" };
export const dynamic = "force-dynamic";

function summarize(value: unknown) {
  if (value === null || value === undefined) return "";
  return typeof value === "string" ? value : JSON.stringify(value);
}

const input = "mt-1 rounded-md border border-slate-300 px-2 py-1 text-sm";

export default async function AuditPage(props: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await requirePageUser("/admin/audit", ["admin", "operator"]);
  const searchParams = await props.searchParams;
  const list = parseListParams(auditListSpec, searchParams);
  const filters = parseAuditQuery(searchParams);
  const keep = { actor: filters.actor, action: filters.action, target: filters.target, from: filters.from, to: filters.to };
  const { rows, total } = await pageAuditEvents(getDb(), filters, list);
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-semibold tracking-tight">Audit log</h1>
      <form className="flex flex-wrap items-end gap-3" role="search" aria-label="Filter the audit log" method="get">
        <div>
          <label htmlFor="actor" className="block text-xs font-medium text-slate-600">Who (contains)</label>
          <input id="actor" name="actor" defaultValue={filters.actor} className={input} />
        </div>
        <div>
          <label htmlFor="action" className="block text-xs font-medium text-slate-600">What (action starts with)</label>
          <input id="action" name="action" defaultValue={filters.action} placeholder="connection." className={input} />
        </div>
        <div>
          <label htmlFor="target" className="block text-xs font-medium text-slate-600">On what</label>
          <input id="target" name="target" defaultValue={filters.target} placeholder="connection 12" className={`${input} w-36`} />
        </div>
        <div>
          <label htmlFor="from" className="block text-xs font-medium text-slate-600">From (UTC)</label>
          <input id="from" name="from" type="date" defaultValue={filters.from?.slice(0, 10)} className={input} />
        </div>
        <div>
          <label htmlFor="to" className="block text-xs font-medium text-slate-600">To (UTC)</label>
          <input id="to" name="to" type="date" defaultValue={filters.to?.slice(0, 10)} className={input} />
        </div>
        <div>
          <label htmlFor="q" className="block text-xs font-medium text-slate-600">Text</label>
          <input id="q" name="q" type="search" defaultValue={list.q} className={input} />
        </div>
        <input type="hidden" name="sort" value={list.sort} />
        <input type="hidden" name="dir" value={list.dir} />
        <input type="hidden" name="size" value={String(list.size)} />
        <button type="submit" className="rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium hover:bg-slate-50">Filter</button>
        {Object.values(keep).some(Boolean) || list.q ? <a href={listHref(list, { q: "" })} className="py-1.5 text-sm text-brand-700 hover:underline">Clear</a> : null}
      </form>
      <DataTable
        dense
        list={list}
        hidden={keep}
        columns={[{ label: "When (UTC)", sort: "at" }, { label: "Who", sort: "actor" }, { label: "What", sort: "action" }, { label: "On what", sort: "target" }, "Before → after"]}
      >
        {rows.map((event) => (
          <tr key={event.id} data-testid="audit-event">
            <td className="whitespace-nowrap font-mono text-xs">{new Date(event.at).toISOString().replace("T", " ").slice(0, 19)}</td>
            <td className="text-xs">
              {event.actor_label}
              <div className="text-slate-500">{event.actor_type}{event.client_ip ? ` · ${event.client_ip}` : ""}</div>
            </td>
            <td className="font-mono text-xs">{event.action}</td>
            <td className="text-xs">{event.subject_type ? `${event.subject_type} ${event.subject_id}` : "—"}</td>
            <td className="max-w-md text-xs break-words text-slate-600">
              <AuditChangeList before={event.before} after={event.after} />
              {event.details ? <div className="font-mono">{summarize(event.details)}</div> : null}
            </td>
          </tr>
        ))}
      </DataTable>
      <Pager list={list} total={total} noun={["event", "events"]} hidden={keep} />
    </div>
  );
}
