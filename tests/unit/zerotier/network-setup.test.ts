import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { ZeroTierProvider } from "@/lib/zerotier";
import { checkExistingNetwork, createLanNetwork, lanNetworkConfig } from "@/lib/zerotier/network-setup";
import { startZeroTierSimulator, type ZeroTierSimulator } from "@/simulators/zerotier/server";
import { LAN, providerFor } from "./helpers";

describe("LAN network setup on the controller", () => {
  let sim: ZeroTierSimulator;
  let provider: ZeroTierProvider;
  /** Writes a network straight to the simulator, as an operator's other tool would. */
  const raw = async (nwid: string, body: unknown) => {
    const response = await fetch(`${sim.controllerUrl}/network/${nwid}`, { method: "POST", headers: { "X-ZT1-Auth": sim.token }, body: JSON.stringify(body) });
    expect(response.status).toBe(200);
  };

  beforeAll(async () => {
    sim = await startZeroTierSimulator({});
  });
  beforeEach(() => {
    sim.reset();
    provider = providerFor(sim);
  });
  afterAll(async () => {
    await sim.close();
  });

  it("describes a LAN network: private, no auto-assignment in whole objects, on-link routes for both prefixes", () => {
    expect(lanNetworkConfig({ ...LAN, ipv6Prefix: "2001:DB8:FFFF:0::/64" })).toEqual({
      name: "ix-lan",
      private: true,
      mtu: 2800,
      routes: [{ target: "192.0.2.0/24", via: null }, { target: "2001:db8:ffff::/64", via: null }],
      v4AssignMode: { zt: false },
      v6AssignMode: { zt: false, rfc4193: false, "6plane": false },
      ipAssignmentPools: [],
      enableBroadcast: true,
    });
    expect(() => lanNetworkConfig({ ...LAN, ipv4Prefix: "2001:db8::/64" })).toThrow("is not an IPv4 prefix");
    expect(() => lanNetworkConfig({ ...LAN, ipv6Prefix: "2001:db8::" })).toThrow("is not an IPv6 prefix");
  });

  it("finds nothing wrong with a network it created", async () => {
    const { networkId } = await createLanNetwork(provider, LAN);
    expect(await checkExistingNetwork(provider, networkId, { ipv4Prefix: LAN.ipv4Prefix, ipv6Prefix: "2001:db8:ffff:0:0::/64" })).toEqual([]);
  });

  it("lists every reason an existing network cannot be adopted", async () => {
    const nwid = `${sim.nodeId}00beef`;
    await raw(nwid, {
      private: false,
      v4AssignMode: { zt: true },
      v6AssignMode: { rfc4193: true, "6plane": false, zt: false },
      enableBroadcast: false,
      mtu: 1500,
      routes: [{ target: "192.0.2.0/24", via: "192.0.2.1" }, { target: "0.0.0.0/0", via: "192.0.2.1" }],
    });
    expect(await checkExistingNetwork(provider, nwid, { ...LAN })).toEqual([
      "it is public: any router could join without approval",
      "IPv4 auto-assignment is on (v4AssignMode.zt): ztix assigns every address itself",
      "IPv6 auto-assignment is on (v6AssignMode rfc4193): ztix assigns every address itself",
      "broadcast is off (enableBroadcast: false): IPv6 neighbour discovery would fail",
      "its MTU is 1500, not 2800",
      "its route for 192.0.2.0/24 goes via 192.0.2.1; the LAN needs it on-link (via null)",
      "it has no on-link route for 2001:db8:ffff::/64: addresses in it would never reach the routers",
      "it pushes other routes to every router: 0.0.0.0/0 via 192.0.2.1",
    ]);
  });

  it("says when a network belongs to another controller or does not exist, and cannot check while not ready", async () => {
    const foreign = "0123456789abcdef";
    await raw(foreign, lanNetworkConfig(LAN));
    expect(await checkExistingNetwork(provider, foreign, LAN)).toEqual(["it belongs to controller 0123456789, not this one (c771ace7ed): routers could never join it"]);
    expect(await checkExistingNetwork(provider, `${sim.nodeId}000bad`, LAN)).toEqual([`network ${sim.nodeId}000bad does not exist on the controller`]);
    sim.setFaults({ databaseReady: false });
    await expect(checkExistingNetwork(provider, foreign, LAN)).rejects.toMatchObject({ kind: "not_ready", message: expect.stringContaining("database is not ready") });
  });
});
