import type { Metadata } from "next";
import { getDb } from "@/db";
import { findSignInToken } from "@/lib/auth/sign-in-links";
import { WelcomeForm } from "./welcome-form";

export const metadata: Metadata = { title: "Welcome", referrer: "no-referrer" };
export const dynamic = "force-dynamic";

/** A one-time sign-in link: the new account chooses its password (the link is then spent). */
export default async function WelcomePage(props: { params: Promise<{ token: string }> }) {
  const { token } = await props.params;
  const found = await findSignInToken(getDb(), token);
  return (
    <div className="mx-auto max-w-md space-y-4">
      <h1 className="text-2xl font-semibold tracking-tight">Welcome</h1>
      {found ? (
        <>
          <p className="text-sm text-slate-600 dark:text-slate-300">Choose a password for <strong>{found.username}</strong>. This link works once.</p>
          <WelcomeForm token={token} username={found.username} />
        </>
      ) : (
        <p role="alert" className="rounded-md bg-red-50 p-3 text-sm text-red-800">This sign-in link is invalid, used or expired; ask an administrator for a new one.</p>
      )}
    </div>
  );
}
