import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { getDb } from "@/db";
import { requirePageUser, TWO_FACTOR_ENROLMENT_PATH } from "@/lib/auth/page";
import { pendingEnrolment } from "@/lib/auth/two-factor";
import { ConfirmTwoFactorForm } from "../account-forms";

export const metadata: Metadata = { title: "Two-factor sign-in" };
export const dynamic = "force-dynamic";

export default async function TwoFactorPage() {
  const user = await requirePageUser(TWO_FACTOR_ENROLMENT_PATH);
  if (!user.localAccount) redirect("/account");
  const enrolment = await pendingEnrolment(getDb(), user.id);
  return (
    <div className="max-w-2xl space-y-6">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">Two-factor sign-in</h1>
        {user.mustEnrolTwoFactor ? (
          <p role="status" data-testid="two-factor-required" className="mt-3 rounded-md bg-amber-50 p-3 text-sm text-amber-900">
            This exchange requires two-factor sign-in for your account. Set it up to continue.
          </p>
        ) : null}
        <p className="mt-2 text-sm text-slate-600">
          Scan the code with an authenticator app (any app for time-based codes), then enter the 6-digit code it shows.
          {user.twoFactorEnabled ? " Your current authenticator keeps working until you confirm the new one." : ""}
        </p>
      </div>
      <div className="flex flex-wrap items-start gap-6 rounded-lg border border-slate-200 bg-white p-5 shadow-sm">
        {/* A data URL: rendered on the server, no request and no script. */}
        {/* eslint-disable-next-line @next/next/no-img-element */}
        <img src={enrolment.qrDataUrl} alt="QR code to scan with an authenticator app" width={200} height={200} className="rounded border border-slate-200" />
        <div className="min-w-0 flex-1 space-y-4">
          <div>
            <p className="text-xs text-slate-500">Or enter this key by hand:</p>
            <code data-testid="totp-secret" className="block break-all font-mono text-sm">{enrolment.secret}</code>
          </div>
          <ConfirmTwoFactorForm />
        </div>
      </div>
    </div>
  );
}
