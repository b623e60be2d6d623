import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createZeroTierProvider, type ZeroTierProvider } from "@/lib/zerotier";
import { createLanNetwork, checkExistingNetwork } from "@/lib/zerotier/network-setup";
import { startZeroTierSimulator, type ZeroTierSimulator } from "@/simulators/zerotier/server";

const LAN = { name: "ix-lan", ipv4Prefix: "192.0.2.0/24", ipv6Prefix: "2001:db8:ffff::/64", mtu: 2800 };
const fastRetry = { maxAttempts: 8, maxTotalMs: 5_000, baseDelayMs: 1, maxDelayMs: 5, sleep: async () => undefined };

for (const mode of ["controller", "central"] as const) {
  describe(`ZeroTier provider contract (${mode})`, () => {
    let sim: ZeroTierSimulator;
    let provider: ZeroTierProvider;
    const make = (overrides: { token?: string; retry?: object } = {}) =>
      createZeroTierProvider({
        provider: mode === "central" ? "central" : "self_hosted_controller",
        controllerUrl: sim.controllerUrl,
        controllerToken: overrides.token ?? sim.token,
        centralUrl: sim.controllerUrl,
        centralToken: overrides.token ?? sim.token,
        timeoutMs: 2_000,
        retry: { ...fastRetry, ...overrides.retry },
      });

    beforeAll(async () => {
      sim = await startZeroTierSimulator({ mode });
    });
    beforeEach(() => {
      sim.reset();
      provider = make();
    });
    afterAll(() => sim.close());

    it("is ready with the right token", async () => {
      const readiness = await provider.readiness();
      expect(readiness.ready).toBe(true);
    });

    it("creates a LAN network with routes for both prefixes; members inside them read back identical and are delivered", async () => {
      const { networkId, network } = await createLanNetwork(provider, LAN);
      expect(network.routes).toEqual([
        { target: "192.0.2.0/24", via: null },
        { target: "2001:db8:ffff::/64", via: null },
      ]);
      expect(network.private).toBe(true);
      expect(network.v4AssignMode).toEqual({ zt: false });
      if (mode === "controller") expect(networkId.startsWith(sim.nodeId)).toBe(true);
      const member = await provider.upsertMember(networkId, "a1b2c3d4e5", { authorized: true, ipAssignments: ["192.0.2.11", "2001:db8:ffff:0:a500:6:4500:1"], noAutoAssignIps: true, name: "AS64500" });
      expect(member).toMatchObject({ authorized: true, ipAssignments: ["192.0.2.11", "2001:db8:ffff:0:a500:6:4500:1"], noAutoAssignIps: true });
      expect(sim.deliveredAddresses(networkId, "a1b2c3d4e5")).toEqual(["192.0.2.11", "2001:db8:ffff:0:a500:6:4500:1"]);
      expect(await checkExistingNetwork(provider, networkId, LAN)).toEqual([]);
    });

    it("sends an uppercase node id lower-case", async () => {
      const { networkId } = await createLanNetwork(provider, LAN);
      await provider.upsertMember(networkId, "A1B2C3D4E5", { authorized: true, ipAssignments: ["192.0.2.12"], noAutoAssignIps: true });
      expect(sim.member(networkId, "a1b2c3d4e5")?.id).toBe("a1b2c3d4e5");
    });

    it("upserts idempotently: the same upsert twice changes nothing the second time", async () => {
      const { networkId } = await createLanNetwork(provider, LAN);
      const body = { authorized: true, ipAssignments: ["192.0.2.13"], noAutoAssignIps: true };
      const first = await provider.upsertMember(networkId, "b1b2c3d4e5", body);
      const second = await provider.upsertMember(networkId, "b1b2c3d4e5", body);
      expect(second.revision).toBe(first.revision);
      expect(sim.members(networkId)).toHaveLength(1);
    });

    it("lists every member, deauthorizes without creating, deletes idempotently", async () => {
      const { networkId } = await createLanNetwork(provider, LAN);
      await provider.upsertMember(networkId, "c1b2c3d4e5", { authorized: true, ipAssignments: ["192.0.2.14"], noAutoAssignIps: true });
      await provider.upsertMember(networkId, "c2b2c3d4e5", { authorized: true, ipAssignments: ["192.0.2.15"], noAutoAssignIps: true });
      expect((await provider.listMembers(networkId)).map((member) => member.nodeId).sort()).toEqual(["c1b2c3d4e5", "c2b2c3d4e5"]);
      expect(await provider.deauthorizeMember(networkId, "ffffffffff")).toBeNull();
      expect(sim.member(networkId, "ffffffffff")).toBeUndefined();
      const deauthorized = await provider.deauthorizeMember(networkId, "c1b2c3d4e5");
      expect(deauthorized).toMatchObject({ authorized: false, ipAssignments: [] });
      expect(await provider.deleteMember(networkId, "c1b2c3d4e5")).toBe(true);
      expect(await provider.deleteMember(networkId, "c1b2c3d4e5")).toBe(false);
      expect(await provider.getMember(networkId, "c1b2c3d4e5")).toBeNull();
    });

    it("refuses ids that are not ZeroTier ids before sending anything", async () => {
      sim.resetCounters();
      await expect(provider.upsertMember("c771ace7ed000001", "xyz", { authorized: true, ipAssignments: [], noAutoAssignIps: true })).rejects.toThrow("is not a ZeroTier node id");
      await expect(provider.getNetwork("12345")).rejects.toThrow("is not a ZeroTier network id");
      expect(sim.counters.requests).toBe(0);
    });

    it("never sends a mutation with a wrong token, and says why", async () => {
      const { networkId } = await createLanNetwork(provider, LAN);
      sim.resetCounters();
      const wrong = make({ token: "not-the-token" });
      const readiness = await wrong.readiness();
      expect(readiness.ready).toBe(false);
      if (!readiness.ready) expect(readiness.reason).toMatch(/rejected the (API )?token/);
      await expect(wrong.upsertMember(networkId, "d1b2c3d4e5", { authorized: true, ipAssignments: [], noAutoAssignIps: true })).rejects.toMatchObject({ kind: "not_ready" });
      expect(sim.mutations).toBe(0);
    });

    it("retries 20% injected 429s to success with no duplicate effect", async () => {
      const { networkId } = await createLanNetwork(provider, LAN);
      sim.setFaults({ rate429: 0.2, retryAfter: "seconds", retryAfterSeconds: 0 });
      for (let i = 0; i < 30; i++) {
        const nodeId = (0xe000000000 + i).toString(16);
        await provider.upsertMember(networkId, nodeId, { authorized: true, ipAssignments: [`192.0.2.${20 + i}`], noAutoAssignIps: true });
      }
      expect(sim.counters.throttled).toBeGreaterThan(0);
      sim.setFaults({ rate429: 0 });
      const members = await provider.listMembers(networkId);
      expect(members).toHaveLength(30);
      expect(members.every((member) => member.revision === 1)).toBe(true);
    });

    it("gives up on permanent 429s with a clear retryable error instead of hanging", async () => {
      sim.setFaults({ rate429: 1, retryAfter: "none" });
      const waits: number[] = [];
      const bounded = make({ retry: { maxAttempts: 4, sleep: async (ms: number) => void waits.push(ms) } });
      await expect(bounded.getNetwork("c771ace7ed000001")).rejects.toMatchObject({ kind: "rate_limited", retryable: true, message: expect.stringContaining("gave up after 4 attempts") });
      expect(waits).toHaveLength(3);
    });

    it("honours Retry-After, and X-Ratelimit-Reset when Retry-After is absent", async () => {
      const waits: number[] = [];
      let throttle = 2;
      sim.setFaults({ rate429: 1, retryAfter: "seconds", retryAfterSeconds: 3 });
      const honouring = make({
        retry: {
          maxTotalMs: 120_000,
          sleep: async (ms: number) => {
            waits.push(ms);
            if (--throttle === 0) sim.setFaults({ rate429: 0 });
          },
        },
      });
      expect(await honouring.getNetwork("c771ace7ed000002")).toBeNull();
      expect(waits).toEqual([3000, 3000]);

      waits.length = 0;
      throttle = 1;
      sim.setFaults({ rate429: 1, retryAfter: "reset-header", retryAfterSeconds: 30 });
      await honouring.getNetwork("c771ace7ed000003");
      expect(waits[0]).toBeGreaterThan(25_000);
      expect(waits[0]).toBeLessThanOrEqual(30_000);
    });
  });
}

