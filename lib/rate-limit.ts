import "server-only";
import { sql } from "kysely";
import type { Db } from "@/db";

export type RateLimitPolicy = { limit: number; windowSeconds: number };
export type RateLimitResult = { allowed: boolean; limit: number; remaining: number; resetSeconds: number };

/**
 * At most `limit` requests per bucket in any span of `windowSeconds` (a log of the requests let
 * through, in PostgreSQL): one round trip per request, shared by every app process, so several
 * processes enforce one limit together. The function is in the sliding-rate-limits migration.
 */
export async function consumeRateLimit(db: Db, bucket: string, policy: RateLimitPolicy): Promise<RateLimitResult> {
  const result = await sql<{ allowed: boolean; used: number; reset_seconds: number }>`
    select allowed, used, reset_seconds from ztix_consume_rate_limit(${bucket}, ${policy.limit}::integer, ${policy.windowSeconds}::integer)
  `.execute(db);
  const row = result.rows[0]!;
  return {
    allowed: row.allowed,
    limit: policy.limit,
    remaining: Math.max(0, policy.limit - row.used),
    resetSeconds: Math.max(1, row.reset_seconds),
  };
}

/** Requests older than every window are dead weight: removed by a recurring job. */
export async function pruneRateLimitHits(db: Db) {
  const result = await db.deleteFrom("rate_limit_hits").where("at", "<", sql<Date>`now() - interval '1 hour'`).executeTakeFirst();
  return Number(result.numDeletedRows);
}
