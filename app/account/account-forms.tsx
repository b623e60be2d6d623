"use client";

import Link from "next/link";
import { useActionState } from "react";
import { initialFormState } from "@/lib/actions/form-state";
import { ConfirmGate } from "@/app/ui/forms/confirm-gate";
import { FormMessage, SubmitButton, TextField } from "@/app/ui/forms/fields";
import { changePasswordAction, confirmTwoFactorAction, signOutEverywhereAction } from "./actions";

export function ConfirmTwoFactorForm() {
  const [state, action] = useActionState(confirmTwoFactorAction, initialFormState);
  if (state.status === "ok" && state.message) {
    return (
      <div className="space-y-3">
        <p role="status" className="rounded-md bg-emerald-50 p-3 text-sm text-emerald-900">
          Two-factor sign-in is on. Keep these recovery codes somewhere safe: each signs you in once without the app, and they are not shown again.
        </p>
        <ol data-testid="recovery-codes" className="grid gap-1 rounded-md border border-slate-200 bg-white p-3 font-mono text-sm sm:grid-cols-2">
          {state.message.split("\n").map((code) => (
            <li key={code}>{code}</li>
          ))}
        </ol>
        <Link href="/" className="inline-block rounded-md bg-brand-600 px-3 py-2 text-sm font-semibold text-white hover:bg-brand-700">
          I have saved them: continue
        </Link>
      </div>
    );
  }
  return (
    <form action={action} className="space-y-3">
      <TextField name="code" label="Code from the app" state={state} autoComplete="one-time-code" placeholder="123456" />
      <FormMessage state={state} />
      <SubmitButton pendingText="Checking…">Turn on two-factor sign-in</SubmitButton>
    </form>
  );
}

export function SignOutEverywhereForm() {
  const [state, action] = useActionState(signOutEverywhereAction, initialFormState);
  return (
    <form action={action} className="space-y-2">
      <FormMessage state={state} />
      <ConfirmGate idPrefix="sign-out-everywhere" label="Sign out everywhere" confirmLabel="Sign out every browser, this one too" pendingText="Signing out…" tone="secondary" errors={state.fieldErrors?.confirm} />
    </form>
  );
}

export function ChangePasswordForm() {
  const [state, action] = useActionState(changePasswordAction, initialFormState);
  return (
    <form action={action} className="max-w-md space-y-3" aria-label="Change password">
      <TextField name="currentPassword" type="password" label="Current password" state={state} autoComplete="current-password" />
      <TextField name="newPassword" type="password" label="New password" state={state} autoComplete="new-password" hint="At least 12 characters, not containing your username." />
      <TextField name="repeatPassword" type="password" label="New password again" state={state} autoComplete="new-password" />
      <FormMessage state={state} />
      <SubmitButton pendingText="Changing…">Change password</SubmitButton>
    </form>
  );
}
