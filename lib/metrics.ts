import "server-only";
import { sql } from "kysely";
import { Gauge, Registry } from "prom-client";
import type { Db } from "@/db";
import type { ControllerReadiness } from "./health";

/**
 * Prometheus metrics, computed from PostgreSQL at scrape time (a fresh registry each scrape), so
 * any number of web instances answer the same numbers.
 */
export async function renderMetrics(db: Db, controller: () => Promise<ControllerReadiness>) {
  const registry = new Registry();
  const gauge = (name: string, help: string, labelNames: string[] = []) => new Gauge({ name, help, labelNames, registers: [registry] });

  const [connections, sessions, jobs, deployments, durations, networks, readiness, jobRuns, drift, reads] = await Promise.all([
    db.selectFrom("connections").select((eb) => ["state", eb.fn.countAll<number>().as("count")]).groupBy("state").execute(),
    // Current sessions only: of enabled route servers, of connections not removed.
    db
      .selectFrom("bgp_sessions")
      .innerJoin("route_servers", "route_servers.id", "bgp_sessions.route_server_id")
      .innerJoin("connections", "connections.id", "bgp_sessions.connection_id")
      .select((eb) => ["bgp_sessions.info", eb.fn.countAll<number>().as("count")])
      .where("route_servers.enabled", "=", true)
      .where("connections.state", "not in", ["removed", "rejected"])
      .groupBy("bgp_sessions.info")
      .execute(),
    sql<{ task: string; queued: number; failed: number; running: number; oldest: number | null }>`
      select task_identifier as task,
             count(*) filter (where attempts < max_attempts and locked_at is null)::int as queued,
             count(*) filter (where attempts >= max_attempts)::int as failed,
             count(*) filter (where locked_at is not null)::int as running,
             extract(epoch from now() - min(run_at) filter (where attempts < max_attempts and locked_at is null and run_at <= now()))::float as oldest
        from graphile_worker.jobs group by task_identifier`.execute(db),
    db.selectFrom("deployments").select((eb) => ["status", eb.fn.countAll<number>().as("count")]).groupBy("status").execute(),
    sql<{ name: string; seconds: number; status: string }>`
      select distinct on (d.route_server_id) r.name, extract(epoch from d.finished_at - d.started_at)::float as seconds, d.status
        from deployments d join route_servers r on r.id = d.route_server_id
       where d.finished_at is not null order by d.route_server_id, d.id desc`.execute(db),
    sql<{ known: string; count: number; oldest: number | null }>`
      select coalesce(known_to_peeringdb::text, 'unfetched') as known, count(*)::int as count,
             extract(epoch from now() - min(fetched_at))::float as oldest
        from networks group by 1`.execute(db),
    controller().catch((error: unknown) => ({ ready: false as const, reason: String(error) })),
    sql<{ task: string; ok: number; failed: number; p50: number; p95: number; max: number }>`
      select task, count(*) filter (where ok)::int as ok, count(*) filter (where not ok)::int as failed,
             percentile_cont(0.5) within group (order by duration_ms) / 1000.0 as p50,
             percentile_cont(0.95) within group (order by duration_ms) / 1000.0 as p95,
             max(duration_ms) / 1000.0 as max
        from job_runs where finished_at > now() - interval '1 hour' group by task`.execute(db),
    sql<{ kind: string; count: number }>`
      select kind, count(*)::int as count from drift_items d
       where resolved_at is null
         and not exists (select 1 from route_servers r where r.lan_id = d.lan_id and r.zt_node_id = d.subject)
       group by kind`.execute(db),
    sql<{ name: string; unreadable: number }>`
      select name, coalesce(extract(epoch from now() - read_error_since), 0)::float as unreadable
        from route_servers where enabled`.execute(db),
  ]);

  const byState = gauge("ztix_connections", "Connections by lifecycle state", ["state"]);
  for (const row of connections) byState.set({ state: row.state }, Number(row.count));
  const bgp = gauge("ztix_bgp_sessions", "Member BGP sessions on the route servers by state", ["state"]);
  for (const row of sessions) bgp.set({ state: row.info.split(" ")[0] || "unknown" }, Number(row.count));
  const queued = gauge("ztix_jobs_queued", "Jobs waiting to run", ["task"]);
  const failed = gauge("ztix_jobs_failed", "Jobs out of attempts (see the jobs page)", ["task"]);
  const running = gauge("ztix_jobs_running", "Jobs running now", ["task"]);
  const waiting = gauge("ztix_jobs_oldest_due_seconds", "How long the oldest due job has waited", ["task"]);
  for (const row of jobs.rows) {
    queued.set({ task: row.task }, row.queued);
    failed.set({ task: row.task }, row.failed);
    running.set({ task: row.task }, row.running);
    waiting.set({ task: row.task }, row.oldest ?? 0);
  }
  const deploymentCount = gauge("ztix_deployments", "Route-server deployments recorded, by outcome", ["status"]);
  for (const row of deployments) deploymentCount.set({ status: row.status }, Number(row.count));
  const lastDuration = gauge("ztix_deployment_last_duration_seconds", "Duration of each route server's last finished deployment", ["route_server", "status"]);
  for (const row of durations.rows) lastDuration.set({ route_server: row.name, status: row.status }, row.seconds);
  const peeringDb = gauge("ztix_peeringdb_networks", "Networks by PeeringDB refresh result (true: known, false: unknown to PeeringDB)", ["result"]);
  const peeringDbAge = gauge("ztix_peeringdb_oldest_refresh_seconds", "Age of the oldest PeeringDB data", ["result"]);
  for (const row of networks.rows) {
    peeringDb.set({ result: row.known }, row.count);
    if (row.oldest !== null) peeringDbAge.set({ result: row.known }, row.oldest);
  }
  const runs = gauge("ztix_job_runs_last_hour", "Jobs finished in the last hour, by outcome", ["task", "outcome"]);
  const duration = gauge("ztix_job_duration_seconds", "Job run time over the last hour", ["task", "quantile"]);
  for (const row of jobRuns.rows) {
    runs.set({ task: row.task, outcome: "ok" }, row.ok);
    runs.set({ task: row.task, outcome: "failed" }, row.failed);
    duration.set({ task: row.task, quantile: "0.5" }, Number(row.p50));
    duration.set({ task: row.task, quantile: "0.95" }, Number(row.p95));
    duration.set({ task: row.task, quantile: "1" }, Number(row.max));
  }
  const openDrift = (kind: string) => drift.rows.find((row) => row.kind === kind)?.count ?? 0;
  gauge("ztix_drift_members", "Routers authorized on the controller but unknown to ztix (open drift)").set(openDrift("unknown_member"));
  gauge("ztix_drift_configs", "Route-server config files that differ from their last deployment (open drift)").set(openDrift("route_server_config"));
  const unreadable = gauge("ztix_route_server_unreadable_seconds", "How long each enabled route server's sessions could not be read (0: read at the last look)", ["route_server"]);
  for (const row of reads.rows) unreadable.set({ route_server: row.name }, row.unreadable);
  gauge("ztix_controller_ready", "1 when the ZeroTier controller is ready (fail-closed checks pass)").set(readiness.ready ? 1 : 0);
  return { body: await registry.metrics(), contentType: registry.contentType };
}
