"use client";

import Link from "next/link";
import { useActionState } from "react";
import { initialFormState } from "@/lib/actions/form-state";
import { FieldErrors, FormMessage, SubmitButton } from "@/app/ui/forms/fields";
import { setPasswordWithLinkAction } from "./actions";

export function WelcomeForm({ token, username }: { token: string; username: string }) {
  const [state, action] = useActionState(setPasswordWithLinkAction, initialFormState);
  if (state.status === "ok") {
    return (
      <div className="space-y-3">
        <FormMessage state={state} />
        <Link href="/login" className="text-brand-700 hover:underline dark:text-brand-100">Sign in</Link>
      </div>
    );
  }
  return (
    <form action={action} className="space-y-4 rounded-lg border border-slate-200 bg-white p-5 shadow-sm dark:border-slate-700 dark:bg-slate-900">
      <input type="hidden" name="token" value={token} />
      <input type="text" name="username" value={username} autoComplete="username" readOnly hidden />
      {(["password", "confirm"] as const).map((name) => (
        <div key={name}>
          <label htmlFor={name} className="block text-sm font-medium text-slate-700 dark:text-slate-200">{name === "password" ? "New password" : "The same again"}</label>
          <input id={name} name={name} type="password" autoComplete="new-password" required aria-describedby={`${name}-errors`} className="mt-1 block w-full rounded-md border border-slate-300 px-3 py-2 text-sm dark:border-slate-600 dark:bg-slate-800" />
          <FieldErrors id={`${name}-errors`} errors={state.fieldErrors?.[name]} />
        </div>
      ))}
      <p className="text-xs text-slate-600 dark:text-slate-300">At least 12 characters, not containing your username.</p>
      <FormMessage state={state} />
      <SubmitButton pendingText="Saving…">Set password</SubmitButton>
    </form>
  );
}
