import { runOnce } from "graphile-worker";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { getPool } from "@/db";
import { approveConnection, actorOf, authorizeConnectionAction, getConnectionFor, removeConnection, requestConnection } from "@/lib/connections/service";
import { enqueueJob } from "@/jobs/enqueue";
import { runControllerJobsNow } from "@/lib/connections/controller-recovery";
import { CONTROLLER_PATIENCE_MS, deprovisionConnection, provisionConnection } from "@/lib/connections/provisioning";
import { createZeroTierProvider, type ZeroTierProvider } from "@/lib/zerotier";
import { createLanNetwork } from "@/lib/zerotier/network-setup";
import { startZeroTierSimulator, type ZeroTierSimulator } from "@/simulators/zerotier/server";
import { closeDb, resetDatabase, testDb } from "../support/db";
import { createLanRow, createMemberUser, createStaffUser, nodeId } from "../support/fixtures";

let sim: ZeroTierSimulator;
let provider: ZeroTierProvider;

async function lanOnSimulator(overrides: Parameters<typeof createLanRow>[0] = {}) {
  const { networkId } = await createLanNetwork(provider, { name: "ix", ipv4Prefix: overrides.ipv4Prefix ?? "192.0.2.0/24", ipv6Prefix: "2001:db8:ffff::/64", mtu: 2800 });
  return createLanRow({ ...overrides, ztNetworkId: networkId });
}

async function connectionState(id: number) {
  return testDb().selectFrom("connections").select(["state", "reason", "ipv4_address", "ipv6_address", "failed_operation"]).where("id", "=", id).executeTakeFirstOrThrow();
}

