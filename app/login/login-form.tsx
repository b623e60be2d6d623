"use client";

import { signIn } from "next-auth/react";
import { useRouter } from "next/navigation";
import { useEffect, useRef, useState, useTransition, type FormEvent } from "react";

// lib/auth/local-login's SECOND_FACTOR_REQUIRED: the password was right, a code is needed.
const SECOND_FACTOR_REQUIRED = "two_factor_required";

export function LoginForm({ callbackUrl, peeringDb }: { callbackUrl: string; peeringDb: boolean }) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [pending, startTransition] = useTransition();
  const [redirecting, setRedirecting] = useState(false);
  const [needCode, setNeedCode] = useState(false);
  const passwordRef = useRef<HTMLInputElement>(null);
  const codeRef = useRef<HTMLInputElement>(null);
  const [failures, setFailures] = useState(0);

  // After a refusal the username stays as typed; the secret that was refused is emptied and
  // focused for the next try, once the error it is described by is on the page (at the second
  // step that is the code: the password is sent again with it).
  useEffect(() => {
    if (failures === 0) return;
    const retry = needCode ? codeRef.current : passwordRef.current;
    if (!retry) return;
    retry.value = "";
    retry.focus();
  }, [failures, needCode]);

  // onSubmit, not a form action: the fields keep their values for the second step.
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const formData = new FormData(event.currentTarget);
    setError(null);
    startTransition(async () => {
      const result = await signIn("credentials", {
        redirect: false,
        username: String(formData.get("username") ?? ""),
        password: String(formData.get("password") ?? ""),
        code: String(formData.get("code") ?? ""),
        callbackUrl,
      });
      if (result?.error === SECOND_FACTOR_REQUIRED) {
        setNeedCode(true);
        return;
      }
      if (!result || result.error) {
        setError(result?.error && result.error !== "CredentialsSignin" ? result.error : "Wrong username or password.");
        setFailures((count) => count + 1);
        return;
      }
      router.replace(callbackUrl);
      router.refresh();
    });
  }

  return (
    <div className="mt-6 space-y-6">
      {peeringDb ? (
        <>
          <button
            type="button"
            disabled={redirecting}
            onClick={() => {
              setRedirecting(true);
              void signIn("peeringdb", { callbackUrl });
            }}
            className="flex w-full items-center justify-center gap-2 rounded-md bg-brand-600 px-4 py-2.5 text-sm font-semibold text-white shadow-sm hover:bg-brand-700 disabled:opacity-60"
          >
            {redirecting ? "Redirecting to PeeringDB…" : "Log in with PeeringDB"}
          </button>
          <div className="flex items-center gap-3 text-xs uppercase tracking-wide text-slate-400">
            <span className="h-px flex-1 bg-slate-200" />
            or with a ztix account
            <span className="h-px flex-1 bg-slate-200" />
          </div>
        </>
      ) : null}
      <form onSubmit={submit} className="space-y-4">
        <div>
          <label htmlFor="username" className="block text-sm font-medium text-slate-700">
            Username
          </label>
          <input id="username" name="username" autoComplete="username" required aria-invalid={error && !needCode ? true : undefined} aria-describedby={error ? "login-error" : undefined} className="mt-1 block w-full rounded-md border border-slate-300 px-3 py-2 text-sm shadow-sm focus:border-brand-500" />
        </div>
        <div>
          <label htmlFor="password" className="block text-sm font-medium text-slate-700">
            Password
          </label>
          <input ref={passwordRef} id="password" name="password" type="password" autoComplete="current-password" required aria-invalid={error && !needCode ? true : undefined} aria-describedby={error ? "login-error" : undefined} className="mt-1 block w-full rounded-md border border-slate-300 px-3 py-2 text-sm shadow-sm focus:border-brand-500" />
        </div>
        {needCode ? (
          <div>
            <label htmlFor="code" className="block text-sm font-medium text-slate-700">
              Code from your authenticator app, or a recovery code
            </label>
            <input ref={codeRef} id="code" name="code" autoComplete="one-time-code" autoFocus required aria-invalid={error ? true : undefined} aria-describedby={error ? "login-error" : undefined} className="mt-1 block w-full rounded-md border border-slate-300 px-3 py-2 font-mono text-sm shadow-sm focus:border-brand-500" />
          </div>
        ) : null}
        <div aria-live="polite">
          {error ? (
            <p id="login-error" role="alert" className="rounded-md bg-red-50 p-3 text-sm text-red-800">
              {error}
            </p>
          ) : null}
        </div>
        <button
          type="submit"
          disabled={pending}
          className="w-full rounded-md border border-slate-300 bg-white px-4 py-2 text-sm font-semibold text-slate-800 shadow-sm hover:bg-slate-50 disabled:opacity-60"
        >
          {pending ? "Signing in…" : "Sign in"}
        </button>
      </form>
    </div>
  );
}
