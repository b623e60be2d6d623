import "server-only";
import { sql } from "kysely";
import type { Db } from "@/db";

export type RateLimitPolicy = { limit: number; windowSeconds: number };
export type RateLimitResult = { allowed: boolean; limit: number; remaining: number; resetSeconds: number };

/**
 * A fixed-window counter per bucket in PostgreSQL: one statement per request, shared by every
 * app instance, so several processes enforce one limit together.
 */
export async function consumeRateLimit(db: Db, bucket: string, policy: RateLimitPolicy): Promise<RateLimitResult> {
  const result = await sql<{ count: number; reset_seconds: number }>`
    with window_start as (
      select to_timestamp(floor(extract(epoch from now()) / ${policy.windowSeconds}) * ${policy.windowSeconds}) as at
    )
    insert into rate_limit_counters (bucket, window_start, count)
    select ${bucket}, at, 1 from window_start
    on conflict (bucket, window_start) do update set count = rate_limit_counters.count + 1
    returning count,
      ceil(extract(epoch from (window_start + make_interval(secs => ${policy.windowSeconds}) - now())))::int as reset_seconds
  `.execute(db);
  const row = result.rows[0]!;
  return {
    allowed: row.count <= policy.limit,
    limit: policy.limit,
    remaining: Math.max(0, policy.limit - row.count),
    resetSeconds: Math.max(1, row.reset_seconds),
  };
}

/** Old windows are dead weight: removed by a recurring job. */
export async function pruneRateLimitCounters(db: Db) {
  const result = await db.deleteFrom("rate_limit_counters").where("window_start", "<", sql<Date>`now() - interval '1 hour'`).executeTakeFirst();
  return Number(result.numDeletedRows);
}
