"use client";

import { useActionState } from "react";
import { initialFormState } from "@/lib/actions/form-state";
import { FormMessage, SubmitButton, TextField } from "@/app/ui/forms/fields";
import { setRouteServerEnabledAction, setRouteServerNodeAction } from "../actions";

export function SetNodeForm({ id, ztNodeId }: { id: number; ztNodeId: string | null }) {
  const [state, action] = useActionState(setRouteServerNodeAction, initialFormState);
  return (
    <form action={action} className="flex flex-wrap items-end gap-3" data-testid="set-node-form">
      <input type="hidden" name="id" value={id} />
      <TextField name="ztNodeId" label="ZeroTier node id" state={state} defaultValue={ztNodeId ?? ""} placeholder="10 hex digits" hint="zerotier-cli info on the route server's host prints it" required />
      <SubmitButton pendingText="Saving…">{ztNodeId ? "Change node" : "Set node"}</SubmitButton>
      <FormMessage state={state} />
    </form>
  );
}

export function EnableForm({ id, enabled }: { id: number; enabled: boolean }) {
  const [state, action] = useActionState(setRouteServerEnabledAction, initialFormState);
  return (
    <form action={action} className="flex items-center gap-3">
      <input type="hidden" name="id" value={id} />
      <input type="hidden" name="enabled" value={enabled ? "false" : "true"} />
      <SubmitButton pendingText="Saving…" tone={enabled ? "danger" : "secondary"}>{enabled ? "Disable" : "Enable"}</SubmitButton>
      <FormMessage state={state} />
    </form>
  );
}
