"use client";

import { useActionState } from "react";
import { initialFormState } from "@/lib/actions/form-state";
import { FormMessage, SubmitButton } from "@/app/ui/forms/fields";
import { approveConnectionsAction } from "@/app/connections/actions";

/** The checkboxes beside each request belong to this form (form="bulk-approve"). */
export function BulkApproveForm() {
  const [state, action] = useActionState(approveConnectionsAction, initialFormState);
  return (
    <form id="bulk-approve" action={action} className="space-y-3 rounded-lg border border-slate-200 bg-white p-4 shadow-sm" aria-label="Approve several requests">
      <div className="flex flex-wrap items-center gap-3">
        <SubmitButton pendingText="Approving…">Approve the ticked requests</SubmitButton>
        <span className="text-sm text-slate-600">Each is approved on its own, with the next free addresses; the answer lists every one.</span>
      </div>
      <FormMessage state={state} />
    </form>
  );
}
