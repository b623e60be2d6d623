import { StatusBadge } from "@/app/ui/status-badge";

/** A route server's state at a glance: enabled or disabled, and drained for maintenance. */
export function RouteServerState({ enabled, drained }: { enabled: boolean; drained: boolean }) {
  return (
    <span className="inline-flex flex-wrap gap-1.5" data-testid="route-server-state">
      {enabled ? <StatusBadge tone="ok">enabled</StatusBadge> : <StatusBadge tone="neutral">disabled</StatusBadge>}
      {drained ? <StatusBadge tone="warn">drained</StatusBadge> : null}
    </span>
  );
}
