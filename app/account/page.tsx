import type { Metadata } from "next";
import Link from "next/link";
import { getDb } from "@/db";
import { requirePageUser } from "@/lib/auth/page";
import { twoFactorStatus } from "@/lib/auth/two-factor";
import { ChangePasswordForm, SignOutEverywhereForm } from "./account-forms";

export const metadata: Metadata = { title: "Account" };
export const dynamic = "force-dynamic";

export default async function AccountPage() {
  const user = await requirePageUser("/account");
  const status = await twoFactorStatus(getDb(), user.id);
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-semibold tracking-tight">Account</h1>
      <section className="rounded-lg border border-slate-200 bg-white p-5 shadow-sm">
        <h2 className="mb-1 font-medium">Two-factor sign-in</h2>
        {user.localAccount ? (
          <>
            <p className="mb-3 text-sm text-slate-600" data-testid="two-factor-status">
              {status.enabledAt
                ? `On since ${new Date(status.enabledAt).toISOString().slice(0, 10)}; ${status.recoveryCodesLeft} recovery ${status.recoveryCodesLeft === 1 ? "code" : "codes"} left.`
                : "Off: signing in takes only your password."}
            </p>
            <Link href="/account/two-factor" className="text-sm font-medium text-brand-700 hover:underline">
              {status.enabledAt ? "Move to a new authenticator (new recovery codes)" : "Set up two-factor sign-in"}
            </Link>
          </>
        ) : (
          <p className="text-sm text-slate-600">You sign in with PeeringDB: turn on two-factor authentication in your PeeringDB account.</p>
        )}
      </section>
      {user.localAccount ? (
        <section className="rounded-lg border border-slate-200 bg-white p-5 shadow-sm">
          <h2 className="mb-1 font-medium">Password</h2>
          <p className="mb-3 text-sm text-slate-600">Changing it ends your sessions in other browsers; this one stays signed in.</p>
          <ChangePasswordForm />
        </section>
      ) : null}
      <section className="rounded-lg border border-slate-200 bg-white p-5 shadow-sm">
        <h2 className="mb-1 font-medium">Sessions</h2>
        <p className="mb-3 text-sm text-slate-600">Ends your sessions in every browser, including this one (for a lost laptop or a shared computer).</p>
        <SignOutEverywhereForm />
      </section>
    </div>
  );
}
