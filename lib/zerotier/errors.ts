import "server-only";

export type ZeroTierErrorKind = "unreachable" | "timeout" | "unauthorized" | "not_found" | "rejected" | "rate_limited" | "server_error" | "not_ready" | "mismatch" | "invalid_id";

/** A readable, typed failure of a ZeroTier call; `retryable` tells jobs whether to try again. */
export class ZeroTierError extends Error {
  constructor(
    readonly kind: ZeroTierErrorKind,
    message: string,
    readonly retryable: boolean,
    readonly status?: number,
  ) {
    super(message);
    this.name = "ZeroTierError";
  }
}
