import type { Metadata } from "next";
import { getDb } from "@/db";
import { listAuditEvents } from "@/lib/audit";
import { requirePageUser } from "@/lib/auth/page";
import { DataTable } from "@/app/ui/data-table";

export const metadata: Metadata = { title: "Audit log" };
export const dynamic = "force-dynamic";

const PAGE_SIZE = 100;

function summarize(value: unknown) {
  if (value === null || value === undefined) return "";
  return typeof value === "string" ? value : JSON.stringify(value);
}

export default async function AuditPage(props: { searchParams: Promise<{ action?: string; actor?: string; page?: string }> }) {
  await requirePageUser("/admin/audit", ["admin", "operator"]);
  const searchParams = await props.searchParams;
  const page = Math.max(1, Number(searchParams.page) || 1);
  const events = await listAuditEvents(
    getDb(),
    { action: searchParams.action?.slice(0, 100) || undefined, actor: searchParams.actor?.slice(0, 100) || undefined },
    { limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE },
  );
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-semibold tracking-tight">Audit log</h1>
      <form className="flex flex-wrap items-end gap-3" role="search">
        <div>
          <label htmlFor="action" className="block text-xs font-medium text-slate-600">Action starts with</label>
          <input id="action" name="action" defaultValue={searchParams.action ?? ""} placeholder="auth." className="mt-1 rounded-md border border-slate-300 px-2 py-1 text-sm" />
        </div>
        <div>
          <label htmlFor="actor" className="block text-xs font-medium text-slate-600">Actor contains</label>
          <input id="actor" name="actor" defaultValue={searchParams.actor ?? ""} className="mt-1 rounded-md border border-slate-300 px-2 py-1 text-sm" />
        </div>
        <button type="submit" className="rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium hover:bg-slate-50">Filter</button>
      </form>
      <DataTable columns={["When (UTC)", "Actor", "Action", "Subject", "Change"]} dense>
            {events.map((event) => (
              <tr key={event.id}>
                <td className="whitespace-nowrap px-3 py-2 font-mono text-xs">{new Date(event.at).toISOString().replace("T", " ").slice(0, 19)}</td>
                <td className="px-3 py-2 text-xs">
                  {event.actor_label}
                  <div className="text-slate-400">{event.actor_type}{event.client_ip ? ` · ${event.client_ip}` : ""}</div>
                </td>
                <td className="px-3 py-2 font-mono text-xs">{event.action}</td>
                <td className="px-3 py-2 text-xs">{event.subject_type ? `${event.subject_type} ${event.subject_id}` : "—"}</td>
                <td className="max-w-md px-3 py-2 font-mono text-xs break-words text-slate-600">
                  {event.before ? <div>before: {summarize(event.before)}</div> : null}
                  {event.after ? <div>after: {summarize(event.after)}</div> : null}
                  {event.details ? <div>{summarize(event.details)}</div> : null}
                </td>
              </tr>
            ))}
      </DataTable>
      <nav aria-label="Pages" className="flex gap-3 text-sm">
        {page > 1 ? <a className="text-brand-700 hover:underline" href={`?${new URLSearchParams({ ...searchParams, page: String(page - 1) })}`}>Newer</a> : null}
        {events.length === PAGE_SIZE ? <a className="text-brand-700 hover:underline" href={`?${new URLSearchParams({ ...searchParams, page: String(page + 1) })}`}>Older</a> : null}
      </nav>
    </div>
  );
}
