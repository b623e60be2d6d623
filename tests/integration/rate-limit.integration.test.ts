import { sql } from "kysely";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { consumeRateLimit, pruneRateLimitHits } from "@/lib/rate-limit";
import { closeDb, resetDatabase, testDb } from "../support/db";

/** The limits behind the API, the public participants export and password sign-in. */
describe("rate limits", () => {
  beforeEach(resetDatabase);
  afterAll(closeDb);

  const policy = { limit: 10, windowSeconds: 60 };

  /** Requests let through `secondsAgo` seconds ago, as an earlier minute would have left them. */
  async function earlierHits(bucket: string, count: number, secondsAgo: number) {
    await sql`
      insert into rate_limit_hits (bucket, at)
      select ${bucket}, clock_timestamp() - make_interval(secs => ${secondsAgo}) from generate_series(1, ${count})
    `.execute(testDb());
  }

  it("lets exactly the limit through when many connections ask at once", async () => {
    // Each call runs on a connection of its own from the pool, as separate web processes would.
    const results = await Promise.all(Array.from({ length: 40 }, () => consumeRateLimit(testDb(), "api:key:1", policy)));
    expect(results.filter((result) => result.allowed)).toHaveLength(10);
    expect(results.filter((result) => !result.allowed).every((result) => result.remaining === 0 && result.resetSeconds > 0)).toBe(true);
    // Another bucket has its own count.
    expect((await consumeRateLimit(testDb(), "api:key:2", policy)).allowed).toBe(true);
  });

  it("counts the requests of the last window whatever minute they fell in: no double burst at a minute's edge", async () => {
    // Ten requests in the last seconds of the previous minute fill the window for the next 58 s.
    await earlierHits("api:key:1", 10, 2);
    const refused = await consumeRateLimit(testDb(), "api:key:1", policy);
    expect(refused).toMatchObject({ allowed: false, remaining: 0 });
    expect(refused.resetSeconds).toBeGreaterThanOrEqual(57);
    expect(refused.resetSeconds).toBeLessThanOrEqual(59);

    // Once they are older than the window they no longer count.
    await earlierHits("api:key:2", 10, 61);
    const allowed = await consumeRateLimit(testDb(), "api:key:2", policy);
    expect(allowed).toMatchObject({ allowed: true, remaining: 9 });
  });

  it("tells a refused client when the oldest request leaves the window, and does not count refusals", async () => {
    await earlierHits("signin:ip:192.0.2.1", 5, 50);
    await earlierHits("signin:ip:192.0.2.1", 5, 10);
    const refused = await consumeRateLimit(testDb(), "signin:ip:192.0.2.1", policy);
    expect(refused.allowed).toBe(false);
    expect(refused.resetSeconds).toBeGreaterThanOrEqual(9);
    expect(refused.resetSeconds).toBeLessThanOrEqual(11);
    for (let i = 0; i < 5; i++) await consumeRateLimit(testDb(), "signin:ip:192.0.2.1", policy);
    const [row] = await testDb().selectFrom("rate_limit_hits").select((eb) => eb.fn.countAll<string>().as("count")).where("bucket", "=", "signin:ip:192.0.2.1").execute();
    expect(Number(row!.count)).toBe(10);
  });

  it("housekeeping removes records older than an hour and keeps the live ones", async () => {
    await earlierHits("api:key:1", 3, 2 * 3600);
    await earlierHits("api:key:1", 2, 30);
    expect(await pruneRateLimitHits(testDb())).toBe(3);
    expect((await consumeRateLimit(testDb(), "api:key:1", policy)).remaining).toBe(7);
  });
});
