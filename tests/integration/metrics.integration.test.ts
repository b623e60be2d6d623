import { sql } from "kysely";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { renderMetrics } from "@/lib/metrics";
import { closeDb, resetDatabase, testDb } from "../support/db";
import { createLanRow } from "../support/fixtures";

describe("Prometheus metrics", () => {
  beforeEach(resetDatabase);
  afterAll(closeDb);

  it("counts connections by state, failed jobs and controller readiness from the database", async () => {
    const lan = await createLanRow();
    await testDb().insertInto("networks").values({ asn: 64500, known_to_peeringdb: true, fetched_at: new Date() }).execute();
    for (const [index, state] of ["requested", "active", "active"].entries()) {
      await testDb().insertInto("connections").values({ lan_id: lan.id, asn: 64500, zt_node_id: `f0f0f0f0f${index}`, state }).execute();
    }
    await sql`select graphile_worker.add_job('reconcile_lan', '{}'::json, max_attempts => 1)`.execute(testDb());
    // As if it had run and failed: out of attempts.
    await sql`update graphile_worker._private_jobs set attempts = 1, last_error = 'boom'`.execute(testDb());
    await testDb().insertInto("job_runs").values([{ task: "provision_connection", ok: true, duration_ms: 120 }, { task: "provision_connection", ok: false, duration_ms: 80 }]).execute();
    const { body, contentType } = await renderMetrics(testDb(), async () => ({ ready: false, reason: "down" }));
    expect(contentType).toContain("text/plain");
    expect(body).toContain('ztix_connections{state="active"} 2');
    expect(body).toContain('ztix_connections{state="requested"} 1');
    expect(body).toContain('ztix_jobs_failed{task="reconcile_lan"} 1');
    expect(body).toContain('ztix_peeringdb_networks{result="true"} 1');
    expect(body).toContain("ztix_controller_ready 0");
    expect(body).toContain('ztix_job_runs_last_hour{task="provision_connection",outcome="failed"} 1');
    expect(body).toContain('ztix_job_duration_seconds{task="provision_connection",quantile="1"} 0.12');
  });
});
