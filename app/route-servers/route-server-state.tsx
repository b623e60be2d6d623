import { StatusBadge } from "@/app/ui/status-badge";
import { formatUtc } from "@/lib/utc-time";

/** A route server's state at a glance: enabled or disabled, drained for maintenance, unreadable. */
export function RouteServerState({ enabled, drained, unreadable = false }: { enabled: boolean; drained: boolean; unreadable?: boolean }) {
  return (
    <span className="inline-flex flex-wrap gap-1.5" data-testid="route-server-state">
      {enabled ? <StatusBadge tone="ok">enabled</StatusBadge> : <StatusBadge tone="neutral">disabled</StatusBadge>}
      {drained ? <StatusBadge tone="warn">drained</StatusBadge> : null}
      {enabled && unreadable ? <StatusBadge tone="bad">cannot be read</StatusBadge> : null}
    </span>
  );
}


/**
 * Why an enabled route server's sessions could not be read, since when, and how old the states
 * shown for it are: they stay as last read, so "Established" may be stale.
 */
export function RouteServerReadProblem({ error, since, readAt }: { error: string | null; since: Date | string | null; readAt: Date | string | null }) {
  if (!error) return null;
  return (
    <p className="mt-2 text-sm text-red-900 dark:text-red-300" data-testid="rs-read-problem">
      Cannot be read{since ? ` since ${formatUtc(since)}` : ""}: {error.replace(/\.$/, "")}.{" "}
      {readAt ? `Its session states are as last read at ${formatUtc(readAt)}.` : "Its sessions have never been read."}
    </p>
  );
}
