import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { reconcileLan } from "@/lib/reconciliation";
import { createZeroTierProvider, type ZeroTierProvider } from "@/lib/zerotier";
import { createLanNetwork } from "@/lib/zerotier/network-setup";
import { startZeroTierSimulator, type ZeroTierSimulator } from "@/simulators/zerotier/server";
import { closeDb, resetDatabase, testDb } from "../support/db";
import { createLanRow } from "../support/fixtures";

let sim: ZeroTierSimulator;
let provider: ZeroTierProvider;

async function setUp() {
  const { networkId } = await createLanNetwork(provider, { name: "ix", ipv4Prefix: "192.0.2.0/24", ipv6Prefix: "2001:db8:ffff::/64", mtu: 2800 });
  const lan = await createLanRow({ ztNetworkId: networkId });
  await testDb().insertInto("networks").values({ asn: 64500, name: "N" }).execute();
  await testDb().insertInto("connections").values({ lan_id: lan.id, asn: 64500, zt_node_id: "a1a1a1a1a1", state: "provisioned", ipv4_address: "192.0.2.11", ipv6_address: "2001:db8:ffff::11" }).execute();
  await provider.upsertMember(networkId, "a1a1a1a1a1", { authorized: true, ipAssignments: ["192.0.2.11", "2001:db8:ffff::11"], noAutoAssignIps: true });
  return { lanId: lan.id, networkId };
}

describe("controller reconciliation", () => {
  beforeAll(async () => {
    sim = await startZeroTierSimulator({});
  });
  beforeEach(async () => {
    await resetDatabase();
    sim.reset();
    provider = createZeroTierProvider({ provider: "self_hosted_controller", controllerUrl: sim.controllerUrl, controllerToken: sim.token, centralUrl: "", retry: { maxAttempts: 2, maxTotalMs: 500, baseDelayMs: 1, maxDelayMs: 1 } });
  });
  afterAll(async () => {
    await sim.close();
    await closeDb();
  });

  it("restores a member deleted on the controller behind the portal's back", async () => {
    const { lanId, networkId } = await setUp();
    await fetch(`${sim.controllerUrl}/network/${networkId}/member/a1a1a1a1a1`, { method: "DELETE", headers: { "X-ZT1-Auth": sim.token } });
    expect(sim.member(networkId, "a1a1a1a1a1")).toBeUndefined();
    const result = await reconcileLan(testDb(), provider, lanId);
    expect(result).toEqual({ status: "done", repaired: ["a1a1a1a1a1 (missing on the controller)"], drift: [] });
    expect(sim.member(networkId, "a1a1a1a1a1")).toMatchObject({ authorized: true, ipAssignments: ["192.0.2.11", "2001:db8:ffff::11"] });
    const audit = await testDb().selectFrom("audit_events").select(["action", "actor_label"]).where("action", "=", "connection.repaired_on_controller").execute();
    expect(audit).toEqual([{ action: "connection.repaired_on_controller", actor_label: "reconcile_lan" }]);
  });

  it("reports an unknown authorized member as drift and leaves it alone", async () => {
    const { lanId, networkId } = await setUp();
    await fetch(`${sim.controllerUrl}/network/${networkId}/member/b2b2b2b2b2`, { method: "POST", headers: { "X-ZT1-Auth": sim.token }, body: JSON.stringify({ authorized: true, ipAssignments: ["192.0.2.99"] }) });
    sim.resetCounters();
    const result = await reconcileLan(testDb(), provider, lanId);
    expect(result).toEqual({ status: "done", repaired: [], drift: ["b2b2b2b2b2"] });
    expect(sim.member(networkId, "b2b2b2b2b2")?.authorized).toBe(true);
    expect(sim.mutations).toBe(0);
    const drift = await testDb().selectFrom("drift_items").select(["kind", "subject", "resolved_at"]).execute();
    expect(drift).toEqual([{ kind: "unknown_member", subject: "b2b2b2b2b2", resolved_at: null }]);
    // Seen again: still one item.
    await reconcileLan(testDb(), provider, lanId);
    expect(await testDb().selectFrom("drift_items").select("id").execute()).toHaveLength(1);
  });

  it("changes nothing when the controller fails the member list, and says why", async () => {
    const { lanId, networkId } = await setUp();
    await fetch(`${sim.controllerUrl}/network/${networkId}/member/a1a1a1a1a1`, { method: "DELETE", headers: { "X-ZT1-Auth": sim.token } });
    sim.setFaults({ failMemberList: true });
    sim.resetCounters();
    const result = await reconcileLan(testDb(), provider, lanId);
    expect(result.status).toBe("skipped");
    if (result.status === "skipped") expect(result.reason).toContain("the member list could not be read completely, so nothing was changed");
    expect(sim.mutations).toBe(0);
    expect(sim.member(networkId, "a1a1a1a1a1")).toBeUndefined();
  });

  it("repairs wrong addresses and a deauthorized member", async () => {
    const { lanId, networkId } = await setUp();
    await provider.upsertMember(networkId, "a1a1a1a1a1", { authorized: false, ipAssignments: ["192.0.2.200"], noAutoAssignIps: true });
    const result = await reconcileLan(testDb(), provider, lanId);
    expect(result.status === "done" && result.repaired).toEqual(["a1a1a1a1a1 (not authorized)"]);
    expect(sim.member(networkId, "a1a1a1a1a1")).toMatchObject({ authorized: true, ipAssignments: ["192.0.2.11", "2001:db8:ffff::11"] });
  });
});
