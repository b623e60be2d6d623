"use client";

import { useActionState } from "react";
import { initialFormState } from "@/lib/actions/form-state";
import { FormMessage, SubmitButton } from "./forms/fields";
import { deauthorizeDriftAction } from "../dashboard-actions";

export function DeauthorizeDriftForm({ id }: { id: number }) {
  const [state, action] = useActionState(deauthorizeDriftAction, initialFormState);
  return (
    <form action={action} className="flex items-center gap-2">
      <input type="hidden" name="id" value={id} />
      <SubmitButton pendingText="Deauthorizing…" tone="danger">Deauthorize</SubmitButton>
      <FormMessage state={state} />
    </form>
  );
}
