import "server-only";
import { sql } from "kysely";
import type { Db } from "@/db";
import { recordAudit } from "../audit";
import { verifyAgainstDummy, verifyPassword } from "./password";
import { clearFailures, lockedUntil, recordFailure, THROTTLE_POLICY, throttleKeys } from "./throttle";
import { verifySecondFactor } from "./two-factor";
import { normalizeUsername } from "./username";

/** The one answer for unknown user, wrong password and disabled account alike. */
export const LOGIN_FAILED_MESSAGE = "Wrong username or password.";
export const WRONG_CODE_MESSAGE = "Wrong code.";
/** Not shown to people: tells the login form to ask for the second factor. */
export const SECOND_FACTOR_REQUIRED = "two_factor_required";

export type LocalLoginResult =
  | { ok: true; userId: number; username: string }
  | { ok: false; reason: "invalid" | "throttled" | "second_factor_required"; message: string; retryAt?: Date };

function throttledMessage(until: Date) {
  const time = until.toISOString().slice(11, 16);
  return `Too many failed sign-ins. Try again after ${time} UTC.`;
}

/**
 * Checks a username and password. Every failure costs one scrypt verification, whether or not
 * the account exists, and answers the same message; throttling is checked first.
 */
export async function authenticateLocal(
  db: Db,
  input: { username: string; password: string; clientIp: string | null; code?: string },
): Promise<LocalLoginResult> {
  const username = normalizeUsername(input.username).slice(0, 64);
  const keys = throttleKeys(username, input.clientIp);
  const throttleList = [keys.username, ...(keys.address ? [keys.address] : [])];
  const anonymous = { type: "anonymous" as const, label: `login attempt for "${username}"` };

  const until = await lockedUntil(db, throttleList);
  if (until) {
    await recordAudit(db, { actor: anonymous, action: "auth.login_throttled", details: { username }, clientIp: input.clientIp });
    return { ok: false, reason: "throttled", message: throttledMessage(until), retryAt: until };
  }

  const user = await db
    .selectFrom("users")
    .select(["id", "username", "password_hash", "disabled_at", "totp_enabled_at"])
    .where("username", "=", username)
    .executeTakeFirst();
  const passwordOk = user?.password_hash
    ? await verifyPassword(input.password, user.password_hash)
    : await verifyAgainstDummy(input.password);

  if (!user || !passwordOk || user.disabled_at) {
    await recordFailure(db, keys.username, THROTTLE_POLICY.username);
    if (keys.address) await recordFailure(db, keys.address, THROTTLE_POLICY.address);
    const reason = !user ? "unknown_user" : !passwordOk ? "wrong_password" : "disabled";
    await recordAudit(db, {
      actor: user ? { type: "user", id: user.id, label: user.username } : anonymous,
      action: "auth.login_failed",
      subject: user ? { type: "user", id: user.id } : undefined,
      details: { method: "password", reason },
      clientIp: input.clientIp,
    });
    const lockedNow = await lockedUntil(db, throttleList);
    if (lockedNow) return { ok: false, reason: "throttled", message: throttledMessage(lockedNow), retryAt: lockedNow };
    return { ok: false, reason: "invalid", message: LOGIN_FAILED_MESSAGE };
  }

  let method = "password";
  if (user.totp_enabled_at) {
    const code = input.code?.trim() ?? "";
    // The password was right: no failure counted, the form asks for the code.
    if (!code) return { ok: false, reason: "second_factor_required", message: SECOND_FACTOR_REQUIRED };
    const matched = await verifySecondFactor(db, user.id, code.slice(0, 64));
    if (!matched) {
      // Wrong codes count towards the same throttle as wrong passwords.
      await recordFailure(db, keys.username, THROTTLE_POLICY.username);
      if (keys.address) await recordFailure(db, keys.address, THROTTLE_POLICY.address);
      await recordAudit(db, {
        actor: { type: "user", id: user.id, label: user.username },
        action: "auth.login_failed",
        subject: { type: "user", id: user.id },
        details: { method: "password+second_factor", reason: "wrong_second_factor" },
        clientIp: input.clientIp,
      });
      const lockedNow = await lockedUntil(db, throttleList);
      if (lockedNow) return { ok: false, reason: "throttled", message: throttledMessage(lockedNow), retryAt: lockedNow };
      return { ok: false, reason: "invalid", message: WRONG_CODE_MESSAGE };
    }
    method = `password+${matched}`;
  }

  await clearFailures(db, keys.username);
  await db.updateTable("users").set({ last_login_at: sql`now()` }).where("id", "=", user.id).execute();
  await recordAudit(db, {
    actor: { type: "user", id: user.id, label: user.username },
    action: "auth.login",
    subject: { type: "user", id: user.id },
    details: { method },
    clientIp: input.clientIp,
  });
  return { ok: true, userId: user.id, username: user.username };
}
