/**
 * What a database error means for the caller: PostgreSQL unreachable (answer 503, nothing was
 * saved), or two writes colliding (retry, else answer 409). Anything else is a bug.
 */

const UNAVAILABLE_NODE_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "EHOSTUNREACH", "ENETUNREACH", "ENOTFOUND", "EAI_AGAIN"]);
// 57P01 admin_shutdown, 57P02 crash_shutdown, 57P03 cannot_connect_now, 53300 too_many_connections.
const UNAVAILABLE_SQLSTATES = new Set(["57P01", "57P02", "57P03", "53300"]);
const UNAVAILABLE_MESSAGES = [
  /Connection terminated/i,
  /timeout exceeded when trying to connect/i,
  /Client has encountered a connection error/i,
  /Client was closed and is not queryable/i,
  /Cannot use a pool after calling end/i,
  /the database system is (starting up|shutting down|in recovery mode)/i,
];

// 40001 serialization_failure, 40P01 deadlock_detected, 55P03 lock_not_available.
const CONFLICT_SQLSTATES = new Set(["40001", "40P01", "55P03"]);

function causes(error: unknown): unknown[] {
  const chain: unknown[] = [];
  let current = error;
  while (current && chain.length < 5 && !chain.includes(current)) {
    chain.push(current);
    if (current instanceof AggregateError) chain.push(...current.errors);
    current = (current as { cause?: unknown }).cause;
  }
  return chain;
}

export function isDatabaseUnavailable(error: unknown): boolean {
  return causes(error).some((entry) => {
    const code = (entry as { code?: unknown })?.code;
    if (typeof code === "string" && (UNAVAILABLE_NODE_CODES.has(code) || UNAVAILABLE_SQLSTATES.has(code) || code.startsWith("08"))) return true;
    return entry instanceof Error && UNAVAILABLE_MESSAGES.some((pattern) => pattern.test(entry.message));
  });
}

/** Two transactions collided; running the same work again is safe and will likely succeed. */
export function isTransientConflict(error: unknown): boolean {
  return causes(error).some((entry) => {
    const code = (entry as { code?: unknown })?.code;
    return typeof code === "string" && CONFLICT_SQLSTATES.has(code);
  });
}

export const DATABASE_UNAVAILABLE_MESSAGE = "The database is unavailable at the moment; nothing was changed. Try again in a few seconds.";
export const CONCURRENT_CHANGE_MESSAGE = "Another change to the same data happened at the same moment; nothing was changed. Send the request again.";
/** Seconds a client should wait before retrying while the database is unavailable. */
export const DATABASE_RETRY_AFTER_SECONDS = 5;

/**
 * Runs `work` (one or more whole transactions) again when it lost a collision (deadlock,
 * serialization failure, lock timeout): each failed attempt rolled back, so nothing is doubled.
 */
export async function retryOnConflict<T>(work: () => Promise<T>, attempts = 3): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (attempt >= attempts || !isTransientConflict(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, 20 * attempt + Math.random() * 30));
    }
  }
}
