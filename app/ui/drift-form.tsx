"use client";

import { useActionState } from "react";
import { initialFormState } from "@/lib/actions/form-state";
import { ConfirmGate } from "./forms/confirm-gate";
import { FormMessage } from "./forms/fields";
import { deauthorizeDriftAction } from "../dashboard-actions";

export function DeauthorizeDriftForm({ id }: { id: number }) {
  const [state, action] = useActionState(deauthorizeDriftAction, initialFormState);
  return (
    <form action={action} className="flex items-center gap-2">
      <input type="hidden" name="id" value={id} />
      <ConfirmGate idPrefix={`drift-${id}`} label="Deauthorize" confirmLabel="Deauthorize on the controller" pendingText="Deauthorizing…" errors={state.fieldErrors?.confirm} compact />
      <FormMessage state={state} />
    </form>
  );
}