describe("self-hosted controller: fail closed", () => {
  let sim: ZeroTierSimulator;
  let provider: ZeroTierProvider;
  beforeAll(async () => {
    sim = await startZeroTierSimulator({});
  });
  beforeEach(() => {
    sim.reset();
    provider = createZeroTierProvider({ provider: "self_hosted_controller", controllerUrl: sim.controllerUrl, controllerToken: sim.token, centralUrl: "", timeoutMs: 1_000, retry: { maxAttempts: 2, maxTotalMs: 1_000, baseDelayMs: 1, maxDelayMs: 1 } });
  });
  afterAll(() => sim.close());

  it("refuses mutations while the database is not ready, naming the cause", async () => {
    const { networkId } = await createLanNetwork(provider, LAN);
    sim.setFaults({ databaseReady: false });
    sim.resetCounters();
    const readiness = await provider.readiness();
    expect(readiness).toMatchObject({ ready: false, kind: "database_not_ready" });
    await expect(provider.upsertMember(networkId, "a1a1a1a1a1", { authorized: true, ipAssignments: [], noAutoAssignIps: true })).rejects.toThrow("databaseReady: false");
    expect(sim.mutations).toBe(0);
  });

  it("refuses mutations while the controller is down, and works again when it is back", async () => {
    const { networkId } = await createLanNetwork(provider, LAN);
    await sim.down();
    try {
      const readiness = await provider.readiness();
      expect(readiness).toMatchObject({ ready: false, kind: "unreachable" });
      await expect(provider.upsertMember(networkId, "a2a2a2a2a2", { authorized: true, ipAssignments: ["192.0.2.50"], noAutoAssignIps: true })).rejects.toMatchObject({ kind: "not_ready", retryable: true });
    } finally {
      await sim.up();
    }
    expect(sim.member(networkId, "a2a2a2a2a2")).toBeUndefined();
    await provider.upsertMember(networkId, "a2a2a2a2a2", { authorized: true, ipAssignments: ["192.0.2.50"], noAutoAssignIps: true });
    expect(sim.member(networkId, "a2a2a2a2a2")?.authorized).toBe(true);
  });

  it("says when zerotier-one has no controller", async () => {
    sim.setFaults({ noController: true });
    expect(await provider.readiness()).toMatchObject({ ready: false, kind: "no_controller" });
  });

  it("reads the token from a file, trimmed", async () => {
    const { writeFileSync, mkdtempSync } = await import("node:fs");
    const path = `${mkdtempSync("/tmp/ztix-token-")}/authtoken.secret`;
    writeFileSync(path, `${sim.token}\n`);
    const fromFile = createZeroTierProvider({ provider: "self_hosted_controller", controllerUrl: sim.controllerUrl, controllerTokenFile: path, centralUrl: "" });
    expect((await fromFile.readiness()).ready).toBe(true);
  });
});
