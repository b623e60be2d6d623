"use client";

import { useActionState } from "react";
import { initialFormState } from "@/lib/actions/form-state";
import { FormMessage, SubmitButton, TextField } from "@/app/ui/forms/fields";
import { saveNotificationSettingsAction } from "./actions";

export function NotificationSettingsForm({ email, kinds }: { email: string | null; kinds: { kind: string; label: string; on: boolean }[] }) {
  const [state, action] = useActionState(saveNotificationSettingsAction, initialFormState);
  // After an error the submitted checkboxes come back in `values` (React resets the form).
  const checked = (kind: string, on: boolean) => (state.values ? state.values[`kind_${kind}`] === "on" : on);
  return (
    <form action={action} className="space-y-4 rounded-lg border border-slate-200 bg-white p-5 shadow-sm">
      <TextField name="email" label="E-mail address" state={state} defaultValue={email ?? ""} autoComplete="email" hint="Leave empty for no mail at all." />
      <fieldset>
        <legend className="text-sm font-medium text-slate-700">Send me an e-mail when</legend>
        <div className="mt-2 space-y-2">
          {kinds.map((item) => (
            <label key={`${item.kind}-${String(state.values?.[`kind_${item.kind}`])}`} className="flex items-start gap-2 text-sm">
              <input type="checkbox" name={`kind_${item.kind}`} defaultChecked={checked(item.kind, item.on)} className="mt-0.5" />
              <span>{item.label}</span>
            </label>
          ))}
        </div>
      </fieldset>
      <div className="flex items-center gap-3">
        <SubmitButton pendingText="Saving…">Save</SubmitButton>
        <FormMessage state={state} />
      </div>
    </form>
  );
}
