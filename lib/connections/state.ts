import { ConflictError } from "@/lib/errors";

/**
 * The connection lifecycle (SPEC section 6), enforced here and only here:
 *   requested → approved → provisioning → provisioned → active
 * with rejected, failed (retryable; the reason is kept) and removing → removed.
 */
export const CONNECTION_STATES = ["requested", "approved", "provisioning", "provisioned", "active", "rejected", "failed", "removing", "removed"] as const;
export type ConnectionState = (typeof CONNECTION_STATES)[number];

const TRANSITIONS: Record<ConnectionState, readonly ConnectionState[]> = {
  requested: ["approved", "rejected", "removed"],
  approved: ["provisioning", "removing"],
  provisioning: ["provisioned", "failed", "removing"],
  provisioned: ["active", "removing", "provisioning"],
  active: ["provisioned", "removing", "provisioning"],
  failed: ["provisioning", "removing"],
  removing: ["removed", "failed"],
  rejected: [],
  removed: [],
};

export function canTransition(from: ConnectionState, to: ConnectionState) {
  return TRANSITIONS[from].includes(to);
}

/** Throws a ConflictError (HTTP 409) that says what is and what was asked. */
export function assertTransition(from: ConnectionState, to: ConnectionState) {
  if (!canTransition(from, to)) {
    throw new ConflictError(`The connection is ${from}; it cannot become ${to}.`);
  }
}

/** States in which the router holds addresses and may be on the controller. */
export const LIVE_STATES: readonly ConnectionState[] = ["approved", "provisioning", "provisioned", "active", "failed", "removing"];
