import type { Metadata } from "next";
import { getDb } from "@/db";
import { requirePageUser } from "@/lib/auth/page";
import { getConfig } from "@/lib/config";
import { listParticipants, peeringDbLink } from "@/lib/participants";
import { DataTable } from "@/app/ui/data-table";

export const metadata: Metadata = { title: "Participants" };
export const dynamic = "force-dynamic";

/** Who is on the exchange: every provisioned or active connection, for signed-in users. */
export default async function ParticipantsPage() {
  await requirePageUser("/participants");
  const participants = await listParticipants(getDb());
  const networks = new Set(participants.map((participant) => participant.asn)).size;
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
      {participants.length === 0 ? (
        <p className="rounded-lg border border-dashed border-slate-300 bg-white p-6 text-sm text-slate-600">No network is connected yet.</p>
      ) : (
        <DataTable dense columns={["ASN", "Name", "PeeringDB", "Peering LAN", "Route servers", "IPv4", "IPv6", "Since"]}>
          {participants.map((participant) => (
            <tr key={participant.connectionId} data-testid="participant" data-asn={participant.asn}>
              <td className="px-3 py-2 font-medium">AS{participant.asn}</td>
              <td className="px-3 py-2">{participant.name ?? "—"}</td>
              <td className="px-3 py-2">
                <a className="text-brand-700 hover:underline" href={peeringDbLink(participant)} rel="noreferrer" target="_blank">
                  PeeringDB
                </a>
              </td>
              <td className="px-3 py-2">{participant.lanName}</td>
              <td className="px-3 py-2">{participant.routeServerPeering ? "peers" : "bilateral only"}</td>
              <td className="px-3 py-2 font-mono text-xs">{participant.ipv4 ?? "—"}</td>
              <td className="px-3 py-2 font-mono text-xs">{participant.ipv6 ?? "—"}</td>
              <td className="px-3 py-2 text-xs text-slate-600">{participant.since.toISOString().slice(0, 10)}</td>
            </tr>
          ))}
        </DataTable>
      )}
    </div>
  );
}
