"use client";

import { useActionState } from "react";
import { initialFormState, type FormState } from "@/lib/actions/form-state";
import { ConfirmGate } from "@/app/ui/forms/confirm-gate";
import { setUserDisabledAction, setUserRoleAction, signOutUserEverywhereAction } from "./actions";

function Feedback({ state }: { state: FormState }) {
  if (!state.message) return null;
  return (
    <span role={state.status === "error" ? "alert" : "status"} className={`text-xs ${state.status === "error" ? "text-red-700" : "text-emerald-700"}`}>
      {state.message}
    </span>
  );
}

export function DisableForm({ username, disabled }: { username: string; disabled: boolean }) {
  const [state, action, pending] = useActionState(setUserDisabledAction, initialFormState);
  return (
    <form action={action} className="flex items-center gap-2">
      <input type="hidden" name="username" value={username} />
      <input type="hidden" name="disabled" value={disabled ? "false" : "true"} />
      {disabled ? (
        <button type="submit" disabled={pending} className="rounded border border-slate-300 px-2 py-1 text-xs font-medium hover:bg-slate-50 disabled:opacity-60">
          {pending ? "Saving…" : "Enable"}
        </button>
      ) : (
        <ConfirmGate idPrefix={`disable-${username}`} label="Disable" confirmLabel="Disable account" pendingText="Saving…" typed={username} errors={state.fieldErrors?.confirm} tone="secondary" compact />
      )}
      <Feedback state={state} />
    </form>
  );
}

export function RoleForm({ username, role }: { username: string; role: string }) {
  const [state, action, pending] = useActionState(setUserRoleAction, initialFormState);
  return (
    <form action={action} className="flex items-center gap-2">
      <input type="hidden" name="username" value={username} />
      <label className="sr-only" htmlFor={`role-${username}`}>
        Role of {username}
      </label>
      <select id={`role-${username}`} name="role" defaultValue={role} className="rounded border border-slate-300 px-1.5 py-1 text-xs">
        <option value="admin">admin</option>
        <option value="operator">operator</option>
        <option value="member">member</option>
      </select>
      <button type="submit" disabled={pending} className="rounded border border-slate-300 px-2 py-1 text-xs font-medium hover:bg-slate-50 disabled:opacity-60">
        {pending ? "Saving…" : "Set role"}
      </button>
      <Feedback state={state} />
    </form>
  );
}

export function SignOutEverywhereForm({ username }: { username: string }) {
  const [state, action] = useActionState(signOutUserEverywhereAction, initialFormState);
  return (
    <form action={action} className="flex items-center gap-2">
      <input type="hidden" name="username" value={username} />
      <ConfirmGate idPrefix={`sign-out-${username}`} label="Sign out everywhere" confirmLabel="End every session" pendingText="Signing out…" tone="secondary" errors={state.fieldErrors?.confirm} compact />
      <Feedback state={state} />
    </form>
  );
}
