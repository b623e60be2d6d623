import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { request, serverRetryDelayMs, type RetryPolicy } from "@/lib/zerotier/http";
import { startZeroTierSimulator, type ZeroTierSimulator } from "@/simulators/zerotier/server";
import { fakeClock } from "./helpers";

const NOW = Date.parse("2026-11-22T12:00:00Z");

describe("serverRetryDelayMs", () => {
  const delay = (headers: Record<string, string>) => serverRetryDelayMs(new Headers(headers), NOW);

  it("reads Retry-After in seconds or as an HTTP date", () => {
    expect(delay({ "Retry-After": "3" })).toBe(3_000);
    expect(delay({ "Retry-After": "0.5" })).toBe(500);
    expect(delay({ "Retry-After": "Sun, 22 Nov 2026 12:00:10 GMT" })).toBe(10_000);
    expect(delay({ "Retry-After": "Sun, 22 Nov 2026 11:59:00 GMT" })).toBe(0);
  });

  it("falls back to X-Ratelimit-Reset: epoch seconds, seconds to wait, or a date as Central sends it", () => {
    expect(delay({ "X-Ratelimit-Reset": String(NOW / 1000 + 7) })).toBe(7_000);
    expect(delay({ "X-Ratelimit-Reset": "4" })).toBe(4_000);
    expect(delay({ "X-Ratelimit-Reset": "Sun, 22 Nov 2026 12:00:20 UTC" })).toBe(20_000);
  });

  it("prefers Retry-After, and has nothing to say without either header or with garbage", () => {
    expect(delay({ "Retry-After": "2", "X-Ratelimit-Reset": String(NOW / 1000 + 60) })).toBe(2_000);
    expect(delay({})).toBeNull();
    expect(delay({ "Retry-After": "soon" })).toBeNull();
  });
});

describe("request", () => {
  let sim: ZeroTierSimulator;
  beforeAll(async () => {
    sim = await startZeroTierSimulator({});
  });
  afterAll(async () => {
    await sim.close();
  });

  const get = (policy: Partial<RetryPolicy>, retry: "idempotent" | "rate-limit-only" = "idempotent") =>
    request(
      { method: "GET", url: `${sim.url}/controller/network`, headers: { "X-ZT1-Auth": sim.token }, timeoutMs: 2_000, retry, target: `simulator at ${sim.url}`, what: "GET /controller/network" },
      { maxAttempts: 6, maxTotalMs: 60_000, baseDelayMs: 100, maxDelayMs: 1_000, ...policy },
    );

  it("backs off exponentially with full jitter, capped, when the server gives no delay", async () => {
    sim.reset();
    sim.setFaults({ next429: 5, retryAfter: "none" });
    const clock = fakeClock();
    // random() = 0.999…: each wait is just under its ceiling, which doubles up to the cap.
    const result = await get({ ...clock, random: () => 0.9999 });
    expect(result.status).toBe(200);
    expect(clock.waits).toEqual([99, 199, 399, 799, 999]);

    sim.setFaults({ next429: 3 });
    const low = fakeClock();
    await get({ ...low, random: () => 0 });
    expect(low.waits).toEqual([0, 0, 0]);
  });

  it("does not repeat a non-idempotent request after a 5xx or a network failure, only after a 429", async () => {
    sim.reset();
    sim.setFaults({ next5xx: 1 });
    const clock = fakeClock();
    await expect(get(clock, "rate-limit-only")).rejects.toMatchObject({ kind: "server_error", status: 503 });
    expect(clock.waits).toEqual([]);
    sim.setFaults({ next429: 1, retryAfter: "seconds", retryAfterSeconds: 2 });
    expect((await get(clock, "rate-limit-only")).status).toBe(200);
    expect(clock.waits).toEqual([2_000]);
  });

  it("counts retries within the attempt bound on network failures too, then names the failure", async () => {
    sim.reset();
    await sim.down();
    try {
      const clock = fakeClock();
      await expect(get({ ...clock, maxAttempts: 3 })).rejects.toMatchObject({
        kind: "unreachable",
        retryable: true,
        message: expect.stringMatching(/is unreachable \(GET \/controller\/network\): connection refused.*\(ECONNREFUSED\); gave up after 3 attempts/),
      });
      expect(clock.waits).toHaveLength(2);
    } finally {
      await sim.up();
    }
  });
});
