import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { fetchNetworkByAsn, retryAfterMs } from "@/lib/peeringdb/rest";
import { startPeeringDbSimulator, type PeeringDbSimulator } from "@/simulators/peeringdb/server";

let sim: PeeringDbSimulator;

function recordingSleep() {
  const waits: number[] = [];
  return { waits, sleep: async (ms: number) => void waits.push(ms) };
}

describe("PeeringDB REST: /api/net?asn=", () => {
  beforeAll(async () => {
    sim = await startPeeringDbSimulator({});
  });
  beforeEach(() => sim.control.reset());
  afterAll(() => sim.close());

  it("reads a known network's name, as-set and prefix counts", async () => {
    expect(await fetchNetworkByAsn(64500, { apiUrl: sim.apiUrl })).toEqual({
      asn: 64500,
      name: "Example Transit",
      irrAsSet: "RIPE::AS-EXAMPLE",
      infoPrefixes4: 100,
      infoPrefixes6: 20,
      peeringDbId: 20,
    });
  });

  it("refuses prefix counts that do not fit, naming the network and the field", async () => {
    sim.control.setNet({ asn: 64500, info_prefixes4: 2 ** 31 });
    await expect(fetchNetworkByAsn(64500, { apiUrl: sim.apiUrl })).rejects.toThrow(
      "PeeringDB data for AS64500 (Example Transit) is out of range: info_prefixes4 = 2147483648, expected 0 to 2147483647",
    );
    sim.control.setNet({ asn: 64500, info_prefixes4: 100, info_prefixes6: -1 });
    await expect(fetchNetworkByAsn(64500, { apiUrl: sim.apiUrl })).rejects.toThrow("info_prefixes6 = -1");
  });

  it("answers null, not an error, for an ASN PeeringDB does not know (its 404 Entity not found)", async () => {
    const raw = await fetch(`${sim.apiUrl}/net?asn=4200000999`);
    expect(raw.status).toBe(404);
    expect(await raw.json()).toEqual({ data: [], meta: { error: "Entity not found" } });
    expect(await fetchNetworkByAsn(4200000999, { apiUrl: sim.apiUrl })).toBeNull();
  });

  it("waits as long as Retry-After says after a 429, then succeeds", async () => {
    sim.control.setFaults({ rate429: 1, retryAfterSeconds: 7 });
    const { waits, sleep } = recordingSleep();
    let calls = 0;
    const result = fetchNetworkByAsn(64500, {
      apiUrl: sim.apiUrl,
      sleep: async (ms) => {
        await sleep(ms);
        if (++calls === 2) sim.control.setFaults({ rate429: 0 });
      },
    });
    expect((await result)?.asn).toBe(64500);
    expect(waits).toEqual([7000, 7000]);
  });

  it("gives up on a permanent 429 with a clear retryable error", async () => {
    sim.control.setFaults({ rate429: 1, retryAfterSeconds: 2 });
    const { waits, sleep } = recordingSleep();
    await expect(fetchNetworkByAsn(64500, { apiUrl: sim.apiUrl, maxRetries: 3, sleep })).rejects.toMatchObject({
      message: "PeeringDB API rate limited (429) for AS64500; gave up after 4 tries",
      retryable: true,
    });
    expect(waits).toHaveLength(3);
  });

  it("parses Retry-After as seconds or as an HTTP date", () => {
    expect(retryAfterMs("12")).toBe(12000);
    expect(retryAfterMs(new Date(Date.now() + 30_000).toUTCString(), Date.now())).toBeGreaterThan(28_000);
    expect(retryAfterMs(null)).toBeNull();
  });
});
