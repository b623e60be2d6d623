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
    const { refreshNetwork } = await import("@/lib/network-data");
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
    const { refreshNetwork } = await import("@/lib/network-data");
    expect(await refreshNetwork(testDb(), 4200000999)).toBe("unknown to PeeringDB");
    expect(await testDb().selectFrom("networks").select(["known_to_peeringdb"]).where("asn", "=", 4200000999).executeTakeFirst()).toEqual({ known_to_peeringdb: false });
  });

  it("waits out a 429 as Retry-After says", async () => {
    const { refreshNetwork } = await import("@/lib/network-data");
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
