/**
 * Fail closed: while the controller is down, rejects the token, or has no ready database, every
 * mutating call refuses with a retryable not_ready error naming the cause, and no mutating request
 * reaches the controller (asserted with the simulator's counters).
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createZeroTierProvider, type ZeroTierProvider } from "@/lib/zerotier";
import { createLanNetwork, lanNetworkConfig } from "@/lib/zerotier/network-setup";
import { startZeroTierSimulator, type ZeroTierSimulator } from "@/simulators/zerotier/server";
import { LAN, providerFor } from "./helpers";

const upsert = { authorized: true, ipAssignments: ["192.0.2.50"], noAutoAssignIps: true };

/** Every mutating call of the contract, each expected to refuse with `cause` in its message. */
async function expectEveryMutationRefused(provider: ZeroTierProvider, networkId: string, cause: RegExp) {
  const refused = { kind: "not_ready", retryable: true, message: expect.stringMatching(cause) };
  await expect(provider.upsertMember(networkId, "a2a2a2a2a2", upsert)).rejects.toMatchObject(refused);
  await expect(provider.deauthorizeMember(networkId, "a1a1a1a1a1")).rejects.toMatchObject(refused);
  await expect(provider.deleteMember(networkId, "a1a1a1a1a1")).rejects.toMatchObject(refused);
  await expect(provider.createNetwork(lanNetworkConfig(LAN))).rejects.toMatchObject(refused);
  await expect(provider.configureNetwork(networkId, lanNetworkConfig(LAN))).rejects.toMatchObject(refused);
}

for (const mode of ["controller", "central"] as const) {
  describe(`fail closed (${mode})`, () => {
    let sim: ZeroTierSimulator;
    let provider: ZeroTierProvider;
    let networkId: string;

    beforeAll(async () => {
      sim = await startZeroTierSimulator({ mode });
    });
    beforeEach(async () => {
      sim.reset();
      provider = providerFor(sim);
      networkId = (await createLanNetwork(provider, LAN)).networkId;
      await provider.upsertMember(networkId, "a1a1a1a1a1", { ...upsert, ipAssignments: ["192.0.2.51"] });
      sim.resetCounters();
    });
    afterAll(async () => {
      await sim.close();
    });

    it("while it is down: not ready (connection refused), nothing sent, and it works again once back", async () => {
      await sim.down();
      try {
        const readiness = await provider.readiness();
        expect(readiness).toMatchObject({ ready: false, kind: "unreachable", reason: expect.stringContaining("is unreachable") });
        if (!readiness.ready) expect(readiness.reason).toContain("ECONNREFUSED");
        await expectEveryMutationRefused(provider, networkId, /not ready, nothing was changed: .*unreachable.*ECONNREFUSED/);
      } finally {
        await sim.up();
      }
      expect(sim.counters.requests).toBe(0);
      expect(sim.state.member(networkId, "a2a2a2a2a2")).toBeUndefined();
      expect(sim.state.member(networkId, "a1a1a1a1a1")?.authorized).toBe(true);
      await provider.upsertMember(networkId, "a2a2a2a2a2", upsert);
      expect(sim.state.member(networkId, "a2a2a2a2a2")?.authorized).toBe(true);
    });

    it("with a wrong token: not ready (401), no mutating request sent, and the token never appears in a message", async () => {
      const right = sim.token;
      const wrong = sim.rotateToken("rotated0123456789abcdefg");
      try {
        const readiness = await provider.readiness();
        expect(readiness).toMatchObject({ ready: false, kind: "unauthorized", reason: expect.stringContaining("rejected the token (401)") });
        await expectEveryMutationRefused(provider, networkId, /rejected the token \(401\)/);
        expect(sim.counters.mutatingRequests).toBe(0);
        expect(sim.counters.unauthorized).toBeGreaterThan(0);
        if (!readiness.ready) {
          expect(readiness.reason).not.toContain(right);
          expect(readiness.reason).not.toContain(wrong);
        }
      } finally {
        sim.rotateToken(right);
      }
      expect(sim.state.member(networkId, "a1a1a1a1a1")?.authorized).toBe(true);
    });

    it("with no token configured: not ready, saying which setting to set, without sending anything", async () => {
      const unconfigured = providerFor(sim, { token: "" });
      const readiness = await unconfigured.readiness();
      expect(readiness).toMatchObject({ ready: false, kind: "unauthorized", reason: expect.stringContaining(mode === "central" ? "set ZT_CENTRAL_API_TOKEN" : "set ZT_CONTROLLER_TOKEN") });
      await expect(unconfigured.upsertMember(networkId, "a2a2a2a2a2", upsert)).rejects.toMatchObject({ kind: "not_ready" });
      expect(sim.counters.requests).toBe(0);
    });
  });
}

