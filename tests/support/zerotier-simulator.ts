import { afterAll, beforeAll, beforeEach } from "vitest";
import { createZeroTierProvider, type ZeroTierProvider } from "@/lib/zerotier";
import { createLanNetwork } from "@/lib/zerotier/network-setup";
import { startZeroTierSimulator, type ZeroTierSimulator } from "@/simulators/zerotier/server";
import { closeDb, resetDatabase } from "./db";
import { createLanRow } from "./fixtures";

/**
 * The ZeroTier controller simulator for the integration tests of a file or describe block: started
 * once; before each test an empty database, a reset simulator and a fresh provider on it (two
 * quick attempts, so a fault a test injects answers at once); closed with the database after.
 */
export function withZeroTierSimulator() {
  let sim: ZeroTierSimulator | undefined;
  let provider: ZeroTierProvider | undefined;
  beforeAll(async () => {
    sim = await startZeroTierSimulator({});
  });
  beforeEach(async () => {
    await resetDatabase();
    sim!.reset();
    provider = createZeroTierProvider({ provider: "self_hosted_controller", controllerUrl: sim!.controllerUrl, controllerToken: sim!.token, centralUrl: "", retry: { maxAttempts: 2, maxTotalMs: 500, baseDelayMs: 1, maxDelayMs: 1 } });
  });
  afterAll(async () => {
    await sim?.close();
    await closeDb();
  });
  return {
    get sim() {
      return sim!;
    },
    get provider() {
      return provider!;
    },
    /** A LAN's network created on the simulated controller, and the LAN's row. */
    async lan(overrides: Parameters<typeof createLanRow>[0] = {}) {
      const { networkId } = await createLanNetwork(provider!, { name: "ix", ipv4Prefix: "192.0.2.0/24", ipv6Prefix: "2001:db8:ffff::/64", mtu: 2800 });
      return createLanRow({ ...overrides, ztNetworkId: networkId });
    },
  };
}
