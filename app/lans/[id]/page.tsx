import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { getDb } from "@/db";
import { requirePageUser } from "@/lib/auth/page";
import { getLanPolicySettings } from "@/lib/lans";
import { RouteServerSettingsForm } from "./route-server-settings-form";

export const metadata: Metadata = { title: "Peering LAN" };
export const dynamic = "force-dynamic";

export default async function LanPage(props: { params: Promise<{ id: string }> }) {
  const { id } = await props.params;
  if (!/^\d+$/.test(id)) notFound();
  await requirePageUser(`/lans/${id}`, ["admin", "operator"]);
  const settings = await getLanPolicySettings(getDb(), id).catch(() => null);
  if (!settings) notFound();
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">Peering LAN {settings.name}</h1>
        <p className="mt-1 text-sm text-slate-600">Route servers AS{settings.rsAsn}. The route-server policy settings of this LAN; saving queues one deployment of its route servers. The same from the CLI: <code className="font-mono text-xs">lans set-rpki</code>, <code className="font-mono text-xs">lans set-blackhole</code>, <code className="font-mono text-xs">lans set-max-prefix</code>, <code className="font-mono text-xs">lans policy</code>.</p>
      </div>
      <RouteServerSettingsForm
        lanId={settings.id}
        settings={{
          rtr: settings.rpkiServers.map((server) => (server.host.includes(":") ? `[${server.host}]:${server.port}` : `${server.host}:${server.port}`)).join(", "),
          ipv4: settings.blackholeIpv4 ?? "",
          ipv6: settings.blackholeIpv6 ?? "",
          marginPercent: String(settings.maxPrefixMarginPercent),
          default4: String(settings.defaultMaxPrefix4),
          default6: String(settings.defaultMaxPrefix6),
        }}
      />
    </div>
  );
}