describe("provisioning and removal on the controller", () => {
  beforeAll(async () => {
    sim = await startZeroTierSimulator({});
  });
  beforeEach(async () => {
    await resetDatabase();
    sim.reset();
    provider = createZeroTierProvider({ provider: "self_hosted_controller", controllerUrl: sim.controllerUrl, controllerToken: sim.token, centralUrl: "", timeoutMs: 1_000, retry: { maxAttempts: 2, maxTotalMs: 1_000, baseDelayMs: 1, maxDelayMs: 2 } });
  });
  afterAll(async () => {
    await sim.close();
    await closeDb();
  });

  it("authorizes the router with exactly its addresses, idempotently", async () => {
    const lan = await lanOnSimulator();
    const member = await createMemberUser([64500]);
    const operator = await createStaffUser();
    const { id } = await requestConnection(testDb(), member, { asn: 64500, lanId: lan.id, ztNodeId: "ABCDEF0123", routeServerPeering: true });
    const addresses = await approveConnection(testDb(), actorOf(operator), id);
    expect(await provisionConnection(testDb(), provider, id, { number: 1, max: 5 })).toBe("provisioned");
    const stored = sim.member(lan.zt_network_id, "abcdef0123")!;
    expect(stored).toMatchObject({ id: "abcdef0123", authorized: true, noAutoAssignIps: true, name: "AS64500" });
    expect(stored.ipAssignments.sort()).toEqual([addresses.ipv4, addresses.ipv6].sort());
    expect(sim.deliveredAddresses(lan.zt_network_id, "abcdef0123").sort()).toEqual([addresses.ipv4, addresses.ipv6].sort());

    sim.resetCounters();
    expect(await provisionConnection(testDb(), provider, id, { number: 1, max: 5 })).toBe("skipped");
    expect(sim.mutations).toBe(0);
    const jobs = await testDb().selectFrom("graphile_worker.jobs").select("key").where("task_identifier", "=", "deploy_route_servers").execute();
    expect(jobs).toEqual([{ key: `deploy_route_servers:${lan.id}` }]);
  });

  it("with the controller down, stays provisioning with the reason, then completes by itself when it is back", async () => {
    const lan = await lanOnSimulator();
    const operator = await createStaffUser();
    const { id } = await requestConnection(testDb(), operator, { asn: 64501, lanId: lan.id, ztNodeId: nodeId(1), routeServerPeering: true });
    await approveConnection(testDb(), actorOf(operator), id);
    await sim.down();
    try {
      await expect(provisionConnection(testDb(), provider, id, { number: 1, max: 12 })).rejects.toThrow("ZeroTier controller not ready");
      const waiting = await connectionState(id);
      expect(waiting.state).toBe("provisioning");
      expect(waiting.reason).toMatch(/^ZeroTier controller not ready: .*unreachable.*\(attempt 1 of 12; retrying\)$/);
    } finally {
      await sim.up();
    }
    // The job's retry (graphile-worker backoff) runs it again; here, directly.
    expect(await provisionConnection(testDb(), provider, id, { number: 2, max: 12 })).toBe("provisioned");
    expect(await connectionState(id)).toMatchObject({ state: "provisioned", reason: null });
  });

  it("at its last attempt in a controller outage, goes on in a fresh job and stays provisioning; a day on it ends visibly failed, and a retry completes it", async () => {
    const lan = await lanOnSimulator();
    const operator = await createStaffUser();
    const { id } = await requestConnection(testDb(), operator, { asn: 64502, lanId: lan.id, ztNodeId: nodeId(2), routeServerPeering: true });
    await approveConnection(testDb(), actorOf(operator), id);
    sim.setFaults({ databaseReady: false });
    const began = new Date(Date.now() - 11 * 60_000);
    expect(await provisionConnection(testDb(), provider, id, { number: 12, max: 12, createdAt: began })).toBe("waiting");
    expect(await connectionState(id)).toMatchObject({ state: "provisioning", reason: expect.stringMatching(/databaseReady: false.*\(retrying since .+ UTC, until .+ UTC\)$/) });
    const jobs = await testDb().selectFrom("graphile_worker.jobs").select(["key", "flags", "attempts", "max_attempts"]).where("task_identifier", "=", "provision_connection").execute();
    expect(jobs).toEqual([{ key: `provision_connection:${id}`, flags: { controller_outage: true }, attempts: 0, max_attempts: 12 }]);
    // The fresh job's reason tells since when, not "attempt 1 of 12".
    await expect(provisionConnection(testDb(), provider, id, { number: 1, max: 12, retryingSince: began })).rejects.toThrow("ZeroTier controller not ready");
    expect((await connectionState(id)).reason).toMatch(/\(retrying since .+ UTC, until .+ UTC\)$/);

    // Retries that began more than CONTROLLER_PATIENCE_MS ago give up: failed, with the reason.
    const longAgo = new Date(Date.now() - CONTROLLER_PATIENCE_MS - 60_000);
    await expect(provisionConnection(testDb(), provider, id, { number: 12, max: 12, retryingSince: longAgo })).rejects.toThrow("ZeroTier controller not ready");
    expect(await connectionState(id)).toMatchObject({ state: "failed", failed_operation: "provision", reason: expect.stringMatching(/databaseReady: false.*gave up after 24 h\)$/) });
    sim.setFaults({ databaseReady: true });
    const { retryConnection } = await import("@/lib/connections/service");
    await retryConnection(testDb(), actorOf(operator), id);
    expect(await provisionConnection(testDb(), provider, id, { number: 1, max: 12 })).toBe("provisioned");
  });

  it("a failure no retry can fix ends visibly failed at once, whatever attempts are left", async () => {
    const lan = await lanOnSimulator();
    const operator = await createStaffUser();
    const { id } = await requestConnection(testDb(), operator, { asn: 64504, lanId: lan.id, ztNodeId: nodeId(5), routeServerPeering: true });
    await approveConnection(testDb(), actorOf(operator), id);
    const refusing: ZeroTierProvider = Object.assign(Object.create(provider) as ZeroTierProvider, {
      upsertMember: async () => {
        throw Object.assign(new Error("controller answered 400: invalid member"), { retryable: false });
      },
    });
    expect(await provisionConnection(testDb(), refusing, id, { number: 1, max: 12 })).toBe("failed");
    expect(await connectionState(id)).toMatchObject({ state: "failed", failed_operation: "provision", reason: "controller answered 400: invalid member" });
  });

  it("removal deauthorizes and deletes on the controller, quarantines the addresses, and audits every step with its actor", async () => {
    const lan = await lanOnSimulator();
    const member = await createMemberUser([64500]);
    const operator = await createStaffUser();
    const { id } = await requestConnection(testDb(), member, { asn: 64500, lanId: lan.id, ztNodeId: nodeId(3), routeServerPeering: true });
    const addresses = await approveConnection(testDb(), actorOf(operator), id);
    await provisionConnection(testDb(), provider, id, { number: 1, max: 5 });
    await authorizeConnectionAction(testDb(), member, id);
    await removeConnection(testDb(), actorOf(member), id);
    expect(await deprovisionConnection(testDb(), provider, id, { number: 1, max: 5 })).toBe("removed");
    expect(sim.member(lan.zt_network_id, nodeId(3))).toBeUndefined();
    const allocations = await testDb().selectFrom("address_allocations").select(["address", "state"]).where("connection_id", "=", id).orderBy("address").execute();
    expect(allocations.map((row) => row.state)).toEqual(["quarantined", "quarantined"]);
    expect(allocations.map((row) => row.address).sort()).toEqual([addresses.ipv4, addresses.ipv6].sort());
    const history = await testDb().selectFrom("audit_events").select(["action", "actor_label"]).where("subject_type", "=", "connection").where("subject_id", "=", String(id)).orderBy("id").execute();
    expect(history).toEqual([
      { action: "connection.requested", actor_label: member.username },
      { action: "connection.approved", actor_label: operator.username },
      { action: "connection.provisioning", actor_label: "provision_connection" },
      { action: "connection.provisioned", actor_label: "provision_connection" },
      { action: "connection.removal_requested", actor_label: member.username },
      { action: "connection.removed", actor_label: "remove_connection" },
    ]);
  });

  it("as a graphile-worker job: an outage longer than the job's attempts hands over to a fresh job, which runs as soon as the controller is back", async () => {
    const lan = await lanOnSimulator();
    const operator = await createStaffUser();
    const { id } = await requestConnection(testDb(), operator, { asn: 64505, lanId: lan.id, ztNodeId: nodeId(6), routeServerPeering: true });
    await approveConnection(testDb(), actorOf(operator), id);
    // The approval's job, down to its last attempt.
    await enqueueJob(testDb(), "provision_connection", { connectionId: id }, { jobKey: `provision_connection:${id}`, maxAttempts: 1 });
    process.env.ZT_CONTROLLER_URL = sim.controllerUrl;
    process.env.ZT_CONTROLLER_TOKEN = sim.token;
    (globalThis as { ztixZeroTier?: unknown }).ztixZeroTier = undefined;
    const { taskList } = await import("@/jobs/index");
    const tasks = { provision_connection: taskList.provision_connection! };
    sim.setFaults({ databaseReady: false });
    await runOnce({ pgPool: getPool(), taskList: tasks, noHandleSignals: true });
    // No failed job is left behind; one waits with the key, and the connection waits too.
    const jobs = await testDb().selectFrom("graphile_worker.jobs").select(["key", "attempts", "max_attempts", "flags"]).where("task_identifier", "=", "provision_connection").execute();
    expect(jobs).toEqual([{ key: `provision_connection:${id}`, attempts: 0, max_attempts: 1, flags: { controller_outage: true } }]);
    expect(await connectionState(id)).toMatchObject({ state: "provisioning", reason: expect.stringContaining("retrying since") });

    sim.setFaults({ databaseReady: true });
    // What a worker's controller watch does once the controller is ready again.
    expect(await runControllerJobsNow(testDb())).toBe(1);
    expect((await connectionState(id)).reason).toBeNull();
    await runOnce({ pgPool: getPool(), taskList: tasks, noHandleSignals: true });
    expect(await connectionState(id)).toMatchObject({ state: "provisioned", reason: null });
    expect(sim.member(lan.zt_network_id, nodeId(6))?.authorized).toBe(true);
  });

  it("runs as a graphile-worker job from the approval's transaction", async () => {
    const lan = await lanOnSimulator();
    const operator = await createStaffUser();
    const { id } = await requestConnection(testDb(), operator, { asn: 64503, lanId: lan.id, ztNodeId: nodeId(4), routeServerPeering: true });
    await approveConnection(testDb(), actorOf(operator), id);
    process.env.ZT_CONTROLLER_URL = sim.controllerUrl;
    process.env.ZT_CONTROLLER_TOKEN = sim.token;
    const { getZeroTierProvider } = await import("@/lib/zerotier/client");
    (globalThis as { ztixZeroTier?: unknown }).ztixZeroTier = undefined;
    const { taskList } = await import("@/jobs/index");
    const { provision_connection } = taskList;
    await runOnce({ pgPool: getPool(), taskList: { provision_connection: provision_connection! }, noHandleSignals: true });
    expect(getZeroTierProvider().baseUrl).toBe(sim.controllerUrl);
    expect((await connectionState(id)).state).toBe("provisioned");
    expect(sim.member(lan.zt_network_id, nodeId(4))?.authorized).toBe(true);
  });
});

