"use client";

import { useActionState, useState } from "react";
import { initialFormState } from "@/lib/actions/form-state";
import { FieldErrors, FormMessage, SubmitButton, TextField } from "@/app/ui/forms/fields";
import { CopyButton } from "@/app/ui/copy-button";
import { createAccountAction } from "./actions";

export function CreateAccountForm() {
  const [state, action] = useActionState(createAccountAction, initialFormState);
  const [credential, setCredential] = useState(state.values?.credential ?? "link");
  return (
    <form action={action} className="space-y-4 rounded-lg border border-slate-200 bg-white p-5 shadow-sm dark:border-slate-700 dark:bg-slate-900" aria-label="New account">
      <h2 className="text-lg font-semibold">New account</h2>
      <div className="grid gap-4 md:grid-cols-2">
        <TextField name="username" label="Username" state={state} required />
        <TextField name="displayName" label="Display name" state={state} />
        <div>
          <label htmlFor="role" className="block text-sm font-medium text-slate-700 dark:text-slate-200">Role</label>
          <select key={state.values?.role ?? "member"} id="role" name="role" defaultValue={state.values?.role ?? "member"} aria-describedby="role-errors" className="mt-1 block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm dark:border-slate-600 dark:bg-slate-800">
            <option value="member">member</option>
            <option value="operator">operator</option>
            <option value="admin">admin</option>
          </select>
          <FieldErrors id="role-errors" errors={state.fieldErrors?.role} />
        </div>
        <TextField name="asns" label="Networks (ASNs)" state={state} placeholder="64500, 64501" hint="The member's networks, vouched for by you (manual affiliation)." />
      </div>
      <fieldset className="space-y-2">
        <legend className="text-sm font-medium text-slate-700 dark:text-slate-200">First sign-in</legend>
        <label className="flex items-center gap-2 text-sm">
          <input type="radio" name="credential" value="link" defaultChecked={credential === "link"} onChange={() => setCredential("link")} /> A one-time sign-in link (they choose their password)
        </label>
        <label className="flex items-center gap-2 text-sm">
          <input type="radio" name="credential" value="password" defaultChecked={credential === "password"} onChange={() => setCredential("password")} /> A password I set
        </label>
        {credential === "password" ? (
          <div>
            <label htmlFor="password" className="block text-sm font-medium text-slate-700 dark:text-slate-200">Password</label>
            <input id="password" name="password" type="password" autoComplete="new-password" aria-describedby="password-errors" className="mt-1 block w-full rounded-md border border-slate-300 px-3 py-2 text-sm dark:border-slate-600 dark:bg-slate-800" required />
            <FieldErrors id="password-errors" errors={state.fieldErrors?.password} />
          </div>
        ) : null}
      </fieldset>
      <FormMessage state={state} />
      {state.secret ? (
        <div className="flex flex-wrap items-center gap-2">
          <code data-testid="sign-in-link" className="break-all rounded-md bg-slate-100 px-2 py-1 font-mono text-xs dark:bg-slate-800">{state.secret}</code>
          <CopyButton text={state.secret} label="Copy link" />
        </div>
      ) : null}
      <SubmitButton pendingText="Creating…">Create account</SubmitButton>
    </form>
  );
}
