"use client";

import { useActionState } from "react";
import { initialFormState, type FormState } from "@/lib/actions/form-state";
import { ConfirmGate } from "@/app/ui/forms/confirm-gate";
import { FormMessage, SubmitButton, TextField } from "@/app/ui/forms/fields";
import { approveConnectionAction, rejectConnectionAction, removeConnectionAction, retryConnectionAction, revealBgpPasswordAction, setBgpPasswordAction } from "../actions";

type ActionHandle = [state: FormState, action: (formData: FormData) => void, pending: boolean];

/**
 * On the Requests page (`from="requests"`) a decision does not refresh the list: the request keeps
 * its place and shows its outcome (RequestDecision), so the next request's buttons never slide under
 * the pointer. Elsewhere the page refreshes with the connection's new state.
 */
export function ApproveForm({ id, compact = false }: { id: number; compact?: boolean }) {
  return <ApproveFormView id={id} compact={compact} handle={useActionState(approveConnectionAction, initialFormState)} />;
}

export function ApproveFormView({ id, compact = false, from, handle: [state, action] }: { id: number; compact?: boolean; from?: "requests"; handle: ActionHandle }) {
  return (
    <form action={action} className="space-y-3" aria-label={`Approve connection ${id}`}>
      <input type="hidden" name="id" value={id} />
      {from ? <input type="hidden" name="from" value={from} /> : null}
      {compact ? null : (
        <div className="grid gap-3 sm:grid-cols-2">
          <TextField name="ipv4" label="IPv4 address (optional)" state={state} hint="Empty: the next free address" />
          <TextField name="ipv6" label="IPv6 address (optional)" state={state} hint="Empty: by the LAN's scheme" />
        </div>
      )}
      {/* On the Requests page a success is said over the forms (RequestDecision), which keep their size. */}
      {from && state.status === "ok" ? null : <FormMessage state={state} />}
      <SubmitButton pendingText="Approving…">Approve</SubmitButton>
    </form>
  );
}

export function RejectForm({ id }: { id: number }) {
  return <RejectFormView id={id} handle={useActionState(rejectConnectionAction, initialFormState)} />;
}

export function RejectFormView({ id, from, handle: [state, action] }: { id: number; from?: "requests"; handle: ActionHandle }) {
  return (
    <form action={action} className="space-y-3" aria-label={`Reject connection ${id}`}>
      <input type="hidden" name="id" value={id} />
      {from ? <input type="hidden" name="from" value={from} /> : null}
      <TextField name="reason" label="Reason (shown to the network)" state={state} />
      {from && state.status === "ok" ? null : <FormMessage state={state} />}
      <ConfirmGate idPrefix={`reject-${id}`} label="Reject" confirmLabel="Reject the request" pendingText="Rejecting…" tone="secondary" errors={state.fieldErrors?.confirm} />
    </form>
  );
}

export function RemoveForm({ id, asn, withdraw }: { id: number; asn: number; withdraw: boolean }) {
  const [state, action] = useActionState(removeConnectionAction, initialFormState);
  return (
    <form action={action} className="space-y-3" aria-label={`Remove connection ${id}`}>
      <input type="hidden" name="id" value={id} />
      <FormMessage state={state} />
      <ConfirmGate
        idPrefix={`remove-${id}`}
        label={withdraw ? "Withdraw request" : "Remove connection"}
        confirmLabel={withdraw ? "Withdraw the request" : `Remove AS${asn}'s connection`}
        pendingText="Working…"
        typed={withdraw ? undefined : `AS${asn}`}
        errors={state.fieldErrors?.confirm}
      />
    </form>
  );
}

export function RetryForm({ id }: { id: number }) {
  const [state, action] = useActionState(retryConnectionAction, initialFormState);
  return (
    <form action={action} className="space-y-3" aria-label={`Retry connection ${id}`}>
      <input type="hidden" name="id" value={id} />
      <FormMessage state={state} />
      <SubmitButton pendingText="Retrying…" tone="secondary">Retry</SubmitButton>
    </form>
  );
}

export function BgpPasswordForm({ id, isSet }: { id: number; isSet: boolean }) {
  const [state, action] = useActionState(setBgpPasswordAction, initialFormState);
  return (
    <div className="space-y-3">
      <form action={action} className="space-y-3" aria-label={`BGP password of connection ${id}`}>
        <input type="hidden" name="id" value={id} />
        <div>
          <label htmlFor="bgp-password" className="block text-sm font-medium text-slate-700">New BGP password (optional)</label>
          <input id="bgp-password" name="password" type="password" autoComplete="new-password" aria-describedby="bgp-password-hint" className="mt-1 block w-full rounded-md border border-slate-300 px-3 py-2 text-sm shadow-sm" />
          <p id="bgp-password-hint" className="mt-1 text-xs text-slate-500">Empty: a strong one is generated. 1 to 80 printable characters without spaces, quotes or backslashes.</p>
          {state.fieldErrors?.password?.map((error) => <p key={error} className="mt-1 text-xs text-red-700">{error}</p>)}
        </div>
        <FormMessage state={state} />
        <SubmitButton pendingText="Saving…" tone="secondary">{isSet ? "Set a new password" : "Set password"}</SubmitButton>
      </form>
      {isSet ? (
        <form action={action}>
          <input type="hidden" name="id" value={id} />
          <input type="hidden" name="clear" value="yes" />
          <SubmitButton pendingText="Clearing…" tone="secondary">Clear password</SubmitButton>
        </form>
      ) : null}
    </div>
  );
}

export function RevealBgpPasswordForm({ id }: { id: number }) {
  const [state, action] = useActionState(revealBgpPasswordAction, initialFormState);
  if (state.status === "ok" && state.message) {
    return (
      <div role="status" className="rounded-md bg-emerald-50 p-3 text-sm text-emerald-900">
        Put this into your router now; it is not shown again:
        <code data-testid="bgp-password" className="mt-1 block break-all font-mono text-sm">{state.message}</code>
      </div>
    );
  }
  return (
    <form action={action} className="space-y-2">
      <input type="hidden" name="id" value={id} />
      <FormMessage state={state} />
      <SubmitButton pendingText="Revealing…" tone="secondary">Show the BGP password once</SubmitButton>
    </form>
  );
}
