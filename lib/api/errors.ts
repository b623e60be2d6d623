/** The API's one error shape: {"error": {"code", "message", "details"}}. */
export type ApiErrorCode =
  | "missing_api_key"
  | "invalid_api_key"
  | "insufficient_scope"
  | "validation_failed"
  | "invalid_json"
  | "not_found"
  | "conflict"
  | "rate_limited"
  | "payload_too_large"
  | "bad_request"
  | "database_unavailable"
  | "not_configured"
  | "internal_error"
  | "route_server_unavailable";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ApiErrorCode,
    message: string,
    readonly details?: unknown,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = "ApiError";
  }
}

export function errorResponse(error: ApiError, extraHeaders: Record<string, string> = {}) {
  return Response.json(
    // `details` is always present: an object, or null when there is nothing to add.
    { error: { code: error.code, message: error.message, details: error.details ?? null } },
    { status: error.status, headers: { "Cache-Control": "no-store", ...extraHeaders, ...error.headers } },
  );
}
