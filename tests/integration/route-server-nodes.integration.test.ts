/**
 * Route servers are nodes of the LAN they serve: `route-servers add --zt-node` authorizes the
 * route server's node on the controller (simulator) with exactly its addresses, reconciliation
 * knows it (no drift) and repairs it, the dashboard offers no Deauthorize for it, and every route
 * server change queues one deployment of its LAN.
 */
import { runOnce } from "graphile-worker";
import { sql } from "kysely";
import { beforeAll, describe, expect, it } from "vitest";
import { runCli } from "@/cli/main";
import { getPool } from "@/db";
import { taskList } from "@/jobs/index";
import { requestConnection } from "@/lib/connections/service";
import { dashboardData } from "@/lib/dashboard";
import { deauthorizeDrift, reconcileLan } from "@/lib/reconciliation";
import { testDb } from "../support/db";
import { createLanRow, createStaffUser } from "../support/fixtures";
import { withZeroTierSimulator } from "../support/zerotier-simulator";

const RS_NODE = "e5e5e5e5e5";
const HOST_KEY = `SHA256:${"A".repeat(43)}`;

async function cli(...argv: string[]) {
  const out = { stdout: "", stderr: "" };
  const code = await runCli(argv, { stdout: (text) => void (out.stdout += text), stderr: (text) => void (out.stderr += text), stdin: async () => "" });
  return { code, ...out };
}

const queued = (task: string) =>
  sql<{ id: string; payload: Record<string, unknown> }>`
    select j.id, j.payload from graphile_worker._private_jobs j join graphile_worker._private_tasks t on t.id = j.task_id
     where t.identifier = ${task} and j.attempts = 0`.execute(testDb()).then((result) => result.rows);

