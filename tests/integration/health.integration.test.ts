import pg from "pg";
import { sql } from "kysely";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { GET } from "@/app/api/health/route";
import { checkHealth } from "@/lib/health";
import { recordHeartbeat } from "@/lib/worker-heartbeat";
import { closeDb, resetDatabase, testDb } from "../support/db";
import { startTcpProxy } from "../support/tcp-proxy";

const realUrl = new URL(process.env.DATABASE_URL!);
let proxy: Awaited<ReturnType<typeof startTcpProxy>>;
let pool: pg.Pool;

function proxiedUrl() {
  const url = new URL(realUrl);
  url.hostname = "127.0.0.1";
  url.port = String(proxy.port);
  return url.toString();
}

const worker = { workerId: "test-worker", hostname: "test", pid: 1, version: "test" };

describe("health", () => {
  beforeAll(async () => {
    proxy = await startTcpProxy({ host: realUrl.hostname, port: Number(realUrl.port || 5432) });
    pool = new pg.Pool({ connectionString: proxiedUrl(), max: 2, connectionTimeoutMillis: 1_000, query_timeout: 1_000 });
    pool.on("error", () => undefined);
    pool.on("connect", (client) => client.on("error", () => undefined));
  });
  beforeEach(async () => {
    await proxy.up();
    await resetDatabase();
  });
  afterAll(async () => {
    await pool.end().catch(() => undefined);
    await proxy.close();
    await closeDb();
  });

  it("is ok with the database reachable and a fresh worker heartbeat", async () => {
    await recordHeartbeat(testDb(), worker);
    const report = await checkHealth(pool);
    expect(report.status).toBe("ok");
    expect(report.database.status).toBe("ok");
    expect(report.worker).toMatchObject({ status: "ok", running: 1 });
    expect(report.version).toMatch(/^\d+\.\d+\.\d+/);
  });

  it("is down when no worker ever reported, and when the heartbeat is stale", async () => {
    expect((await checkHealth(pool)).worker.status).toBe("unknown");
    expect((await checkHealth(pool)).status).toBe("down");

    await recordHeartbeat(testDb(), worker);
    await testDb()
      .updateTable("worker_heartbeats")
      .set({ last_seen_at: sql<Date>`now() - interval '5 minutes'` })
      .execute();
    const report = await checkHealth(pool);
    expect(report.status).toBe("down");
    expect(report.worker.status).toBe("stale");
    expect(report.worker.lastSeenAt).not.toBeNull();
  });

  it("ignores workers that stopped gracefully", async () => {
    await recordHeartbeat(testDb(), worker);
    await testDb().updateTable("worker_heartbeats").set({ stopped_at: sql<Date>`now()` }).execute();
    expect((await checkHealth(pool)).worker.status).toBe("unknown");
  });

  it("answers down when PostgreSQL refuses connections, and ok again once it is back", async () => {
    await recordHeartbeat(testDb(), worker);
    await proxy.down();
    const down = await checkHealth(pool);
    expect(down.status).toBe("down");
    expect(down.database.status).toBe("down");
    expect(down.database.error).toBeTruthy();

    await proxy.up();
    const back = await checkHealth(pool);
    expect(back.status).toBe("ok");
  });

  it("answers down instead of hanging when PostgreSQL accepts but never answers", async () => {
    await recordHeartbeat(testDb(), worker);
    await proxy.hang();
    const report = await checkHealth(pool, { timeoutMs: 500 });
    expect(report.status).toBe("down");
    expect(report.database.error).toMatch(/did not answer|timeout|terminated/i);
  });

  it("is degraded, not down, while the ZeroTier controller is not ready", async () => {
    await recordHeartbeat(testDb(), worker);
    const report = await checkHealth(pool, { controller: async () => ({ ready: false, reason: "connection refused" }) });
    expect(report.status).toBe("degraded");
    expect(report.controller).toEqual({ status: "down", reason: "connection refused" });
    const ok = await checkHealth(pool, { controller: async () => ({ ready: true, nodeId: "c771ace7ed", version: "1.14.1" }) });
    expect(ok.status).toBe("ok");
    expect(ok.controller).toMatchObject({ status: "ok", nodeId: "c771ace7ed" });
  });

  it("serves 503 JSON from the route while the database is down and 200 after it returns", async () => {
    await recordHeartbeat(testDb(), worker);
    const saved = process.env.DATABASE_URL;
    process.env.DATABASE_URL = proxiedUrl();
    try {
      await proxy.down();
      const down = await GET();
      expect(down.status).toBe(503);
      expect(down.headers.get("content-type")).toContain("application/json");
      expect(await down.json()).toMatchObject({ status: "down", database: { status: "down" } });

      await proxy.up();
      const up = await GET();
      expect(up.status).toBe(200);
      // No controller runs in this test: the portal is up, but degraded.
      expect(await up.json()).toMatchObject({ status: "degraded", database: { status: "ok" }, worker: { status: "ok" }, controller: { status: "down" } });
    } finally {
      process.env.DATABASE_URL = saved;
    }
  });
});
