"use client";

import { useState } from "react";

type Flavor = "bird" | "frr";
const LABELS: Record<Flavor, string> = { bird: "BIRD 2", frr: "FRR" };

/**
 * The member's router configuration with copy and download buttons. Download is the API's own
 * answer (signed-in members may fetch their connections' configurations), so it is the same text.
 */
export function RouterConfig({ connectionId, configs }: { connectionId: number; configs: Record<Flavor, string> }) {
  const [flavor, setFlavor] = useState<Flavor>("bird");
  const [copied, setCopied] = useState<string | null>(null);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(configs[flavor]);
      setCopied("Copied.");
    } catch {
      setCopied("Could not copy: select the text and copy it by hand.");
    }
  };
  return (
    <section aria-labelledby="router-config-heading" data-testid="router-config">
      <div className="mb-2 flex flex-wrap items-center justify-between gap-3">
        <h2 id="router-config-heading" className="text-lg font-semibold">Router configuration</h2>
        <div className="flex flex-wrap items-center gap-2" role="tablist" aria-label="Router software">
          {(Object.keys(LABELS) as Flavor[]).map((key) => (
            <button
              key={key}
              type="button"
              role="tab"
              aria-selected={flavor === key}
              onClick={() => {
                setFlavor(key);
                setCopied(null);
              }}
              className={`rounded-md px-3 py-1.5 text-sm font-medium ${flavor === key ? "bg-brand-600 text-white" : "border border-slate-300 bg-white text-slate-800 hover:bg-slate-50"}`}
            >
              {LABELS[key]}
            </button>
          ))}
          <button type="button" onClick={copy} className="rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium text-slate-800 hover:bg-slate-50">
            Copy
          </button>
          <a href={`/api/v1/connections/${connectionId}/router-config?flavor=${flavor}`} download={`ztix-connection-${connectionId}-${flavor}.conf`} className="rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium text-slate-800 hover:bg-slate-50">
            Download
          </a>
          <span aria-live="polite" className="text-xs text-slate-600">{copied}</span>
        </div>
      </div>
      <p className="mb-2 text-sm text-slate-600">
        A complete configuration for your router: fill in the lines marked <code className="font-mono">PLACEHOLDER</code> (your prefixes; a BGP password only if the exchange set one) and load it.
        The ZeroTier commands are at the top. Also at <code className="font-mono text-xs">GET /api/v1/connections/{connectionId}/router-config?flavor=bird|frr</code>.
      </p>
      <pre className="max-h-[32rem] overflow-auto rounded-lg bg-slate-900 p-3 font-mono text-xs text-slate-100" data-testid={`router-config-${flavor}`}>{configs[flavor]}</pre>
    </section>
  );
}
