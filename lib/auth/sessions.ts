import "server-only";
import { sql } from "kysely";
import type { Db } from "@/db";
import { recordAudit, type Actor } from "@/lib/audit";
import { getConfig } from "@/lib/config";
import { sessionUserFrom, type AffiliationRow, type SessionUser } from "./users";

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

/**
 * A signed-in request's user in one round trip: the session row (still valid? marked as seen
 * at most every TOUCH_AFTER_SECONDS), the user and their affiliations. Null when the session has
 * ended or the user may no longer act; an ended or expired session is deleted.
 */
export async function resumeSession(db: Db, sessionId: string, userId: number): Promise<SessionUser | null> {
  if (!/^[0-9a-f-]{36}$/.test(sessionId)) return null;
  const { maxAgeSeconds, idleSeconds } = sessionLimits();
  const row = await db
    .selectFrom("user_sessions")
    .innerJoin("users", "users.id", "user_sessions.user_id")
    .select([
      sql<boolean>`user_sessions.created_at > now() - make_interval(secs => ${maxAgeSeconds})`.as("within_lifetime"),
      sql<boolean>`user_sessions.last_seen_at > now() - make_interval(secs => ${idleSeconds})`.as("active"),
      sql<boolean>`user_sessions.last_seen_at < now() - make_interval(secs => ${TOUCH_AFTER_SECONDS})`.as("stale"),
      "users.id",
      "users.username",
      "users.display_name",
      "users.role",
      "users.disabled_at",
      "users.password_hash",
      "users.totp_enabled_at",
      // The network's own name where the exchange knows it (an affiliation made by hand has none).
      sql<AffiliationRow[]>`coalesce((
        select json_agg(json_build_object('asn', n.asn, 'perms', n.perms, 'source', n.source, 'network_name', coalesce(w.name, n.network_name)) order by n.asn)
          from user_networks n left join networks w on w.asn = n.asn where n.user_id = users.id), '[]')`.as("affiliations"),
    ])
    .where("user_sessions.id", "=", sessionId)
    .where("user_sessions.user_id", "=", userId)
    .executeTakeFirst();
  if (!row) return null;
  if (!row.within_lifetime || !row.active) {
    await db.deleteFrom("user_sessions").where("id", "=", sessionId).execute();
    return null;
  }
  if (row.stale) await db.updateTable("user_sessions").set({ last_seen_at: sql<Date>`now()` }).where("id", "=", sessionId).execute();
  return sessionUserFrom(row, row.affiliations);
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
