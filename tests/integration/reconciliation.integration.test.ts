import { describe, expect, it } from "vitest";
import { reconcileLan } from "@/lib/reconciliation";
import { testDb } from "../support/db";
import { withZeroTierSimulator } from "../support/zerotier-simulator";

const zt = withZeroTierSimulator();

async function setUp() {
  const lan = await zt.lan();
  const networkId = lan.zt_network_id;
  await testDb().insertInto("networks").values({ asn: 64500, name: "N" }).execute();
  await testDb().insertInto("connections").values({ lan_id: lan.id, asn: 64500, zt_node_id: "a1a1a1a1a1", state: "provisioned", ipv4_address: "192.0.2.11", ipv6_address: "2001:db8:ffff::11" }).execute();
  await zt.provider.upsertMember(networkId, "a1a1a1a1a1", { authorized: true, ipAssignments: ["192.0.2.11", "2001:db8:ffff::11"], noAutoAssignIps: true });
  return { lanId: lan.id, networkId };
}

describe("controller reconciliation", () => {
  it("restores a member deleted on the controller behind the portal's back", async () => {
    const { lanId, networkId } = await setUp();
    await fetch(`${zt.sim.controllerUrl}/network/${networkId}/member/a1a1a1a1a1`, { method: "DELETE", headers: { "X-ZT1-Auth": zt.sim.token } });
    expect(zt.sim.member(networkId, "a1a1a1a1a1")).toBeUndefined();
    const result = await reconcileLan(testDb(), zt.provider, lanId);
    expect(result).toEqual({ status: "done", repaired: ["a1a1a1a1a1 (missing on the controller)"], drift: [] });
    expect(zt.sim.member(networkId, "a1a1a1a1a1")).toMatchObject({ authorized: true, ipAssignments: ["192.0.2.11", "2001:db8:ffff::11"] });
    const audit = await testDb().selectFrom("audit_events").select(["action", "actor_label"]).where("action", "=", "connection.repaired_on_controller").execute();
    expect(audit).toEqual([{ action: "connection.repaired_on_controller", actor_label: "reconcile_lan" }]);
  });

  it("reports an unknown authorized member as drift and leaves it alone", async () => {
    const { lanId, networkId } = await setUp();
    await fetch(`${zt.sim.controllerUrl}/network/${networkId}/member/b2b2b2b2b2`, { method: "POST", headers: { "X-ZT1-Auth": zt.sim.token }, body: JSON.stringify({ authorized: true, ipAssignments: ["192.0.2.99"] }) });
    zt.sim.resetCounters();
    const result = await reconcileLan(testDb(), zt.provider, lanId);
    expect(result).toEqual({ status: "done", repaired: [], drift: ["b2b2b2b2b2"] });
    expect(zt.sim.member(networkId, "b2b2b2b2b2")?.authorized).toBe(true);
    expect(zt.sim.mutations).toBe(0);
    const drift = await testDb().selectFrom("drift_items").select(["kind", "subject", "resolved_at"]).execute();
    expect(drift).toEqual([{ kind: "unknown_member", subject: "b2b2b2b2b2", resolved_at: null }]);
    // Seen again: still one item.
    await reconcileLan(testDb(), zt.provider, lanId);
    expect(await testDb().selectFrom("drift_items").select("id").execute()).toHaveLength(1);
  });

  it("changes nothing when the controller fails the member list, and says why", async () => {
    const { lanId, networkId } = await setUp();
    await fetch(`${zt.sim.controllerUrl}/network/${networkId}/member/a1a1a1a1a1`, { method: "DELETE", headers: { "X-ZT1-Auth": zt.sim.token } });
    zt.sim.setFaults({ failMemberList: true });
    zt.sim.resetCounters();
    const result = await reconcileLan(testDb(), zt.provider, lanId);
    expect(result.status).toBe("skipped");
    if (result.status === "skipped") expect(result.reason).toContain("the member list could not be read completely, so nothing was changed");
    expect(zt.sim.mutations).toBe(0);
    expect(zt.sim.member(networkId, "a1a1a1a1a1")).toBeUndefined();
  });

  it("repairs wrong addresses and a deauthorized member", async () => {
    const { lanId, networkId } = await setUp();
    await zt.provider.upsertMember(networkId, "a1a1a1a1a1", { authorized: false, ipAssignments: ["192.0.2.200"], noAutoAssignIps: true });
    const result = await reconcileLan(testDb(), zt.provider, lanId);
    expect(result.status === "done" && result.repaired).toEqual(["a1a1a1a1a1 (not authorized)"]);
    expect(zt.sim.member(networkId, "a1a1a1a1a1")).toMatchObject({ authorized: true, ipAssignments: ["192.0.2.11", "2001:db8:ffff::11"] });
  });
});
