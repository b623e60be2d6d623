"use client";

import { useActionState } from "react";
import { initialFormState } from "@/lib/actions/form-state";
import { ConfirmGate } from "@/app/ui/forms/confirm-gate";
import { SubmitButton } from "@/app/ui/forms/fields";
import { cancelJobAction, retryJobAction } from "./actions";

export function JobActions({ id }: { id: number }) {
  const [retryState, retry] = useActionState(retryJobAction, initialFormState);
  const [cancelState, cancel] = useActionState(cancelJobAction, initialFormState);
  const state = retryState.message ? retryState : cancelState;
  return (
    <div className="flex flex-wrap items-center gap-2">
      <form action={retry}>
        <input type="hidden" name="id" value={id} />
        <SubmitButton pendingText="Retrying…" tone="secondary">Retry</SubmitButton>
      </form>
      <form action={cancel}>
        <input type="hidden" name="id" value={id} />
        <ConfirmGate idPrefix={`cancel-job-${id}`} label="Cancel" confirmLabel="Cancel the job" pendingText="Cancelling…" tone="secondary" errors={cancelState.fieldErrors?.confirm} compact />
      </form>
      {state.message ? <span role={state.status === "error" ? "alert" : "status"} className={`text-xs ${state.status === "error" ? "text-red-700" : "text-emerald-700"}`}>{state.message}</span> : null}
    </div>
  );
}
