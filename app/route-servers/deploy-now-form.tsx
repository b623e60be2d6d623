"use client";

import { useActionState } from "react";
import { initialFormState } from "@/lib/actions/form-state";
import { FormMessage, SubmitButton } from "@/app/ui/forms/fields";
import { deployNowAction } from "./actions";

export function DeployNowForm({ lanId }: { lanId: number }) {
  const [state, action] = useActionState(deployNowAction, initialFormState);
  return (
    <form action={action} className="flex items-center gap-3">
      <input type="hidden" name="lanId" value={lanId} />
      <SubmitButton pendingText="Queueing…" tone="secondary">Deploy now</SubmitButton>
      <FormMessage state={state} />
    </form>
  );
}
