import "server-only";
import { sql } from "kysely";
import type { Db } from "@/db";

/**
 * Failed sign-ins counted per account and per client address in PostgreSQL, so the limit
 * holds across every app instance. Past the limit, the key is locked until a stated time.
 */
export const THROTTLE_POLICY = {
  username: { maxFailures: 5, windowMinutes: 15, lockMinutes: 15 },
  address: { maxFailures: 30, windowMinutes: 15, lockMinutes: 15 },
} as const;

type Policy = (typeof THROTTLE_POLICY)[keyof typeof THROTTLE_POLICY];

export const throttleKeys = (username: string, clientIp: string | null) => ({
  username: `user:${username}`,
  address: clientIp ? `ip:${clientIp}` : null,
});

/** The latest time until which any of the keys is locked, or null. */
export async function lockedUntil(db: Db, keys: string[]): Promise<Date | null> {
  if (keys.length === 0) return null;
  const row = await db
    .selectFrom("login_throttle")
    .select((eb) => eb.fn.max("locked_until").as("until"))
    .where("key", "in", keys)
    .where("locked_until", ">", sql<Date>`now()`)
    .executeTakeFirst();
  return row?.until ? new Date(row.until) : null;
}

export async function recordFailure(db: Db, key: string, policy: Policy) {
  // One statement: concurrent failures from several instances all count.
  await sql`
    insert into login_throttle (key, failures, window_started_at, locked_until)
    values (${key}, 1, now(), case when 1 >= ${policy.maxFailures} then now() + make_interval(mins => ${policy.lockMinutes}) end)
    on conflict (key) do update set
      failures = case when login_throttle.window_started_at < now() - make_interval(mins => ${policy.windowMinutes})
                      then 1 else login_throttle.failures + 1 end,
      window_started_at = case when login_throttle.window_started_at < now() - make_interval(mins => ${policy.windowMinutes})
                      then now() else login_throttle.window_started_at end,
      locked_until = case
        when (case when login_throttle.window_started_at < now() - make_interval(mins => ${policy.windowMinutes})
                   then 1 else login_throttle.failures + 1 end) >= ${policy.maxFailures}
        then now() + make_interval(mins => ${policy.lockMinutes})
        else login_throttle.locked_until end
  `.execute(db);
}

export async function clearFailures(db: Db, key: string) {
  await db.deleteFrom("login_throttle").where("key", "=", key).execute();
}
