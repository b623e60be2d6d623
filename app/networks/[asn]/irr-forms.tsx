"use client";

import { useActionState } from "react";
import { initialFormState } from "@/lib/actions/form-state";
import { FieldErrors, FormMessage, SubmitButton } from "@/app/ui/forms/fields";
import { refreshIrrAction, setAsSetAction } from "./actions";

export function RefreshIrrForm({ asn }: { asn: number }) {
  const [state, action] = useActionState(refreshIrrAction, initialFormState);
  return (
    <form action={action} className="flex items-center gap-3">
      <input type="hidden" name="asn" value={asn} />
      <SubmitButton pendingText="Queueing…" tone="secondary">Fetch IRR prefix lists now</SubmitButton>
      <FormMessage state={state} />
    </form>
  );
}

export function AsSetForm({ asn, override }: { asn: number; override: string | null }) {
  const [state, action] = useActionState(setAsSetAction, initialFormState);
  const mode = state.values?.mode ?? (override === null ? "peeringdb" : override === `AS${asn}` ? "asn-only" : "as-set");
  return (
    <form action={action} className="space-y-3">
      <input type="hidden" name="asn" value={asn} />
      <fieldset className="space-y-1 text-sm">
        <legend className="font-medium text-slate-700">As-set for IRR prefix lists</legend>
        <label className="flex items-center gap-2"><input type="radio" name="mode" value="peeringdb" defaultChecked={mode === "peeringdb"} /> From PeeringDB</label>
        <label className="flex items-center gap-2"><input type="radio" name="mode" value="asn-only" defaultChecked={mode === "asn-only"} /> ASN only (AS{asn}&apos;s own route objects)</label>
        <label className="flex items-center gap-2"><input type="radio" name="mode" value="as-set" defaultChecked={mode === "as-set"} /> This as-set:</label>
      </fieldset>
      <div>
        <label htmlFor="asSet" className="sr-only">As-set</label>
        <input
          id="asSet"
          name="asSet"
          defaultValue={state.values?.asSet ?? (mode === "as-set" ? (override ?? "") : "")}
          placeholder="RIPE::AS-EXAMPLE"
          aria-describedby="asSet-errors"
          aria-invalid={state.fieldErrors?.asSet ? true : undefined}
          className={`block w-full max-w-md rounded-md border px-3 py-2 font-mono text-sm shadow-sm ${state.fieldErrors?.asSet ? "border-red-400" : "border-slate-300"}`}
        />
        <FieldErrors id="asSet-errors" errors={state.fieldErrors?.asSet} />
      </div>
      <div className="flex items-center gap-3">
        <SubmitButton pendingText="Saving…" tone="secondary">Save as-set</SubmitButton>
        <FormMessage state={state} />
      </div>
    </form>
  );
}
