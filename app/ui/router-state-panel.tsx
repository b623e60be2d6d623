import { describeRouterState, type StoredRouterState } from "@/lib/router-state/describe";
import { formatUtc } from "@/lib/utc-time";
import { StatusBadge } from "./status-badge";

const TONE = { ok: "ok", waiting: "warn", problem: "bad" } as const;

/** The router as the controller sees it, in plain language, with the join commands when needed. */
export function RouterStatePanel({ state, networkId, staff, compact = false }: { state: StoredRouterState | null; networkId: string; staff: boolean; compact?: boolean }) {
  const view = describeRouterState(state, networkId);
  if (compact) {
    return (
      <p className="text-sm" data-testid="router-state">
        <span className="text-slate-500">Router: </span>
        <StatusBadge tone={TONE[view.tone]}>{view.summary}</StatusBadge>
        {view.commands.length > 0 ? <span className="ml-2 font-mono text-xs text-slate-600">{view.commands[0]}</span> : null}
      </p>
    );
  }
  return (
    <section className="rounded-lg border border-slate-200 bg-white p-5 text-sm shadow-sm" data-testid="router-state">
      <h2 className="mb-2 font-medium">{staff ? "The member's router on the ZeroTier network" : "Your router on the ZeroTier network"}</h2>
      <p>
        <StatusBadge tone={TONE[view.tone]}>{view.summary}</StatusBadge>
      </p>
      {view.nextStep ? <p className="mt-2 text-slate-700">Next: {view.nextStep}.</p> : null}
      {view.commands.length > 0 ? (
        <pre className="mt-2 overflow-auto rounded-md bg-slate-900 p-3 font-mono text-xs text-slate-100" data-testid="join-commands">
          {view.commands.join("\n")}
        </pre>
      ) : null}
      {state ? (
        <p className="mt-2 text-xs text-slate-500" data-testid="router-state-checked">
          Checked {formatUtc(state.checked_at)}
          {/* The error names the controller's URL: for the operators; the member learns the state may be old. */}
          {state.error ? (staff ? `; the controller could not be asked since then: ${state.error}` : "; the exchange's controller cannot be asked at the moment, so this may be out of date") : ""}
        </p>
      ) : null}
    </section>
  );
}
