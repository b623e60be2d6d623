"use client";

import { useState } from "react";

/** Copies `text` to the clipboard; says so (or how to copy by hand) next to the button. */
export function CopyButton({ text, label = "Copy" }: { text: string; label?: string }) {
  const [result, setResult] = useState<string | null>(null);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setResult("Copied.");
    } catch {
      setResult("Could not copy: select the text and copy it by hand.");
    }
  };
  return (
    <span className="inline-flex items-center gap-2">
      <button type="button" onClick={copy} data-testid="copy-button" className="rounded-md border border-slate-300 bg-white px-2.5 py-1 text-xs font-medium text-slate-800 hover:bg-slate-50 dark:border-slate-600 dark:bg-slate-800 dark:text-slate-100 dark:hover:bg-slate-700">
        {label}
      </button>
      <span aria-live="polite" className="text-xs text-slate-600 dark:text-slate-300">{result}</span>
    </span>
  );
}

/** A command or snippet on its own line, scrolling inside itself (never the page), with a copy button. */
export function Snippet({ text, testId }: { text: string; testId?: string }) {
  return (
    <div className="mt-1 flex min-w-0 items-start gap-2">
      <pre className="min-w-0 flex-1 overflow-x-auto rounded-md bg-slate-900 px-3 py-2 font-mono text-xs leading-5 text-slate-100" data-testid={testId}>{text}</pre>
      <CopyButton text={text} />
    </div>
  );
}
