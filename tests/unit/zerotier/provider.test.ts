/**
 * One provider contract, one test body, both providers: the self-hosted controller (the release
 * path) against the simulator, and Central against the simulator's Central-shaped mode.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { RetryEvent, ZeroTierProvider } from "@/lib/zerotier";
import { checkExistingNetwork, createLanNetwork, lanNetworkConfig } from "@/lib/zerotier/network-setup";
import { startZeroTierSimulator, type ZeroTierSimulator } from "@/simulators/zerotier/server";
import { fakeClock, LAN, providerFor, startProxy } from "./helpers";

const member = (ipAssignments: string[], authorized = true) => ({ authorized, ipAssignments, noAutoAssignIps: true });
const nodeIds = (count: number, base = 0xe000000000) => Array.from({ length: count }, (_, i) => (base + i).toString(16));

for (const mode of ["controller", "central"] as const) {
  describe(`ZeroTier provider (${mode})`, () => {
    let sim: ZeroTierSimulator;
    let provider: ZeroTierProvider;

    beforeAll(async () => {
      sim = await startZeroTierSimulator({ mode, seed: 42 });
    });
    beforeEach(() => {
      sim.reset();
      provider = providerFor(sim);
    });
    afterAll(async () => {
      await sim.close();
    });

    it("is ready with the right token", async () => {
      const readiness = await provider.readiness();
      expect(readiness).toEqual({ ready: true, nodeId: mode === "central" ? "central" : sim.nodeId, version: mode === "central" ? "central-simulator" : "1.14.1" });
    });

    it("creates a LAN network: private, nothing auto-assigned, a route per prefix, the MTU and name, as read back", async () => {
      const { networkId, network } = await createLanNetwork(provider, { ...LAN, mtu: 2700 });
      if (mode === "controller") expect(networkId.startsWith(sim.nodeId)).toBe(true);
      expect(network).toMatchObject({
        networkId,
        name: "ix-lan",
        private: true,
        mtu: 2700,
        routes: [{ target: "192.0.2.0/24", via: null }, { target: "2001:db8:ffff::/64", via: null }],
        v4AssignMode: { zt: false },
        v6AssignMode: { zt: false, rfc4193: false, "6plane": false },
        ipAssignmentPools: [],
      });
      // Stored whole on the controller: all three v6 keys, not only the ones that differ.
      expect(sim.state.network(networkId)!.v6AssignMode).toEqual({ "6plane": false, rfc4193: false, zt: false });
      expect(await checkExistingNetwork(provider, networkId, { ...LAN, mtu: 2700 })).toEqual([]);
    });

    it("upserts a member with LAN addresses: read back identical, and exactly those addresses are delivered", async () => {
      const { networkId } = await createLanNetwork(provider, LAN);
      const addresses = ["192.0.2.11", "2001:db8:ffff:0:a500:6:4500:1"];
      const stored = await provider.upsertMember(networkId, "a1b2c3d4e5", { ...member(addresses), name: "AS64500" });
      expect(stored).toMatchObject({ networkId, nodeId: "a1b2c3d4e5", authorized: true, ipAssignments: addresses, noAutoAssignIps: true, name: "AS64500", revision: 1, identity: null });
      expect(stored.lastAuthorizedTime).toBeGreaterThan(0);
      expect(await provider.getMember(networkId, "a1b2c3d4e5")).toEqual(stored);
      expect(sim.state.deliveredAddresses(networkId, "a1b2c3d4e5")).toEqual(addresses);
    });

    it("sends an upper-case node id lower-case: the controller would keep the case it is sent", async () => {
      const { networkId } = await createLanNetwork(provider, LAN);
      const stored = await provider.upsertMember(networkId.toUpperCase(), "A1B2C3D4E5", member(["192.0.2.12"]));
      expect(stored.nodeId).toBe("a1b2c3d4e5");
      expect(sim.state.member(networkId, "a1b2c3d4e5")?.id).toBe("a1b2c3d4e5");
      const paths = Object.keys(sim.counters.byPath).map((key) => key.split(" ")[1]!);
      expect(paths.some((path) => path.includes("/member/a1b2c3d4e5"))).toBe(true);
      expect(paths.filter((path) => /[A-F]/.test(path))).toEqual([]);
    });

    it("upserts idempotently: the same upsert again changes nothing; a changed one moves the revision once", async () => {
      const { networkId } = await createLanNetwork(provider, LAN);
      const first = await provider.upsertMember(networkId, "b1b2c3d4e5", member(["192.0.2.13"]));
      sim.resetCounters();
      const second = await provider.upsertMember(networkId, "b1b2c3d4e5", member(["192.0.2.13"]));
      expect(second).toEqual(first);
      expect(sim.mutations).toBe(0);
      const moved = await provider.upsertMember(networkId, "b1b2c3d4e5", member(["2001:db8:ffff::13", "192.0.2.13"]));
      expect(moved.revision).toBe(first.revision + 1);
      expect(sim.mutations).toBe(1);
      expect(sim.state.members(networkId)).toHaveLength(1);
    });

    it("compares addresses as a set in canonical form", async () => {
      const { networkId } = await createLanNetwork(provider, LAN);
      const stored = await provider.upsertMember(networkId, "b2b2c3d4e5", member(["2001:DB8:FFFF:0:0:0:0:1", "192.0.2.14", "192.0.2.14"]));
      expect(stored.ipAssignments).toEqual(["2001:db8:ffff::1", "192.0.2.14"]);
    });

    it("refuses bad ids and addresses before sending anything", async () => {
      const { networkId } = await createLanNetwork(provider, LAN);
      sim.resetCounters();
      await expect(provider.upsertMember(networkId, "xyz", member([]))).rejects.toMatchObject({ kind: "invalid_input", retryable: false, message: expect.stringContaining('"xyz" is not a ZeroTier node id') });
      await expect(provider.upsertMember(networkId, "0000000000", member([]))).rejects.toThrow("reserved");
      await expect(provider.upsertMember(networkId, "ff00000001", member([]))).rejects.toThrow("reserved");
      await expect(provider.upsertMember(networkId, "a1b2c3d4e5", member(["300.1.1.1"]))).rejects.toThrow('"300.1.1.1" is not an IP address');
      await expect(provider.upsertMember(networkId, "a1b2c3d4e5", member(["192.0.2.10/24"]))).rejects.toThrow("no /length");
      await expect(provider.getNetwork("12345")).rejects.toThrow('"12345" is not a ZeroTier network id');
      await expect(createLanNetwork(provider, { ...LAN, ipv4Prefix: "192.0.2.7/24" })).rejects.toThrow("host bits zero");
      await expect(createLanNetwork(provider, { ...LAN, mtu: 100 })).rejects.toThrow("MTU 100 is out of range");
      expect(sim.counters.requests).toBe(0);
    });

    it("reads an absent network or member as null, and refuses to configure a network that does not exist", async () => {
      const missing = `${sim.nodeId}abcdef`;
      expect(await provider.getNetwork(missing)).toBeNull();
      const { networkId } = await createLanNetwork(provider, LAN);
      expect(await provider.getMember(networkId, "c0c0c0c0c0")).toBeNull();
      await expect(provider.configureNetwork(missing, lanNetworkConfig(LAN))).rejects.toMatchObject({ kind: "not_found", message: expect.stringContaining(`network ${missing} does not exist`) });
      expect(sim.state.network(missing)).toBeUndefined();
      await expect(provider.upsertMember(missing, "c0c0c0c0c0", member([]))).rejects.toMatchObject({ kind: "not_found" });
      expect(sim.state.network(missing)).toBeUndefined();
    });

    it("reconfigures an existing network whole and reads it back", async () => {
      const { networkId } = await createLanNetwork(provider, LAN);
      await provider.configureNetwork(networkId, { ...lanNetworkConfig(LAN), v6AssignMode: { zt: false, rfc4193: true, "6plane": false } });
      const network = await provider.configureNetwork(networkId, lanNetworkConfig({ ...LAN, name: "renamed", mtu: 1500 }));
      expect(network).toMatchObject({ name: "renamed", mtu: 1500, v6AssignMode: { zt: false, rfc4193: false, "6plane": false } });
    });

    it("lists every member in full", async () => {
      const { networkId } = await createLanNetwork(provider, LAN);
      const ids = nodeIds(12, 0xc100000000);
      for (const [i, id] of ids.entries()) await provider.upsertMember(networkId, id, member([`192.0.2.${30 + i}`], i % 3 !== 0));
      const members = await provider.listMembers(networkId);
      expect(members.map((m) => m.nodeId).sort()).toEqual(ids);
      expect(members.find((m) => m.nodeId === ids[1])).toMatchObject({ authorized: true, ipAssignments: ["192.0.2.31"], noAutoAssignIps: true, networkId });
      expect(members.filter((m) => !m.authorized)).toHaveLength(4);
      await expect(provider.listMembers(`${sim.nodeId}abcdef`)).rejects.toMatchObject({ kind: "not_found" });
    });

    it("never returns a partial member list: a failing list is an error", async () => {
      const { networkId } = await createLanNetwork(provider, LAN);
      await provider.upsertMember(networkId, "c1b2c3d4e5", member(["192.0.2.14"]));
      sim.setFaults({ failMemberList: true });
      await expect(provider.listMembers(networkId)).rejects.toMatchObject({ kind: "server_error", retryable: true });
    });

    it("reports a router the controller refuses as an error no retry fixes, and writes the others", async () => {
      const { networkId } = await createLanNetwork(provider, LAN);
      sim.setFaults({ refuseMember: "D1B2C3D4E5" });
      await expect(provider.upsertMember(networkId, "d1b2c3d4e5", member(["192.0.2.15"]))).rejects.toMatchObject({ kind: "rejected", retryable: false, status: 400 });
      expect(sim.state.member(networkId, "d1b2c3d4e5")).toBeUndefined();
      await provider.upsertMember(networkId, "d1b2c3d4e6", member(["192.0.2.16"]));
      expect(sim.state.deliveredAddresses(networkId, "d1b2c3d4e6")).toEqual(["192.0.2.16"]);
      expect(() => sim.setFaults({ refuseMember: "router" })).toThrow(/10 hexadecimal digits/);
    });

    it("deauthorizes without creating, clears addresses, and deletes idempotently", async () => {
      const { networkId } = await createLanNetwork(provider, LAN);
      await provider.upsertMember(networkId, "c1b2c3d4e5", member(["192.0.2.14"]));
      expect(await provider.deauthorizeMember(networkId, "c9c9c9c9c9")).toBeNull();
      expect(sim.state.member(networkId, "c9c9c9c9c9")).toBeUndefined();
      const deauthorized = await provider.deauthorizeMember(networkId, "c1b2c3d4e5");
      expect(deauthorized).toMatchObject({ authorized: false, ipAssignments: [] });
      expect(deauthorized!.lastDeauthorizedTime).toBeGreaterThan(0);
      expect(sim.state.deliveredAddresses(networkId, "c1b2c3d4e5")).toEqual([]);
      sim.resetCounters();
      expect(await provider.deauthorizeMember(networkId, "c1b2c3d4e5")).toEqual(deauthorized);
      expect(sim.counters.mutatingRequests).toBe(0);
      expect(await provider.deleteMember(networkId, "c1b2c3d4e5")).toBe(true);
      expect(await provider.deleteMember(networkId, "c1b2c3d4e5")).toBe(false);
      expect(await provider.getMember(networkId, "c1b2c3d4e5")).toBeNull();
    });

    it("finds what another writer changed: a read-back that differs is a clear, retryable error", async () => {
      const { networkId } = await createLanNetwork(provider, LAN);
      // A middle that loses the addresses on the way: the write "succeeds", the read-back tells.
      const proxy = await startProxy(sim.url, (request) => {
        if (request.method !== "POST" || !request.path.includes("/member/")) return undefined;
        const body = JSON.parse(request.body) as { ipAssignments?: unknown; config?: { ipAssignments?: unknown } };
        delete body.ipAssignments;
        delete body.config?.ipAssignments;
        return { forwardBody: JSON.stringify(body) };
      });
      try {
        const proxied = providerFor(sim, { url: sim.controllerUrl.replace(sim.url, proxy.url) });
        await expect(proxied.upsertMember(networkId, "d1b2c3d4e5", member(["192.0.2.15"]))).rejects.toMatchObject({
          kind: "mismatch",
          retryable: true,
          message: expect.stringContaining("member d1b2c3d4e5 of network " + networkId + " reads back as authorized=true [] noAutoAssignIps=true after writing authorized=true [192.0.2.15]"),
        });
      } finally {
        await proxy.close();
      }
    });

    it("retries 20% injected 429s: every upsert succeeds, each member is written exactly once", async () => {
      const { networkId } = await createLanNetwork(provider, LAN);
      const retries: RetryEvent[] = [];
      const retrying = providerFor(sim, { onRetry: (event) => retries.push(event) });
      sim.resetCounters();
      sim.setFaults({ rate429: 0.2, retryAfter: "seconds", retryAfterSeconds: 1 });
      const ids = nodeIds(40);
      for (const [i, id] of ids.entries()) await retrying.upsertMember(networkId, id, member([`192.0.2.${100 + i}`]));
      sim.setFaults({ rate429: 0 });
      expect(sim.counters.throttled).toBeGreaterThan(0);
      expect(retries).toHaveLength(sim.counters.throttled);
      expect(retries.every((event) => event.status === 429 && event.delayMs === 1_000)).toBe(true);
      // No duplicate effect: one write per member, every revision still 1.
      expect(sim.mutations).toBe(ids.length);
      const members = await provider.listMembers(networkId);
      expect(members).toHaveLength(ids.length);
      expect(members.every((m) => m.revision === 1 && m.authorized)).toBe(true);
    });

    it("gives up on permanent 429s with a clear, retryable error once the time budget is spent", async () => {
      const { networkId } = await createLanNetwork(provider, LAN);
      const clock = fakeClock();
      const bounded = providerFor(sim, { retry: { maxAttempts: 1_000, maxTotalMs: 10_000, baseDelayMs: 100, maxDelayMs: 2_000, sleep: clock.sleep, now: clock.now } });
      sim.setFaults({ rate429: 1, retryAfter: "none" });
      await expect(bounded.listMembers(networkId)).rejects.toMatchObject({ kind: "rate_limited", retryable: true, status: 429, message: expect.stringMatching(/rate limited GET .* \(429\); gave up after \d+ attempts in [\d.]+ s \(the 10 s budget is spent\)/) });
      expect(clock.waits.length).toBeGreaterThan(1);
      expect(clock.waits.reduce((sum, wait) => sum + wait, 0)).toBeLessThanOrEqual(10_000);
      // A mutation under permanent 429s: readiness is not established, nothing is sent.
      sim.resetCounters();
      await expect(bounded.upsertMember(networkId, "e1e1e1e1e1", member(["192.0.2.16"]))).rejects.toMatchObject({ kind: "not_ready", retryable: true, message: expect.stringContaining("429") });
      expect(sim.counters.mutatingRequests).toBe(0);
    });

    it("gives up after the most attempts allowed", async () => {
      const clock = fakeClock();
      const bounded = providerFor(sim, { retry: { maxAttempts: 4, sleep: clock.sleep, now: clock.now } });
      sim.setFaults({ rate429: 1, retryAfter: "none" });
      await expect(bounded.getNetwork(`${sim.nodeId}000001`)).rejects.toThrow("gave up after 4 attempts");
      expect(clock.waits).toHaveLength(3);
    });

    it("waits what Retry-After asks, and says so when that is beyond its budget", async () => {
      const clock = fakeClock();
      const honouring = providerFor(sim, { retry: { sleep: clock.sleep, now: clock.now } });
      sim.setFaults({ next429: 2, retryAfter: "seconds", retryAfterSeconds: 3 });
      expect(await honouring.getNetwork(`${sim.nodeId}000002`)).toBeNull();
      expect(clock.waits).toEqual([3_000, 3_000]);

      sim.setFaults({ next429: 1, retryAfterSeconds: 120 });
      await expect(honouring.getNetwork(`${sim.nodeId}000002`)).rejects.toThrow("asked to wait 120.0 s, beyond the 60 s budget");
      expect(clock.waits).toHaveLength(2);
    });

    it("waits until X-Ratelimit-Reset (epoch seconds or a date), or a Retry-After date", async () => {
      const waits: number[] = [];
      // The real clock here: the simulator stamps these headers with it.
      const honouring = providerFor(sim, { retry: { sleep: async (ms) => void waits.push(ms), now: Date.now } });
      for (const retryAfter of ["reset-epoch", "reset-date", "http-date"] as const) {
        sim.setFaults({ next429: 1, retryAfter, retryAfterSeconds: 30 });
        await honouring.getNetwork(`${sim.nodeId}000003`);
      }
      expect(waits).toHaveLength(3);
      for (const wait of waits) {
        expect(wait).toBeGreaterThan(27_000);
        expect(wait).toBeLessThanOrEqual(31_000);
      }
    });

    it("retries a 503 on reads, but never repeats a network create after a 5xx", async () => {
      const clock = fakeClock();
      const retrying = providerFor(sim, { retry: { sleep: clock.sleep, now: clock.now } });
      sim.setFaults({ next5xx: 2 });
      expect(await retrying.getNetwork(`${sim.nodeId}000004`)).toBeNull();
      expect(clock.waits).toHaveLength(2);

      // A create answered 503 may still have created the network: it is not sent again.
      let creates = 0;
      const proxy = await startProxy(sim.url, (request) => {
        const create = request.method === "POST" && /\/network(\/[0-9a-f]{10}______)?$/.test(request.path);
        if (!create) return undefined;
        creates++;
        return { status: 503 };
      });
      try {
        const failing = providerFor(sim, { url: sim.controllerUrl.replace(sim.url, proxy.url), retry: { sleep: clock.sleep, now: clock.now } });
        await expect(failing.createNetwork(lanNetworkConfig(LAN))).rejects.toMatchObject({
          kind: "server_error",
          retryable: false,
          message: expect.stringContaining("answered HTTP 503 to POST"),
        });
        await expect(failing.createNetwork(lanNetworkConfig(LAN))).rejects.toThrow("The network may have been created anyway");
        expect(creates).toBe(2);
      } finally {
        await proxy.close();
      }
    });

    it("names a timeout as such", async () => {
      sim.setFaults({ latencyMs: 200 });
      const impatient = providerFor(sim, { timeoutMs: 20, retry: { maxAttempts: 2 } });
      await expect(impatient.getNetwork(`${sim.nodeId}000005`)).rejects.toMatchObject({ kind: "timeout", retryable: true, message: expect.stringContaining("did not answer GET") });
      expect(await impatient.readiness()).toMatchObject({ ready: false, kind: "timeout" });
    });
  });
}

describe("ZeroTier controller provider: member lists from controllers without /unstable/ (before 1.14)", () => {
  let sim: ZeroTierSimulator;
  beforeAll(async () => {
    sim = await startZeroTierSimulator({});
  });
  afterAll(async () => {
    await sim.close();
  });

  /** A proxy that plays an older controller: /unstable/ does not exist; `vanish` members are gone by the time they are read. */
  const olderController = (vanish: string[] = []) =>
    startProxy(sim.url, (request) => {
      if (request.path.startsWith("/unstable/")) return { status: 404 };
      if (request.method === "GET" && vanish.some((mid) => request.path.endsWith(`/member/${mid}`))) return { status: 404 };
      return undefined;
    });

  it("falls back to the id list and one GET per member, complete", async () => {
    sim.reset();
    const provider = providerFor(sim);
    const { networkId } = await createLanNetwork(provider, LAN);
    const ids = nodeIds(20, 0xa100000000);
    for (const [i, id] of ids.entries()) await provider.upsertMember(networkId, id, member([`192.0.2.${i + 1}`]));
    const proxy = await olderController();
    try {
      const members = await providerFor(sim, { url: `${proxy.url}/controller` }).listMembers(networkId);
      expect(members.map((m) => m.nodeId).sort()).toEqual(ids);
      expect(members.every((m) => m.authorized && m.ipAssignments.length === 1)).toBe(true);
    } finally {
      await proxy.close();
    }
  });

  it("throws instead of returning a shorter list when a member vanishes while the list is read", async () => {
    sim.reset();
    const provider = providerFor(sim);
    const { networkId } = await createLanNetwork(provider, LAN);
    for (const id of ["a1a1a1a1a1", "a2a2a2a2a2", "a3a3a3a3a3"]) await provider.upsertMember(networkId, id, member([]));
    const proxy = await olderController(["a2a2a2a2a2"]);
    try {
      await expect(providerFor(sim, { url: `${proxy.url}/controller` }).listMembers(networkId)).rejects.toMatchObject({
        kind: "mismatch",
        retryable: true,
        message: expect.stringContaining("member a2a2a2a2a2 of network " + networkId + " disappeared while"),
      });
    } finally {
      await proxy.close();
    }
  });

  it("throws when /unstable/ counts more members than it lists", async () => {
    sim.reset();
    const provider = providerFor(sim);
    const { networkId } = await createLanNetwork(provider, LAN);
    await provider.upsertMember(networkId, "a1a1a1a1a1", member([]));
    const proxy = await startProxy(sim.url, (request) =>
      request.path.startsWith("/unstable/") ? { status: 200, body: JSON.stringify({ data: [], meta: { totalCount: 1, authorizedCount: 1 } }) } : undefined,
    );
    try {
      await expect(providerFor(sim, { url: `${proxy.url}/controller` }).listMembers(networkId)).rejects.toThrow("listed 0 members of network " + networkId + " but counts 1: the list is incomplete");
    } finally {
      await proxy.close();
    }
  });
});
