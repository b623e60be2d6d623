import { describe, expect, it } from "vitest";
import { parseShowProtocolsAll, sessionOf } from "@/lib/routeserver/birdc";

const bird2 = `BIRD 2.0.12 ready.
Name       Proto      Table      State  Since         Info
pb_c12_v4  BGP        ---        up     16:48:00.123  Established
  BGP state:          Established
    Neighbor address: 192.0.2.11
  Channel ipv4
    State:          UP
    Routes:         1 imported, 4 filtered, 1 exported, 1 preferred
pb_c13_v6  BGP        ---        start  2026-11-22 16:47:58  Active        Socket: Connection refused
  BGP state:          Active
`;

describe("birdc show protocols all", () => {
  it("reads state, info and route counts per protocol", () => {
    expect(parseShowProtocolsAll(bird2)).toEqual([
      { name: "pb_c12_v4", proto: "BGP", state: "up", since: "16:48:00.123", info: "Established", routes: { imported: 1, filtered: 4, exported: 1, preferred: 1 } },
      { name: "pb_c13_v6", proto: "BGP", state: "start", since: "2026-11-22 16:47:58", info: "Active Socket: Connection refused", routes: null },
    ]);
  });

  it("maps our protocol names back to connection and family, and nothing else", () => {
    expect(sessionOf("pb_c12_v4")).toEqual({ connectionId: 12, family: 4 });
    expect(sessionOf("rpki_1")).toBeNull();
    expect(sessionOf("pb_c1_v5")).toBeNull();
  });
});
