"use client";

import { useFormStatus } from "react-dom";
import type { FormState } from "@/lib/actions/form-state";

export function FieldErrors({ id, errors }: { id: string; errors?: string[] }) {
  return (
    <div id={id} aria-live="polite">
      {errors?.map((error) => (
        <p key={error} className="mt-1 text-xs text-red-700 dark:text-red-300">
          {error}
        </p>
      ))}
    </div>
  );
}

export function TextField(props: {
  name: string;
  label: string;
  state: FormState;
  defaultValue?: string;
  placeholder?: string;
  hint?: string;
  required?: boolean;
  autoComplete?: string;
  className?: string;
  type?: "text" | "password";
}) {
  const errors = props.state.fieldErrors?.[props.name];
  const errorId = `${props.name}-errors`;
  return (
    <div className={props.className}>
      <label htmlFor={props.name} className="block text-sm font-medium text-slate-700 dark:text-slate-200">
        {props.label}
      </label>
      <input
        id={props.name}
        name={props.name}
        type={props.type ?? "text"}
        defaultValue={props.state.values?.[props.name] ?? props.defaultValue}
        placeholder={props.placeholder}
        required={props.required}
        autoComplete={props.autoComplete ?? "off"}
        aria-invalid={errors ? true : undefined}
        aria-describedby={errorId}
        className={`mt-1 block w-full rounded-md border px-3 py-2 text-sm shadow-sm dark:bg-slate-800 dark:text-slate-100 ${errors ? "border-red-400" : "border-slate-300 dark:border-slate-600"}`}
      />
      {props.hint ? <p className="mt-1 text-xs text-slate-600 dark:text-slate-400">{props.hint}</p> : null}
      <FieldErrors id={errorId} errors={errors} />
    </div>
  );
}

export function SubmitButton({ children, pendingText, tone = "primary" }: { children: React.ReactNode; pendingText: string; tone?: "primary" | "secondary" | "danger" }) {
  const { pending } = useFormStatus();
  const styles = {
    primary: "bg-brand-600 text-white hover:bg-brand-700",
    secondary: "border border-slate-300 bg-white text-slate-800 hover:bg-slate-50 dark:border-slate-600 dark:bg-slate-800 dark:text-slate-100 dark:hover:bg-slate-700",
    danger: "bg-red-600 text-white hover:bg-red-700",
  }[tone];
  return (
    <button type="submit" disabled={pending} aria-disabled={pending} className={`rounded-md px-3 py-2 text-sm font-semibold shadow-sm disabled:opacity-60 ${styles}`}>
      {pending ? pendingText : children}
    </button>
  );
}

export function FormMessage({ state }: { state: FormState }) {
  if (!state.message) return null;
  return (
    <p role={state.status === "error" ? "alert" : "status"} className={`whitespace-pre-line rounded-md p-3 text-sm ${state.status === "error" ? "bg-red-50 text-red-800 dark:bg-red-950 dark:text-red-200" : "bg-emerald-50 text-emerald-800 dark:bg-emerald-950 dark:text-emerald-200"}`}>
      {state.message}
    </p>
  );
}
