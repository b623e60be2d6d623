/** Shared by server actions and the client forms that render their answers. */
export type FormState = {
  status: "idle" | "ok" | "error";
  message?: string;
  fieldErrors?: Record<string, string[]>;
  /** The submitted values, so a form re-renders them after an error (React resets fields). */
  values?: Record<string, string>;
  /** A value shown once beside the message, with a copy button (e.g. a one-time sign-in link). */
  secret?: string;
};

export const initialFormState: FormState = { status: "idle" };
