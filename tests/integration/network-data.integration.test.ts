import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startPeeringDbSimulator, type PeeringDbSimulator } from "@/simulators/peeringdb/server";
import { closeDb, resetDatabase, testDb } from "../support/db";

let sim: PeeringDbSimulator;

describe("network data from the PeeringDB REST API", () => {
  beforeAll(async () => {
    sim = await startPeeringDbSimulator({});
    process.env.PEERINGDB_API_URL = sim.apiUrl;
  });
  beforeEach(async () => {
    await resetDatabase();
    sim.control.reset();
  });
  afterAll(async () => {
    await sim.close();
    await closeDb();
  });

  it("stores name, as-set and prefix counts with the time they were fetched, and audits changes", async () => {
    const { refreshNetwork } = await import("@/lib/networks/refresh");
    expect(await refreshNetwork(testDb(), 64500)).toBe("updated");
    const row = await testDb().selectFrom("networks").selectAll().where("asn", "=", 64500).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ name: "Example Transit", irr_as_set: "RIPE::AS-EXAMPLE", info_prefixes4: 100, info_prefixes6: 20, peeringdb_id: 20, known_to_peeringdb: true });
    expect(row.fetched_at).toBeInstanceOf(Date);
    expect(await refreshNetwork(testDb(), 64500)).toBe("unchanged");
    sim.control.setNet({ asn: 64500, info_prefixes4: 150 });
    expect(await refreshNetwork(testDb(), 64500)).toBe("updated");
    const audit = await testDb().selectFrom("audit_events").select(["action", "actor_label"]).where("subject_id", "=", "64500").execute();
    expect(audit).toEqual([
      { action: "network.refreshed", actor_label: "refresh_network" },
      { action: "network.refreshed", actor_label: "refresh_network" },
    ]);
  });

  it("records an ASN PeeringDB does not know as such, without failing", async () => {
    const { refreshNetwork } = await import("@/lib/networks/refresh");
    expect(await refreshNetwork(testDb(), 4200000999)).toBe("unknown to PeeringDB");
    expect(await testDb().selectFrom("networks").select(["known_to_peeringdb"]).where("asn", "=", 4200000999).executeTakeFirst()).toEqual({ known_to_peeringdb: false });
  });

  it("waits out a 429 as Retry-After says", async () => {
    const { refreshNetwork } = await import("@/lib/networks/refresh");
    sim.control.setFaults({ rate429: 1, retryAfterSeconds: 4 });
    const waits: number[] = [];
    const outcome = await refreshNetwork(testDb(), 64502, {
      sleep: async (ms) => {
        waits.push(ms);
        sim.control.setFaults({ rate429: 0 });
      },
    });
    expect(outcome).toBe("updated");
    expect(waits).toEqual([4000]);
  });
});

describe("PeeringDB refresh and the route servers", () => {
  beforeEach(resetDatabase);

  it("with injected 429s, completes within its bound, updates prefix limits, changes the rendered config and queues one deployment", async () => {
    const sim = await startPeeringDbSimulator({ seed: 3 });
    process.env.PEERINGDB_API_URL = sim.apiUrl;
    try {
      const { createLanRow } = await import("../support/fixtures");
      const lan = await createLanRow();
      await testDb().insertInto("route_servers").values({ lan_id: lan.id, name: "rs1", transport: "local", router_id: "192.0.2.1", ipv4_address: "192.0.2.1" }).execute();
      for (const [index, asn] of [64500, 64502].entries()) {
        await testDb().insertInto("networks").values({ asn, name: `AS${asn}`, info_prefixes4: 10, info_prefixes6: 5 }).execute();
        await testDb().insertInto("connections").values({ lan_id: lan.id, asn, zt_node_id: `c0c0c0c0c${index}`, state: "active", ipv4_address: `192.0.2.${11 + index}`, ipv6_address: `2001:db8:ffff::${11 + index}` }).execute();
      }
      const { loadRenderInputs } = await import("@/lib/routeserver/input");
      const { renderBirdConfig } = await import("@/lib/routeserver/render");
      const before = renderBirdConfig((await loadRenderInputs(testDb(), lan.id))[0]!.input);
      expect(before).toMatch(/pb_c\d+_v4[\s\S]*?receive limit 12 action restart;/);

      sim.control.setFaults({ rate429: 0.5, retryAfterSeconds: 1 });
      const waits: number[] = [];
      const { refreshNetwork } = await import("@/lib/networks/refresh");
      for (const asn of [64500, 64502]) expect(await refreshNetwork(testDb(), asn, { apiUrl: sim.apiUrl, sleep: async (ms) => void waits.push(ms) })).toBe("updated");
      expect(sim.control.counters.throttled).toBeGreaterThan(0);
      expect(waits.every((ms) => ms === 1000)).toBe(true);

      const after = renderBirdConfig((await loadRenderInputs(testDb(), lan.id))[0]!.input);
      expect(after).not.toBe(before);
      expect(after).toContain("receive limit 120 action restart;");
      const deployments = await testDb().selectFrom("graphile_worker.jobs").select(["task_identifier", "key"]).where("task_identifier", "=", "deploy_route_servers").execute();
      expect(deployments).toEqual([{ task_identifier: "deploy_route_servers", key: `deploy_route_servers:${lan.id}` }]);
    } finally {
      await sim.close();
    }
  });
});
