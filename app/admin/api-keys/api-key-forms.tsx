"use client";

import { useActionState } from "react";
import { initialFormState } from "@/lib/actions/form-state";
import { ConfirmGate } from "@/app/ui/forms/confirm-gate";
import { FieldErrors, FormMessage, SubmitButton, TextField } from "@/app/ui/forms/fields";
import { createApiKeyAction, revokeApiKeyAction } from "./actions";
import { CopyButton } from "@/app/ui/copy-button";

export function CreateApiKeyForm() {
  const [state, action] = useActionState(createApiKeyAction, initialFormState);
  return (
    <form action={action} className="space-y-4 rounded-lg border border-slate-200 bg-white p-5 shadow-sm">
      <h2 className="font-medium">New key</h2>
      <div className="grid gap-4 sm:grid-cols-3">
        <TextField name="name" label="Name" state={state} placeholder="monitoring" />
        <div>
          <label htmlFor="scope" className="block text-sm font-medium text-slate-700">Scope</label>
          <select id="scope" name="scope" defaultValue={state.values?.scope ?? "read"} aria-describedby="scope-errors" className="mt-1 block w-full rounded-md border border-slate-300 px-3 py-2 text-sm">
            <option value="read">read</option>
            <option value="admin">admin</option>
          </select>
          <FieldErrors id="scope-errors" errors={state.fieldErrors?.scope} />
        </div>
        <TextField name="expires" label="Expires (optional)" state={state} placeholder="2027-12-31" />
      </div>
      {state.status === "ok" && state.message ? (
        <div role="status" className="rounded-md bg-emerald-50 p-3 text-sm text-emerald-900">
          Copy the key now; it is not shown again:
          <code data-testid="new-api-key" className="mt-1 block break-all font-mono text-xs">{state.message}</code>
          <CopyButton text={state.message} label="Copy key" />
        </div>
      ) : (
        <FormMessage state={state} />
      )}
      <SubmitButton pendingText="Creating…">Create key</SubmitButton>
    </form>
  );
}

export function RevokeApiKeyForm({ id }: { id: number }) {
  const [state, action] = useActionState(revokeApiKeyAction, initialFormState);
  return (
    <form action={action} className="flex items-center gap-2">
      <input type="hidden" name="id" value={id} />
      <ConfirmGate idPrefix={`revoke-${id}`} label="Revoke" confirmLabel="Revoke the key" pendingText="Revoking…" tone="secondary" errors={state.fieldErrors?.confirm} compact />
      {state.status === "error" ? <span role="alert" className="text-xs text-red-700">{state.message}</span> : null}
    </form>
  );
}
