import type { Metadata } from "next";
import { getDb } from "@/db";
import { canAccessAsn } from "@/lib/auth/access";
import { requirePageUser } from "@/lib/auth/page";
import { isStaff } from "@/lib/auth/roles";
import { listLanChoices } from "@/lib/lans";
import { joinCommands } from "@/lib/router-state/describe";
import { RequestConnectionForm } from "./request-form";

export const metadata: Metadata = { title: "Request a connection" };
export const dynamic = "force-dynamic";

export default async function NewConnectionPage() {
  const user = await requirePageUser("/connections/new");
  const lans = await listLanChoices(getDb());
  const networks = user.networks.filter((network) => canAccessAsn(user, network.asn, "act"));
  return (
    <div className="mx-auto max-w-xl space-y-6">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">Request a connection</h1>
        <p className="mt-1 text-sm text-slate-600">
          Join your router to the exchange&apos;s ZeroTier network first, then ask here with its node id (
          <code className="font-mono text-xs">zerotier-cli info</code>). An operator approves the request; your router then gets its peering addresses.
        </p>
      </div>
      {lans.map((lan) => (
        <div key={lan.id} className="text-sm" data-testid={`join-${lan.zt_network_id}`}>
          <p className="text-slate-600">{lan.name}: on the router, as root (without allowGlobal=1 the router never puts its exchange addresses on its interface):</p>
          <pre className="mt-1 overflow-auto rounded-md bg-slate-900 p-3 font-mono text-xs text-slate-100">{joinCommands(lan.zt_network_id).join("\n")}</pre>
        </div>
      ))}
      {lans.length === 0 ? (
        <p className="rounded-md bg-amber-50 p-3 text-sm text-amber-900">The exchange has no peering LAN yet.</p>
      ) : networks.length === 0 && !isStaff(user.role) ? (
        <p className="rounded-md bg-amber-50 p-3 text-sm text-amber-900">
          You may not act for any network. Requesting a connection needs PeeringDB&apos;s &quot;update&quot; permission for the network.
        </p>
      ) : (
        <RequestConnectionForm
          networks={networks.map((network) => ({ asn: network.asn, name: network.networkName }))}
          lans={lans.map((lan) => ({ id: lan.id, name: lan.name, ztNetworkId: lan.zt_network_id }))}
          staff={isStaff(user.role)}
        />
      )}
    </div>
  );
}
