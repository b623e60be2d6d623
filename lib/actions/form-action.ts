import "server-only";
import { randomUUID } from "node:crypto";
import { headers } from "next/headers";
import { unstable_rethrow } from "next/navigation";
import { z } from "zod";
import { getDb } from "@/db";
import { recordAudit } from "@/lib/audit";
import { clientIpFrom } from "@/lib/auth/client-ip";
import { getCurrentUser } from "@/lib/auth/session";
import type { TRole } from "@/lib/auth/roles";
import { AuthenticationError, AuthorizationError, DomainError } from "@/lib/errors";
import { CONCURRENT_CHANGE_MESSAGE, DATABASE_UNAVAILABLE_MESSAGE, isDatabaseUnavailable, isTransientConflict, retryOnConflict } from "@/lib/database-errors";
import { createLogger } from "@/lib/log";
import type { SessionUser } from "@/lib/auth/users";

import type { FormState } from "./form-state";

export type { FormState } from "./form-state";

const log = createLogger("action");
// Never echoed back into a form nor put into the audit log. A host key's fingerprint is public (and
// retyping one is error-prone), so "hostKey" is not among them.
const SECRET_FIELDS = /pass|secret|token|(?<!host)key/i;

function submittedValues(formData: FormData) {
  const values: Record<string, string> = {};
  for (const [key, value] of formData.entries()) {
    if (key.startsWith("$") || typeof value !== "string" || SECRET_FIELDS.test(key)) continue;
    values[key] = value;
  }
  return values;
}

export type ActionContext<TInput> = { user: SessionUser; input: TInput; clientIp: string | null };

/**
 * The one error policy for server actions. Every action is a public POST endpoint, so this:
 * authenticates (from the database, per request), checks the role, parses the input with zod,
 * then runs the handler, which authorizes the specific resource. Expected errors answer their
 * message; a refusal is audited; anything else is logged and answered generically.
 */
export function formAction<TSchema extends z.ZodType>(
  options: { name: string; roles?: TRole[]; schema: TSchema; allowBeforeTwoFactorEnrolment?: boolean },
  handler: (context: ActionContext<z.output<TSchema>>) => Promise<FormState | void>,
) {
  return async (_previous: FormState, formData: FormData): Promise<FormState> => {
    const values = submittedValues(formData);
    const clientIp = clientIpFrom(await headers());
    let user: SessionUser | null = null;
    try {
      user = await getCurrentUser();
      if (!user) throw new AuthenticationError();
      if (user.mustEnrolTwoFactor && !options.allowBeforeTwoFactorEnrolment) throw new AuthorizationError("Set up two-factor sign-in first (Account, Two-factor sign-in).");
      if (options.roles && !options.roles.includes(user.role)) throw new AuthorizationError();
      const parsed = options.schema.safeParse(Object.fromEntries(formData.entries()));
      if (!parsed.success) {
        const flattened = z.flattenError(parsed.error);
        return { status: "error", message: "Check the highlighted fields.", fieldErrors: flattened.fieldErrors as Record<string, string[]>, values };
      }
      // A write that lost a collision (deadlock, serialization failure) rolled back: run it again.
      const signedIn = user;
      return (await retryOnConflict(() => handler({ user: signedIn, input: parsed.data, clientIp }))) ?? { status: "ok" };
    } catch (error) {
      // redirect() and notFound() work by throwing: let them through.
      unstable_rethrow(error);
      if (error instanceof AuthorizationError) {
        await recordAudit(getDb(), {
          actor: user ? { type: "user", id: user.id, label: user.username } : { type: "anonymous", label: "anonymous" },
          action: "authorization.denied",
          details: { action: options.name, input: values, reason: error.message },
          clientIp,
        }).catch((auditError: unknown) => log.error("could not audit a refusal", { error: String(auditError) }));
        return { status: "error", message: error.message, values };
      }
      if (error instanceof DomainError) {
        return { status: "error", message: error.message, fieldErrors: error.fieldErrors, values };
      }
      if (isDatabaseUnavailable(error)) {
        log.warn("action failed: the database is unavailable", { action: options.name, error: error instanceof Error ? error.message : String(error) });
        return { status: "error", message: DATABASE_UNAVAILABLE_MESSAGE, values };
      }
      if (isTransientConflict(error)) return { status: "error", message: CONCURRENT_CHANGE_MESSAGE, values };
      const requestId = randomUUID();
      log.error("action failed", { requestId, action: options.name, user: user?.username, error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
      return { status: "error", message: `Something went wrong on our side; the operators can find the details in the logs under request id ${requestId}.`, values };
    }
  };
}
