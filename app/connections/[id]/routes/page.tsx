import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { getDb } from "@/db";
import { requirePageUser } from "@/lib/auth/page";
import { isStaff } from "@/lib/auth/roles";
import { getConnectionFor } from "@/lib/connections/service";
import { AuthorizationError, NotFoundError } from "@/lib/errors";
import { LOOKING_GLASS_KINDS, lookingGlass, lookingGlassServers, type LookingGlassKind, type LookingGlassPage } from "@/lib/routeserver/looking-glass";

export const dynamic = "force-dynamic";

export async function generateMetadata(props: { params: Promise<{ id: string }> }): Promise<Metadata> {
  return { title: `Routes of connection ${(await props.params).id}` };
}

const KIND_LABELS: Record<LookingGlassKind, string> = { accepted: "Accepted", filtered: "Filtered", exported: "Sent to you" };
const one = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value) ?? "";

export default async function ConnectionRoutesPage(props: { params: Promise<{ id: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const [{ id: idText }, search] = await Promise.all([props.params, props.searchParams]);
  const id = Number(idText);
  if (!/^\d+$/.test(idText) || !Number.isSafeInteger(id)) notFound();
  const user = await requirePageUser(`/connections/${id}/routes`);
  // Another member's connection is "not found" here: its existence is not ours to reveal.
  const connection = await getConnectionFor(getDb(), user, id).catch((error: unknown) => {
    if (error instanceof NotFoundError || error instanceof AuthorizationError) notFound();
    throw error;
  });
  const servers = await lookingGlassServers(getDb(), connection.lan_id);
  const serverId = Number(one(search.rs)) || servers[0]?.id;
  const family = one(search.family) === "6" ? 6 : 4;
  const kind = (LOOKING_GLASS_KINDS as readonly string[]).includes(one(search.kind)) ? (one(search.kind) as LookingGlassKind) : "accepted";
  const q = one(search.q).slice(0, 100);
  const page = Math.max(1, Math.min(100_000, Number(one(search.page)) || 1));
  const href = (changes: Record<string, string | number>) => {
    const params = new URLSearchParams({ rs: String(serverId ?? ""), family: String(family), kind, q, page: String(page), ...Object.fromEntries(Object.entries(changes).map(([key, value]) => [key, String(value)])) });
    if (!params.get("q")) params.delete("q");
    return `/connections/${id}/routes?${params}`;
  };

  let result: LookingGlassPage | null = null;
  let error: string | null = null;
  const live = ["provisioned", "active"].includes(connection.state) && connection.route_server_peering;
  if (live && serverId && servers.some((server) => server.id === serverId)) {
    try {
      result = await lookingGlass(getDb(), id, { routeServerId: serverId, family, kind, query: q, page });
    } catch (caught) {
      error = isStaff(user.role) && caught instanceof Error ? `Could not read the route server: ${caught.message}` : "The route server could not be read right now. Try again in a minute.";
    }
  }
  const pages = result ? Math.max(1, Math.ceil(result.matched / result.pageSize)) : 1;

  return (
    <div className="space-y-6">
      <div>
        <p className="text-sm"><Link href={`/connections/${id}`} className="text-slate-600 underline">Connection {id}</Link></p>
        <h1 className="text-2xl font-semibold tracking-tight">Routes of AS{connection.asn} on the route servers</h1>
        <p className="mt-1 text-sm text-slate-600">Read live from the route server (at most 30 s old): what it accepted from you, what it filtered and why, and what it sends to you.</p>
      </div>
      {!live ? <p className="rounded-lg border border-dashed border-slate-300 bg-white p-6 text-sm text-slate-600">This connection has no route-server sessions (its state: {connection.state}{connection.route_server_peering ? "" : "; it does not peer with the route servers"}).</p> : null}
      {live && servers.length === 0 ? <p className="text-sm text-slate-600">This peering LAN has no route server yet.</p> : null}
      {live && servers.length > 0 ? (
        <>
          <nav aria-label="Route server and family" className="flex flex-wrap gap-2 text-sm">
            {servers.map((server) =>
              [4, 6].map((f) => (
                <Link key={`${server.id}-${f}`} href={href({ rs: server.id, family: f, page: 1 })} aria-current={server.id === serverId && f === family ? "page" : undefined} className={`rounded-md border px-3 py-1 ${server.id === serverId && f === family ? "border-slate-900 bg-slate-900 text-white" : "border-slate-300 bg-white"}`}>
                  {server.name} IPv{f}
                </Link>
              )),
            )}
          </nav>
          <nav aria-label="Kind of route" className="flex flex-wrap gap-2 text-sm">
            {LOOKING_GLASS_KINDS.map((k) => (
              <Link key={k} href={href({ kind: k, page: 1 })} aria-current={k === kind ? "page" : undefined} className={`rounded-md border px-3 py-1 ${k === kind ? "border-sky-700 bg-sky-700 text-white" : "border-slate-300 bg-white"}`}>
                {KIND_LABELS[k]}
              </Link>
            ))}
          </nav>
          <form method="get" className="flex flex-wrap items-end gap-2">
            <input type="hidden" name="rs" value={serverId} />
            <input type="hidden" name="family" value={family} />
            <input type="hidden" name="kind" value={kind} />
            <div>
              <label htmlFor="q" className="block text-sm font-medium text-slate-700">Search</label>
              <input id="q" name="q" defaultValue={q} maxLength={100} placeholder="prefix, address, AS path or community" className="mt-1 block w-80 rounded-md border border-slate-300 px-3 py-2 text-sm shadow-sm" />
            </div>
            <button type="submit" className="rounded-md border border-slate-300 bg-white px-3 py-2 text-sm">Search</button>
          </form>
        </>
      ) : null}
      {error ? <p role="alert" className="rounded-md bg-red-50 p-3 text-sm text-red-800">{error}</p> : null}
      {result ? (
        <section aria-labelledby="routes-heading" className="space-y-3">
          <h2 id="routes-heading" className="text-lg font-semibold">
            {KIND_LABELS[kind]} <span data-testid="route-count" className="text-sm font-normal text-slate-500">{result.total} route{result.total === 1 ? "" : "s"}{q ? `, ${result.matched} matching` : ""}</span>
          </h2>
          {result.routes.length === 0 ? (
            <p className="text-sm text-slate-600">No routes{q ? " match" : ""}.</p>
          ) : (
            <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white shadow-sm">
              <table className="w-full text-left text-sm">
                <thead className="bg-slate-50 text-slate-600">
                  <tr><th className="px-3 py-2">Prefix</th><th className="px-3 py-2">Next hop</th><th className="px-3 py-2">AS path</th>{kind === "filtered" ? <th className="px-3 py-2">Why filtered</th> : <th className="px-3 py-2">Communities</th>}</tr>
                </thead>
                <tbody className="divide-y divide-slate-100">
                  {result.routes.map((route, index) => (
                    <tr key={`${route.prefix}-${index}`} data-testid="route-row">
                      <td className="px-3 py-2 font-mono">{route.prefix}</td>
                      <td className="px-3 py-2 font-mono">{route.nextHop ?? "—"}</td>
                      <td className="px-3 py-2 font-mono">{route.asPath || "—"}</td>
                      {kind === "filtered" ? (
                        <td className="px-3 py-2">{route.reasons.length === 0 ? "—" : route.reasons.map((reason) => <span key={reason.code} className="block">{reason.meaning} <span className="font-mono text-xs text-slate-500">(reason {reason.code})</span></span>)}</td>
                      ) : (
                        <td className="px-3 py-2 font-mono text-xs">{[...route.communities, ...route.largeCommunities].join(" ") || "—"}</td>
                      )}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          {pages > 1 ? (
            <nav aria-label="Pages" className="flex items-center gap-3 text-sm">
              {page > 1 ? <Link href={href({ page: page - 1 })} className="underline">Previous</Link> : null}
              <span>Page {page} of {pages}</span>
              {page < pages ? <Link href={href({ page: page + 1 })} className="underline">Next</Link> : null}
            </nav>
          ) : null}
          <p className="text-xs text-slate-500">Read from {result.routeServer.name} at {result.readAt.slice(11, 19)} UTC.</p>
        </section>
      ) : null}
    </div>
  );
}
