import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { getCurrentUser } from "@/lib/auth/session";
import { peeringDbLoginEnabled } from "@/lib/auth/options";
import { loginFailureMessages } from "@/lib/auth/peeringdb-provider";
import { safeCallbackUrl } from "@/lib/auth/callback-url";
import { LoginForm } from "./login-form";

export const metadata: Metadata = { title: "Sign in" };
export const dynamic = "force-dynamic";

export default async function LoginPage(props: { searchParams: Promise<{ callbackUrl?: string; error?: string }> }) {
  const searchParams = await props.searchParams;
  const callbackUrl = safeCallbackUrl(searchParams.callbackUrl);
  if (await getCurrentUser()) redirect(callbackUrl);
  const errorCode = searchParams.error;
  // Only our own messages are shown: an error code from a link cannot put text on this page.
  const error = errorCode ? (loginFailureMessages[errorCode as keyof typeof loginFailureMessages] ?? loginFailureMessages.default) : null;

  return (
    <div className="mx-auto max-w-sm">
      <div className="rounded-lg border border-slate-200 bg-white p-6 shadow-sm">
        <h1 className="text-xl font-semibold tracking-tight">Sign in to ztix</h1>
        <p className="mt-1 text-sm text-slate-600">Member networks use PeeringDB; operators use their ztix account.</p>
        {error ? (
          <p role="alert" data-testid="login-failure" className="mt-4 rounded-md bg-red-50 p-3 text-sm text-red-800">
            {error}
          </p>
        ) : null}
        <LoginForm callbackUrl={callbackUrl} peeringDb={peeringDbLoginEnabled()} />
      </div>
    </div>
  );
}