/** Runs the queued jobs of one task now (their run_at is moved up: the deploy debounce is seconds). */
async function runQueued(task: keyof typeof taskList) {
  await sql`update graphile_worker._private_jobs set run_at = now() where task_id = (select id from graphile_worker._private_tasks where identifier = ${task})`.execute(testDb());
  await runOnce({ pgPool: getPool(), taskList: { [task]: taskList[task]! }, noHandleSignals: true });
  // runOnce can return while the last job's outcome is still being written: wait for it.
  for (let i = 0; i < 50; i++) {
    const locked = await sql<{ n: number }>`select count(*)::int as n from graphile_worker._private_jobs where locked_at is not null`.execute(testDb());
    if (locked.rows[0]!.n === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe("route servers as nodes of their LAN", () => {
  const zt = withZeroTierSimulator();
  beforeAll(() => {
    // The jobs reach the same simulator through the configuration.
    process.env.ZT_CONTROLLER_URL = zt.sim.controllerUrl;
    process.env.ZT_CONTROLLER_TOKEN = zt.sim.token;
    (globalThis as { ztixZeroTier?: unknown }).ztixZeroTier = undefined;
  });

  it("route-servers add --zt-node authorizes the node with exactly its addresses; reconciliation knows it, repairs it, and the dashboard offers no Deauthorize", async () => {
    const lan = await zt.lan({ name: "ix" });
    const added = await cli("route-servers", "add", "--lan", "ix", "--name", "rs1", "--ssh-host", "rs1.example.net", "--host-key", HOST_KEY, "--ipv4", "192.0.2.1", "--ipv6", "2001:db8:ffff::1", "--router-id", "192.0.2.1", "--zt-node", RS_NODE.toUpperCase());
    expect(added).toMatchObject({ code: 0, stderr: "" });
    expect(await testDb().selectFrom("route_servers").select(["zt_node_id", "zt_authorized"]).executeTakeFirstOrThrow()).toEqual({ zt_node_id: RS_NODE, zt_authorized: false });
    // The authorization is a job queued with the write; nothing is on the controller before it runs.
    expect(zt.sim.member(lan.zt_network_id, RS_NODE)).toBeUndefined();
    await runQueued("sync_route_server_node");
    expect(zt.sim.member(lan.zt_network_id, RS_NODE)).toMatchObject({ authorized: true, ipAssignments: ["192.0.2.1", "2001:db8:ffff::1"], noAutoAssignIps: true });
    expect(await testDb().selectFrom("route_servers").select("zt_authorized").executeTakeFirstOrThrow()).toEqual({ zt_authorized: true });

    // Known to ztix: no drift, nothing changed.
    zt.sim.resetCounters();
    expect(await reconcileLan(testDb(), zt.provider, lan.id)).toEqual({ status: "done", repaired: [], drift: [] });
    expect(zt.sim.mutations).toBe(0);

    // Deauthorized (and its addresses taken) behind ztix's back: repaired like a member.
    await zt.provider.upsertMember(lan.zt_network_id, RS_NODE, { authorized: false, ipAssignments: [], noAutoAssignIps: true });
    const repaired = await reconcileLan(testDb(), zt.provider, lan.id);
    expect(repaired).toEqual({ status: "done", repaired: [`${RS_NODE} (route server rs1: not authorized)`], drift: [] });
    expect(zt.sim.member(lan.zt_network_id, RS_NODE)).toMatchObject({ authorized: true, ipAssignments: ["192.0.2.1", "2001:db8:ffff::1"] });

    // The dashboard's data: an unknown router is offered for deauthorization, the route server never.
    await zt.provider.upsertMember(lan.zt_network_id, "b2b2b2b2b2", { authorized: true, ipAssignments: ["192.0.2.99"], noAutoAssignIps: true });
    await reconcileLan(testDb(), zt.provider, lan.id);
    // An old item naming the node (say, reported before set-node) is neither shown nor actionable.
    const stale = await testDb().insertInto("drift_items").values({ lan_id: lan.id, kind: "unknown_member", subject: RS_NODE }).returning("id").executeTakeFirstOrThrow();
    const dashboard = await dashboardData(testDb());
    expect(dashboard.drift.map((item) => [item.subject, item.deauthorizable])).toEqual([["b2b2b2b2b2", true]]);
    expect(dashboard.routeServers.map((server) => server.zt_node_id)).toEqual([RS_NODE]);
    const operator = await createStaffUser();
    await expect(deauthorizeDrift(testDb(), zt.provider, stale.id, { type: "user", id: operator.id, label: operator.username })).rejects.toThrow("route server rs1's node");
    expect(zt.sim.member(lan.zt_network_id, RS_NODE)?.authorized).toBe(true);
  });

  it("queues one deployment of its LAN when a route server is added, and on set-node, disable and enable", async () => {
    const lan = await zt.lan({ name: "ix" });
    const other = await createLanRow({ name: "other" });
    expect((await cli("route-servers", "add", "--lan", "ix", "--name", "rs1", "--local", "--ipv4", "192.0.2.1", "--router-id", "192.0.2.1")).code).toBe(0);
    const deployments = await queued("deploy_route_servers");
    expect(deployments).toHaveLength(1);
    expect(deployments[0]!.payload).toMatchObject({ lanId: lan.id, reason: "route server rs1 added" });
    expect(deployments[0]!.payload.lanId).not.toBe(other.id);

    // Without a node id: said on the dashboard, with how to set it.
    expect((await dashboardData(testDb())).routeServers).toMatchObject([{ name: "rs1", zt_node_id: null }]);
    const setNode = await cli("route-servers", "set-node", "--name", "rs1", "--zt-node", RS_NODE);
    expect(setNode).toMatchObject({ code: 0, stderr: "" });
    // A burst of changes stays one (debounced) deployment of the LAN.
    expect(await queued("deploy_route_servers")).toHaveLength(1);
    await runQueued("sync_route_server_node");
    expect(zt.sim.member(lan.zt_network_id, RS_NODE)).toMatchObject({ authorized: true, ipAssignments: ["192.0.2.1"] });

    expect(await cli("route-servers", "disable", "--name", "rs1")).toMatchObject({ code: 0 });
    expect(await queued("deploy_route_servers")).toHaveLength(1);
    // Disabled: the node stays on the LAN until the LAN's deployment without it ran.
    expect(await queued("sync_route_server_node")).toHaveLength(0);
    await runQueued("deploy_route_servers");
    expect(zt.sim.member(lan.zt_network_id, RS_NODE)?.authorized).toBe(true);
    await runQueued("sync_route_server_node");
    expect(zt.sim.member(lan.zt_network_id, RS_NODE)?.authorized).toBe(false);
    expect(await testDb().selectFrom("route_servers").select("zt_authorized").executeTakeFirstOrThrow()).toEqual({ zt_authorized: false });

    expect(await cli("route-servers", "enable", "--name", "rs1")).toMatchObject({ code: 0 });
    expect(await queued("deploy_route_servers")).toHaveLength(1);
    await runQueued("sync_route_server_node");
    expect(zt.sim.member(lan.zt_network_id, RS_NODE)?.authorized).toBe(true);
  });

  it("fails closed: with the controller not ready nothing is sent, the job fails with the reason and retries, then completes", async () => {
    const lan = await zt.lan({ name: "ix" });
    expect((await cli("route-servers", "add", "--lan", "ix", "--name", "rs1", "--local", "--ipv4", "192.0.2.1", "--router-id", "192.0.2.1", "--zt-node", RS_NODE)).code).toBe(0);
    zt.sim.setFaults({ databaseReady: false });
    zt.sim.resetCounters();
    await runQueued("sync_route_server_node");
    expect(zt.sim.mutations).toBe(0);
    // The failure is recorded as the job ends (graphile-worker may write it just after runOnce returns).
    let failed: { attempts: number; max_attempts: number; last_error: string | null } | undefined;
    for (let i = 0; i < 50 && !failed?.last_error; i++) {
      if (i > 0) await new Promise((resolve) => setTimeout(resolve, 100));
      const rows = await sql<{ attempts: number; max_attempts: number; last_error: string | null }>`
        select j.attempts, j.max_attempts, j.last_error from graphile_worker._private_jobs j join graphile_worker._private_tasks t on t.id = j.task_id
         where t.identifier = 'sync_route_server_node'`.execute(testDb());
      expect(rows.rows).toHaveLength(1);
      failed = rows.rows[0];
    }
    expect(failed).toMatchObject({ attempts: 1, max_attempts: 12 });
    expect(failed!.last_error ?? "").toContain("ZeroTier controller not ready");
    zt.sim.setFaults({ databaseReady: true });
    await runQueued("sync_route_server_node");
    expect(zt.sim.member(lan.zt_network_id, RS_NODE)).toMatchObject({ authorized: true, ipAssignments: ["192.0.2.1"] });
    expect(await queued("sync_route_server_node")).toHaveLength(0);
  });

  it("after a deployment, follows session state every 2 s until followUntil, then leaves it to the minute cycle", async () => {
    const lan = await zt.lan({ name: "ix" });
    const follow = () =>
      sql<{ key: string; payload: { followUntil?: string }; due_in: number }>`
        select j.key, j.payload, extract(epoch from j.run_at - now())::float as due_in
          from graphile_worker._private_jobs j join graphile_worker._private_tasks t on t.id = j.task_id
         where t.identifier = 'collect_session_states'`.execute(testDb()).then((result) => result.rows);
    const { enqueueJob } = await import("@/jobs/enqueue");
    const until = new Date(Date.now() + 60_000).toISOString();
    await enqueueJob(testDb(), "collect_session_states", { lanId: lan.id, followUntil: until }, { jobKey: `collect_session_states:follow:${lan.id}`, maxAttempts: 1 });
    await runQueued("collect_session_states");
    const next = await follow();
    expect(next).toHaveLength(1);
    expect(next[0]).toMatchObject({ key: `collect_session_states:follow:${lan.id}`, payload: { followUntil: until } });
    expect(next[0]!.due_in).toBeGreaterThan(0);
    expect(next[0]!.due_in).toBeLessThanOrEqual(2.5);

    // Past followUntil: the run is the last of the chain.
    await sql`delete from graphile_worker._private_jobs`.execute(testDb());
    await enqueueJob(testDb(), "collect_session_states", { lanId: lan.id, followUntil: new Date(Date.now() - 1000).toISOString() }, { maxAttempts: 1 });
    await runQueued("collect_session_states");
    expect(await follow()).toEqual([]);
  });

  it("refuses a bad node id or another router's node in one line, changing nothing", async () => {
    await zt.lan({ name: "ix" });
    expect((await cli("route-servers", "add", "--lan", "ix", "--name", "rs1", "--local", "--ipv4", "192.0.2.1", "--router-id", "192.0.2.1", "--zt-node", RS_NODE)).code).toBe(0);
    const bad = await cli("route-servers", "set-node", "--name", "rs1", "--zt-node", "xyz");
    expect(bad.code).toBe(1);
    expect(bad.stderr.trim().split("\n")).toHaveLength(1);
    expect(bad.stderr).toContain("10 hexadecimal digits");
    const taken = await cli("route-servers", "add", "--lan", "ix", "--name", "rs2", "--local", "--ipv4", "192.0.2.2", "--router-id", "192.0.2.2", "--zt-node", RS_NODE);
    expect(taken.code).toBe(1);
    expect(taken.stderr).toContain("already");
    expect(await testDb().selectFrom("route_servers").select("name").execute()).toEqual([{ name: "rs1" }]);
    // Nor can a member ask to connect the route server's node as its router.
    const operator = await createStaffUser();
    const lan = await testDb().selectFrom("lans").select("id").where("name", "=", "ix").executeTakeFirstOrThrow();
    await expect(requestConnection(testDb(), operator, { asn: 64500, lanId: lan.id, ztNodeId: RS_NODE, routeServerPeering: true })).rejects.toMatchObject({ fieldErrors: { ztNodeId: ["node e5e5e5e5e5 is one of ix's route servers"] } });
  });
});
