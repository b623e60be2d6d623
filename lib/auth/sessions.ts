import "server-only";
import { sql } from "kysely";
import type { Db } from "@/db";
import { recordAudit, type Actor } from "@/lib/audit";
import { getConfig } from "@/lib/config";

/**
 * Server-side session records: the JWT names its row, and the row decides whether the session
 * still counts. That gives an absolute lifetime (ZTIX_SESSION_MAX_AGE_HOURS), an idle timeout
 * (ZTIX_SESSION_IDLE_MINUTES) and "sign out everywhere", none of which a JWT alone can do.
 */

export function sessionLimits() {
  const config = getConfig();
  return { maxAgeSeconds: Math.round(config.ZTIX_SESSION_MAX_AGE_HOURS * 3600), idleSeconds: Math.round(config.ZTIX_SESSION_IDLE_MINUTES * 60) };
}

export async function createSession(db: Db, userId: number) {
  const row = await db.insertInto("user_sessions").values({ user_id: userId }).returning("id").executeTakeFirstOrThrow();
  return row.id;
}

// last_seen_at is written at most this often: one write per request would be wasted.
const TOUCH_AFTER_SECONDS = 30;

/** Whether the session is still valid; marks it as seen. An ended or expired one is deleted. */
export async function validateSession(db: Db, sessionId: string, userId: number) {
  if (!/^[0-9a-f-]{36}$/.test(sessionId)) return false;
  const { maxAgeSeconds, idleSeconds } = sessionLimits();
  const row = await db
    .selectFrom("user_sessions")
    .select([
      sql<boolean>`created_at > now() - make_interval(secs => ${maxAgeSeconds})`.as("within_lifetime"),
      sql<boolean>`last_seen_at > now() - make_interval(secs => ${idleSeconds})`.as("active"),
      sql<boolean>`last_seen_at < now() - make_interval(secs => ${TOUCH_AFTER_SECONDS})`.as("stale"),
    ])
    .where("id", "=", sessionId)
    .where("user_id", "=", userId)
    .executeTakeFirst();
  if (!row) return false;
  if (!row.within_lifetime || !row.active) {
    await db.deleteFrom("user_sessions").where("id", "=", sessionId).execute();
    return false;
  }
  if (row.stale) await db.updateTable("user_sessions").set({ last_seen_at: sql<Date>`now()` }).where("id", "=", sessionId).execute();
  return true;
}

export async function endSession(db: Db, sessionId: string) {
  if (!/^[0-9a-f-]{36}$/.test(sessionId)) return;
  await db.deleteFrom("user_sessions").where("id", "=", sessionId).execute();
}

/** "Sign out everywhere": every browser of this user needs to sign in again. */
export async function endAllSessions(db: Db, userId: number, actor: Actor) {
  const ended = await db.deleteFrom("user_sessions").where("user_id", "=", userId).executeTakeFirst();
  await recordAudit(db, { actor, action: "user.signed_out_everywhere", subject: { type: "user", id: userId }, details: { sessions: Number(ended.numDeletedRows) } });
  return Number(ended.numDeletedRows);
}

/** Housekeeping: rows past either limit. */
export async function deleteExpiredSessions(db: Db) {
  const { maxAgeSeconds, idleSeconds } = sessionLimits();
  await db
    .deleteFrom("user_sessions")
    .where((eb) => eb.or([eb("created_at", "<", sql<Date>`now() - make_interval(secs => ${maxAgeSeconds})`), eb("last_seen_at", "<", sql<Date>`now() - make_interval(secs => ${idleSeconds})`)]))
    .execute();
}
