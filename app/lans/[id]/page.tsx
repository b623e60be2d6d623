import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { getDb } from "@/db";
import { requirePageUser } from "@/lib/auth/page";
import { getLanGeneralSettings, getLanPolicySettings } from "@/lib/lans";
import { RouteServerSettingsForm } from "./route-server-settings-form";
import { EditLanForm } from "../lan-forms";

export const metadata: Metadata = { title: "Peering LAN" };
export const dynamic = "force-dynamic";

export default async function LanPage(props: { params: Promise<{ id: string }> }) {
  const { id } = await props.params;
  if (!/^\d+$/.test(id)) notFound();
  await requirePageUser(`/lans/${id}`, ["admin", "operator"]);
  const settings = await getLanPolicySettings(getDb(), id).catch(() => null);
  if (!settings) notFound();
  const general = await getLanGeneralSettings(getDb(), settings.id);
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">Peering LAN {settings.name}</h1>
        <p className="mt-1 text-sm text-slate-600">Route servers AS{settings.rsAsn}. The route-server policy settings of this LAN; saving queues one deployment of its route servers. The same from the CLI: <code className="font-mono text-xs">lans set-rpki</code>, <code className="font-mono text-xs">lans set-blackhole</code>, <code className="font-mono text-xs">lans set-max-prefix</code>, <code className="font-mono text-xs">lans set-irr</code>, <code className="font-mono text-xs">lans policy</code>.</p>
      </div>
      <section className="space-y-3">
        <h2 className="text-lg font-semibold">General</h2>
        <EditLanForm lanId={general.id} settings={{ name: general.name, mtu: String(general.mtu), reservedHosts: String(general.reserved_host_count), quarantineDays: String(general.quarantine_days), description: general.description ?? "" }} />
        <p className="text-sm text-slate-600">ZeroTier network <code className="font-mono text-xs">{general.zt_network_id}</code>, {general.ipv4_prefix} and {general.ipv6_prefix} (fixed once members have addresses in them).</p>
      </section>
      <h2 className="text-lg font-semibold">Route-server settings</h2>
      <RouteServerSettingsForm
        lanId={settings.id}
        settings={{
          rtr: settings.rpkiServers.map((server) => (server.host.includes(":") ? `[${server.host}]:${server.port}` : `${server.host}:${server.port}`)).join(", "),
          irr: settings.irrFiltering ? "on" : "off",
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