describe("fail closed (controller only)", () => {
  let sim: ZeroTierSimulator;
  let provider: ZeroTierProvider;
  let networkId: string;

  beforeAll(async () => {
    sim = await startZeroTierSimulator({});
  });
  beforeEach(async () => {
    sim.reset();
    provider = providerFor(sim);
    networkId = (await createLanNetwork(provider, LAN)).networkId;
    sim.resetCounters();
  });
  afterAll(async () => {
    await sim.close();
  });

  it("while its database is not ready (503): not ready, nothing sent", async () => {
    sim.setFaults({ databaseReady: false });
    expect(await provider.readiness()).toMatchObject({ ready: false, kind: "database_not_ready", reason: expect.stringContaining("database is not ready (GET /controller answered 503, databaseReady: false)") });
    await expectEveryMutationRefused(provider, networkId, /database is not ready/);
    expect(sim.counters.mutatingRequests).toBe(0);
  });

  it("when zerotier-one has no controller (404): not ready, saying why", async () => {
    sim.setFaults({ noController: true });
    expect(await provider.readiness()).toMatchObject({ ready: false, kind: "no_controller", reason: expect.stringContaining("has no network controller (GET /controller answered 404)") });
    await expectEveryMutationRefused(provider, networkId, /has no network controller/);
    expect(sim.counters.mutatingRequests).toBe(0);
  });

  it("when the caller is not allowed to manage it: 401 with the allowManagementFrom hint", async () => {
    sim.setFaults({ foreignCaller: true });
    expect(await provider.readiness()).toMatchObject({ ready: false, kind: "unauthorized", reason: expect.stringContaining("allowManagementFrom") });
    expect(sim.counters.mutatingRequests).toBe(0);
  });

  it("reads the token from authtoken.secret when needed, trimmed; a missing or empty file is named", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ztix-token-"));
    const file = join(dir, "authtoken.secret");
    const fromFile = createZeroTierProvider({ provider: "self_hosted_controller", controllerUrl: sim.controllerUrl, controllerTokenFile: file, centralUrl: "" });
    // Created after the provider: the file is read lazily.
    writeFileSync(file, `  ${sim.token}\n`);
    expect(await fromFile.readiness()).toMatchObject({ ready: true, nodeId: sim.nodeId });
    writeFileSync(file, "\n");
    expect(await fromFile.readiness()).toMatchObject({ ready: false, kind: "unauthorized", reason: expect.stringContaining(`the token file ${file}`) });
    const missing = createZeroTierProvider({ provider: "self_hosted_controller", controllerUrl: sim.controllerUrl, controllerTokenFile: join(dir, "nope"), centralUrl: "" });
    expect(await missing.readiness()).toMatchObject({ ready: false, reason: expect.stringContaining("(ENOENT)") });
  });

  it("accepts the service root as the controller URL", async () => {
    const rooted = providerFor(sim, { url: sim.url });
    expect(rooted.baseUrl).toBe(sim.controllerUrl);
    expect(await rooted.readiness()).toMatchObject({ ready: true });
  });
});
