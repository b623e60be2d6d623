import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { memberOverview } from "@/lib/dashboard";
import { closeDb, resetDatabase, testDb } from "../support/db";
import { createLanRow } from "../support/fixtures";

/** The member dashboard's "N of M route-server sessions Established" must say what is known now. */
describe("a member's overview of its sessions", () => {
  beforeEach(resetDatabase);
  afterAll(closeDb);

  it("counts sessions on enabled route servers only, and tells which are only known as last read", async () => {
    const lan = await createLanRow();
    await testDb().insertInto("networks").values({ asn: 64500, name: "Example" }).execute();
    const connection = await testDb()
      .insertInto("connections")
      .values({ lan_id: lan.id, asn: 64500, zt_node_id: "a1a1a1a1a1", state: "active", ipv4_address: "192.0.2.11", ipv6_address: "2001:db8:ffff::11" })
      .returning("id")
      .executeTakeFirstOrThrow();
    const server = (host: number, values: { enabled?: boolean; read_error?: string }) =>
      testDb()
        .insertInto("route_servers")
        .values({ lan_id: lan.id, name: `rs${host}`, transport: "local", router_id: `192.0.2.${host}`, ipv4_address: `192.0.2.${host}`, ...values })
        .returning("id")
        .executeTakeFirstOrThrow();
    const readable = await server(1, {});
    const unreadable = await server(2, { read_error: "connect ECONNREFUSED 192.0.2.2:22" });
    const disabled = await server(3, { enabled: false });
    await testDb()
      .insertInto("bgp_sessions")
      .values([
        { route_server_id: readable.id, connection_id: connection.id, family: 4, state: "up", info: "Established" },
        { route_server_id: readable.id, connection_id: connection.id, family: 6, state: "start", info: "Active        Socket: Connection refused" },
        { route_server_id: unreadable.id, connection_id: connection.id, family: 4, state: "up", info: "Established" },
        { route_server_id: disabled.id, connection_id: connection.id, family: 4, state: "up", info: "Established" },
      ])
      .execute();

    const [overview] = await memberOverview(testDb(), [64500]);
    expect([overview!.sessions, overview!.established, overview!.unreadable].map(Number)).toEqual([3, 2, 1]);

    // The route server answers again: nothing is only "as last read" any more.
    await testDb().updateTable("route_servers").set({ read_error: null }).where("id", "=", unreadable.id).execute();
    const [again] = await memberOverview(testDb(), [64500]);
    expect(Number(again!.unreadable)).toBe(0);
  });
});