describe("who may see and change a connection", () => {
  beforeEach(resetDatabase);

  it("refuses a member another network's connection, even by id, and a read-only affiliation acting on it", async () => {
    const lan = await createLanRow();
    const owner = await createMemberUser([64500]);
    const stranger = await createMemberUser([64999]);
    const { id } = await requestConnection(testDb(), owner, { asn: 64500, lanId: lan.id, ztNodeId: nodeId(10), routeServerPeering: true });
    // Worded exactly like a missing id: no existence oracle.
    await expect(getConnectionFor(testDb(), stranger, id)).rejects.toThrow(`connection ${id} does not exist`);
    await expect(getConnectionFor(testDb(), stranger, id + 1000)).rejects.toThrow(`connection ${id + 1000} does not exist`);
    await expect(authorizeConnectionAction(testDb(), stranger, id)).rejects.toThrow(`connection ${id} does not exist`);
    const readOnly = await createMemberUser([64500], 1);
    await expect(authorizeConnectionAction(testDb(), readOnly, id)).rejects.toThrow("You are not allowed to act for AS64500.");
  });

  it("answers bad requests with field errors and writes nothing", async () => {
    const lan = await createLanRow({ ipv4Prefix: "192.0.2.0/30", reserved: 0 });
    const member = await createMemberUser([64500]);
    const count = async () => (await testDb().selectFrom("connections").select("id").execute()).length;
    await expect(requestConnection(testDb(), member, { asn: 64500, lanId: lan.id, ztNodeId: "12345", routeServerPeering: true })).rejects.toMatchObject({ fieldErrors: { ztNodeId: [expect.stringContaining("10 hexadecimal digits")] } });
    await expect(requestConnection(testDb(), member, { asn: 64500, lanId: lan.id, ztNodeId: "zzzzzzzzzz", routeServerPeering: true })).rejects.toMatchObject({ fieldErrors: { ztNodeId: expect.any(Array) } });
    await expect(requestConnection(testDb(), member, { asn: 64501, lanId: lan.id, ztNodeId: nodeId(1), routeServerPeering: true })).rejects.toMatchObject({ fieldErrors: { asn: ["AS64501 is not one of your networks"] } });
    await expect(requestConnection(testDb(), member, { asn: 64500, lanId: 999999, ztNodeId: nodeId(1), routeServerPeering: true })).rejects.toMatchObject({ fieldErrors: { lanId: ["this peering LAN does not exist"] } });
    expect(await count()).toBe(0);
    await requestConnection(testDb(), member, { asn: 64500, lanId: lan.id, ztNodeId: nodeId(1), routeServerPeering: true });
    await expect(requestConnection(testDb(), member, { asn: 64500, lanId: lan.id, ztNodeId: nodeId(1).toUpperCase(), routeServerPeering: true })).rejects.toMatchObject({
      fieldErrors: { ztNodeId: [`router ${nodeId(1)} is already connected to ${lan.name}`] },
    });
    expect(await count()).toBe(1);
  });
});
