"use client";

import { useActionState } from "react";
import { initialFormState } from "@/lib/actions/form-state";
import { FormMessage, SubmitButton } from "@/app/ui/forms/fields";
import { refreshNetworkAction } from "./actions";

export function RefreshNetworkForm({ asn }: { asn: number }) {
  const [state, action] = useActionState(refreshNetworkAction, initialFormState);
  return (
    <form action={action} className="flex items-center gap-3">
      <input type="hidden" name="asn" value={asn} />
      <SubmitButton pendingText="Queueing…" tone="secondary">Refresh from PeeringDB</SubmitButton>
      <FormMessage state={state} />
    </form>
  );
}
