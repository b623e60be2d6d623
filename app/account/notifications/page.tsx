import type { Metadata } from "next";
import { getDb } from "@/db";
import { requirePageUser } from "@/lib/auth/page";
import { kindsFor, mailEnabled, NOTIFICATION_KINDS, notificationSettings } from "@/lib/notifications";
import { NotificationSettingsForm } from "./settings-form";

export const metadata: Metadata = { title: "Notifications" };
export const dynamic = "force-dynamic";

export default async function NotificationsPage() {
  const user = await requirePageUser("/account/notifications");
  const settings = await notificationSettings(getDb(), user.id);
  const kinds = kindsFor(user.role).map((kind) => ({ kind, label: NOTIFICATION_KINDS[kind].label, on: !settings.off.has(kind) }));
  return (
    <div className="mx-auto max-w-xl space-y-6">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">Notifications</h1>
        <p className="mt-1 text-sm text-slate-600">
          E-mail about your networks&apos; connections{user.role === "member" ? "" : " and about the exchange's operations"}. Every kind is on until you switch it off.
        </p>
        {mailEnabled() ? null : <p className="mt-2 rounded-md bg-amber-50 p-3 text-sm text-amber-900">The exchange has not configured e-mail (SMTP_URL): nothing is sent for now.</p>}
      </div>
      <NotificationSettingsForm email={settings.email} kinds={kinds} />
    </div>
  );
}
