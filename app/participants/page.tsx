import type { Metadata } from "next";
import { getDb } from "@/db";
import { requirePageUser } from "@/lib/auth/page";
import { getConfig } from "@/lib/config";
import { listLanChoices } from "@/lib/lans";
import { parseListParams } from "@/lib/lists/list-params";
import { countParticipantNetworks, pageParticipants, participantListSpec, peeringDbLink } from "@/lib/participants";
import { DataTable } from "@/app/ui/data-table";
import { ListSearch, Pager } from "@/app/ui/list-controls";

export const metadata: Metadata = { title: "Participants" };
export const dynamic = "force-dynamic";

/** Who is on the exchange: every provisioned or active connection, for signed-in users. */
export default async function ParticipantsPage(props: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await requirePageUser("/participants");
  const lans = await listLanChoices(getDb());
  const list = parseListParams(participantListSpec(lans.map((lan) => lan.id)), await props.searchParams);
  const [{ rows, total }, networks] = await Promise.all([pageParticipants(getDb(), list), countParticipantNetworks(getDb())]);
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">Participants</h1>
        <p className="mt-1 text-sm text-slate-600">
          {networks} network{networks === 1 ? "" : "s"} on the exchange. Machine-readable as the IX-F Member Export at{" "}
          <a className="font-mono text-brand-700 hover:underline" href="/participants.json">/participants.json</a>
          {getConfig().ZTIX_PUBLIC_PARTICIPANTS ? " (public)" : " (with a read API key)"}.
        </p>
      </div>
      {networks === 0 ? (
        <p className="rounded-lg border border-dashed border-slate-300 bg-white p-6 text-sm text-slate-600">No network is connected yet.</p>
      ) : (
        <>
          <ListSearch
            list={list}
            label="Search participants"
            placeholder="ASN, name or address"
            filters={lans.length > 1 ? [{ name: "lan", label: "Peering LAN", options: lans.map((lan) => ({ value: String(lan.id), label: lan.name })) }] : []}
          />
          {rows.length === 0 ? (
            <p className="rounded-lg border border-dashed border-slate-300 bg-white p-6 text-sm text-slate-600">No participants match.</p>
          ) : (
            <DataTable
              dense
              list={list}
              columns={[{ label: "ASN", sort: "asn" }, { label: "Name", sort: "name" }, "PeeringDB", { label: "Peering LAN", sort: "lan" }, "Route servers", { label: "IPv4", sort: "address" }, "IPv6", { label: "Since", sort: "since" }]}
            >
              {rows.map((participant) => (
                <tr key={participant.connectionId} data-testid="participant" data-asn={participant.asn}>
                  <td className="font-medium">AS{participant.asn}</td>
                  <td>{participant.name ?? "—"}</td>
                  <td>
                    <a className="text-brand-700 hover:underline" href={peeringDbLink(participant)} rel="noreferrer" target="_blank">
                      PeeringDB
                    </a>
                  </td>
                  <td>{participant.lanName}</td>
                  <td>{participant.routeServerPeering ? "peers" : "bilateral only"}</td>
                  <td className="font-mono text-xs">{participant.ipv4 ?? "—"}</td>
                  <td className="font-mono text-xs">{participant.ipv6 ?? "—"}</td>
                  <td className="text-xs text-slate-600">{participant.since.toISOString().slice(0, 10)}</td>
                </tr>
              ))}
            </DataTable>
          )}
          <Pager list={list} total={total} noun={["connection", "connections"]} />
        </>
      )}
    </div>
  );
}
