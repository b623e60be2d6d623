"use client";

import { useActionState } from "react";
import { initialFormState } from "@/lib/actions/form-state";
import { FormMessage, SubmitButton, TextField } from "@/app/ui/forms/fields";
import { approveConnectionAction, rejectConnectionAction, removeConnectionAction, retryConnectionAction } from "../actions";

export function ApproveForm({ id, compact = false }: { id: number; compact?: boolean }) {
  const [state, action] = useActionState(approveConnectionAction, initialFormState);
  return (
    <form action={action} className="space-y-3" aria-label={`Approve connection ${id}`}>
      <input type="hidden" name="id" value={id} />
      {compact ? null : (
        <div className="grid gap-3 sm:grid-cols-2">
          <TextField name="ipv4" label="IPv4 address (optional)" state={state} hint="Empty: the next free address" />
          <TextField name="ipv6" label="IPv6 address (optional)" state={state} hint="Empty: by the LAN's scheme" />
        </div>
      )}
      <FormMessage state={state} />
      <SubmitButton pendingText="Approving…">Approve</SubmitButton>
    </form>
  );
}

export function RejectForm({ id }: { id: number }) {
  const [state, action] = useActionState(rejectConnectionAction, initialFormState);
  return (
    <form action={action} className="space-y-3" aria-label={`Reject connection ${id}`}>
      <input type="hidden" name="id" value={id} />
      <TextField name="reason" label="Reason (shown to the network)" state={state} />
      <FormMessage state={state} />
      <SubmitButton pendingText="Rejecting…" tone="secondary">Reject</SubmitButton>
    </form>
  );
}

export function RemoveForm({ id, withdraw }: { id: number; withdraw: boolean }) {
  const [state, action] = useActionState(removeConnectionAction, initialFormState);
  return (
    <form action={action} className="space-y-3" aria-label={`Remove connection ${id}`}>
      <input type="hidden" name="id" value={id} />
      <FormMessage state={state} />
      <SubmitButton pendingText="Working…" tone="danger">{withdraw ? "Withdraw request" : "Remove connection"}</SubmitButton>
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
