/**
 * Expected failures, with messages fit to show to the person who caused them. Anything else
 * is a bug or an outage: logged in full and shown as a generic message.
 */
export class DomainError extends Error {
  constructor(
    message: string,
    /** Field name → message, for forms. */
    readonly fieldErrors?: Record<string, string[]>,
  ) {
    super(message);
    this.name = "DomainError";
  }
}

/** Not signed in, or the session no longer stands (user disabled or removed). */
export class AuthenticationError extends DomainError {
  constructor(message = "Your session has ended. Sign in again.") {
    super(message);
    this.name = "AuthenticationError";
  }
}

/** Signed in, but not allowed to touch this resource. */
export class AuthorizationError extends DomainError {
  constructor(message = "You are not allowed to do this.") {
    super(message);
    this.name = "AuthorizationError";
  }
}

/** The thing exists but its state forbids the change (HTTP 409). */
export class ConflictError extends DomainError {
  constructor(message: string, fieldErrors?: Record<string, string[]>) {
    super(message, fieldErrors);
    this.name = "ConflictError";
  }
}

export class NotFoundError extends DomainError {
  constructor(message: string) {
    super(message);
    this.name = "NotFoundError";
  }
}
