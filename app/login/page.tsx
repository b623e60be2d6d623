import type { Metadata } from "next";

export const metadata: Metadata = { title: "Sign in" };

export default function LoginPage() {
  return (
    <div className="mx-auto max-w-sm">
      <div className="rounded-lg border border-slate-200 bg-white p-6 shadow-sm">
        <h1 className="text-xl font-semibold tracking-tight">Sign in to ztix</h1>
        <p className="mt-2 text-sm text-slate-600">
          Operators sign in with an account created on the server (<code className="font-mono text-xs">npm run cli -- users create</code>);
          member networks sign in with PeeringDB.
        </p>
        <p className="mt-4 rounded-md bg-amber-50 p-3 text-sm text-amber-900" role="status">
          Sign-in is not enabled in this build yet.
        </p>
      </div>
    </div>
  );
}
