import "server-only";

/**
 * What went wrong, in terms a job can act on:
 * - unreachable, timeout, rate_limited, server_error, not_ready: try again later (retryable);
 * - unauthorized, not_found, rejected, invalid_input: a person must fix something;
 * - mismatch: the controller holds something other than what was written (read-back check).
 */
export type ZeroTierErrorKind =
  | "unreachable"
  | "timeout"
  | "unauthorized"
  | "not_found"
  | "rejected"
  | "rate_limited"
  | "server_error"
  | "not_ready"
  | "mismatch"
  | "invalid_input";

/** A readable, typed failure of a ZeroTier call; `retryable` tells jobs whether to try again. */
export class ZeroTierError extends Error {
  constructor(
    readonly kind: ZeroTierErrorKind,
    message: string,
    readonly retryable: boolean,
    /** The HTTP status behind the failure, when there was an answer. */
    readonly status?: number,
  ) {
    super(message);
    this.name = "ZeroTierError";
  }
}

export function isZeroTierError(error: unknown): error is ZeroTierError {
  return error instanceof ZeroTierError;
}

/**
 * Failures of the controller itself, whatever was asked: down, too slow, refusing our token,
 * throttling or broken. Readiness reports them as they are; a run over many routers stops at one.
 */
export const CONTROLLER_FAILURE_KINDS = ["unreachable", "timeout", "unauthorized", "rate_limited", "server_error"] as const;

export function isControllerFailure(error: unknown): error is ZeroTierError {
  return isZeroTierError(error) && (error.kind === "not_ready" || (CONTROLLER_FAILURE_KINDS as readonly string[]).includes(error.kind));
}
