"use client";

import Link from "next/link";
import { MainNav } from "./main-nav";
import { SignOutButton } from "./sign-out-button";

/**
 * The header's markup. A client module although only the nav and sign-out are interactive: every
 * page's React payload then carries the few props below instead of the header's markup a second
 * time beside the HTML (bench:pages).
 */
export function SiteHeaderView({ user, items }: { user: { name: string; role: string; networks: string } | null; items: { href: string; label: string }[] }) {
  return (
    <header className="border-b border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900">
      <div className="mx-auto flex w-full max-w-6xl flex-wrap items-center gap-x-8 gap-y-2 px-4 py-3 sm:px-6">
        <Link href="/" className="flex items-center gap-2 font-semibold tracking-tight text-brand-900 dark:text-brand-100">
          <svg aria-hidden="true" viewBox="0 0 24 24" className="h-6 w-6 text-brand-600" fill="none" stroke="currentColor" strokeWidth="2">
            <circle cx="5" cy="12" r="2.5" />
            <circle cx="19" cy="5" r="2.5" />
            <circle cx="19" cy="19" r="2.5" />
            <path d="M7.3 11l9.4-4.8M7.3 13l9.4 4.8M19 7.5v9" />
          </svg>
          <span>ztix</span>
        </Link>
        {user ? <MainNav items={items} /> : null}
        <div className="ml-auto flex items-center gap-3">
          {user ? (
            <>
              <div className="text-right text-xs leading-tight" data-testid="signed-in-as">
                <div className="font-medium text-slate-900">
                  {user.name} <span className="rounded bg-slate-100 px-1.5 py-0.5 font-normal text-slate-600">{user.role}</span>
                </div>
                <div className="text-slate-500">{user.networks}</div>
              </div>
              <SignOutButton />
            </>
          ) : (
            <Link href="/login" className="rounded-md border border-slate-300 px-3 py-1.5 text-sm font-medium text-slate-700 hover:bg-slate-50">
              Sign in
            </Link>
          )}
        </div>
      </div>
    </header>
  );
}
