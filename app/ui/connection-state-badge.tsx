import type { ConnectionState } from "@/lib/connections/state";
import { StatusBadge, type Tone } from "./status-badge";

const tones: Record<ConnectionState, Tone> = {
  requested: "warn",
  approved: "neutral",
  provisioning: "neutral",
  provisioned: "ok",
  active: "ok",
  rejected: "bad",
  failed: "bad",
  removing: "neutral",
  removed: "neutral",
};

export function toneOf(state: string): Tone {
  return tones[state as ConnectionState] ?? "neutral";
}

export function ConnectionStateBadge({ state }: { state: string }) {
  return <StatusBadge tone={toneOf(state)}>{state}</StatusBadge>;
}

/** States that change without anyone acting: pages showing them refresh themselves. */
export const TRANSITIONAL_STATES = ["approved", "provisioning", "removing"];
