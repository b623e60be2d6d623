"use client";

import { useState } from "react";
import { FieldErrors, SubmitButton } from "./fields";

/**
 * The confirmation step of a destructive form: the first button only opens it; the post then
 * carries `confirm` (the typed ASN or name, or "yes"), which the server action checks again.
 */
export function ConfirmGate(props: {
  /** The first button, e.g. "Remove connection". */
  label: string;
  /** The button that submits, e.g. "Remove AS64500's connection". */
  confirmLabel: string;
  pendingText: string;
  /** When set, the person types this to confirm (an ASN or a name); else one more click does. */
  typed?: string;
  errors?: string[];
  idPrefix: string;
  tone?: "danger" | "secondary";
  compact?: boolean;
}) {
  const [open, setOpen] = useState(Boolean(props.errors?.length));
  const tone = props.tone ?? "danger";
  const inputId = `${props.idPrefix}-confirm`;
  if (!open) {
    return (
      <button
        type="button"
        onClick={() => setOpen(true)}
        className={`rounded-md px-3 py-2 text-sm font-semibold shadow-sm ${props.compact ? "px-2 py-1 text-xs" : ""} ${tone === "danger" ? "bg-red-600 text-white hover:bg-red-700" : "border border-slate-300 bg-white text-slate-800 hover:bg-slate-50"}`}
      >
        {props.label}
      </button>
    );
  }
  return (
    <div className="space-y-2 rounded-md border border-red-200 bg-red-50 p-3" data-testid={`${props.idPrefix}-confirmation`}>
      {props.typed ? (
        <div>
          <label htmlFor={inputId} className="block text-xs font-medium text-red-900">
            Type <span className="font-mono">{props.typed}</span> to confirm
          </label>
          <input
            id={inputId}
            name="confirm"
            autoComplete="off"
            aria-describedby={`${inputId}-errors`}
            aria-invalid={props.errors?.length ? true : undefined}
            className="mt-1 block w-full rounded-md border border-red-300 px-2 py-1 text-sm"
          />
        </div>
      ) : (
        <>
          <input type="hidden" name="confirm" value="yes" />
          <p className="text-xs text-red-900">This cannot be undone. Are you sure?</p>
        </>
      )}
      <FieldErrors id={`${inputId}-errors`} errors={props.errors} />
      <div className="flex flex-wrap items-center gap-2">
        <SubmitButton pendingText={props.pendingText} tone={tone}>
          {props.confirmLabel}
        </SubmitButton>
        <button type="button" onClick={() => setOpen(false)} className="rounded-md border border-slate-300 bg-white px-3 py-2 text-sm text-slate-700 hover:bg-slate-50">
          Keep it
        </button>
      </div>
    </div>
  );
}
