import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { sql } from "kysely";
import { foldConnectionTallies, listConnections, type ConnectionFilters } from "@/lib/connections/queries";
import type { SessionUser } from "@/lib/auth/users";
import { lanChoicesText, parseLanChoices } from "@/lib/lans";
import { closeDb, resetDatabase, testDb } from "../support/db";
import { createLanRow, createMemberUser, createStaffUser } from "../support/fixtures";

/** The connections list's search and filters, as the list page and the API use them. */
describe("the connections list", () => {
  beforeEach(resetDatabase);
  afterAll(closeDb);

  async function seed() {
    const north = await createLanRow({ name: "north", ipv4Prefix: "10.1.0.0/24", ipv6Prefix: "2001:db8:1::/64" });
    const south = await createLanRow({ name: "south", ipv4Prefix: "10.2.0.0/24", ipv6Prefix: "2001:db8:2::/64" });
    await testDb()
      .insertInto("networks")
      .values([
        { asn: 64500, name: "Alpha Transit" },
        { asn: 64501, name: "Beta Hosting" },
        { asn: 64502, name: "Gamma Networks" },
      ])
      .execute();
    const rows = [
      { lan_id: north.id, asn: 64500, zt_node_id: "aa00000001", state: "active", ipv4_address: "10.1.0.21", ipv6_address: "2001:db8:1::21" },
      { lan_id: north.id, asn: 64500, zt_node_id: "aa00000002", state: "active", ipv4_address: "10.1.0.210", ipv6_address: "2001:db8:1::210" },
      { lan_id: south.id, asn: 64501, zt_node_id: "bb00000001", state: "provisioned", ipv4_address: "10.2.0.11", ipv6_address: "2001:db8:2::11" },
      { lan_id: south.id, asn: 64502, zt_node_id: "cc00000001", state: "requested", ipv4_address: null, ipv6_address: null },
    ];
    await testDb().insertInto("connections").values(rows).execute();
    return { north, south };
  }

  const nodes = async (user: SessionUser, filters: ConnectionFilters) => {
    const { rows, total } = await listConnections(testDb(), user, filters, { limit: 50, offset: 0 }, { sort: "node", dir: "asc" });
    expect(total).toBe(rows.length);
    return rows.map((row) => row.zt_node_id);
  };

  it("finds connections by network name, ASN, node id and address, and counts what it finds", async () => {
    await seed();
    const staff = await createStaffUser();
    expect(await nodes(staff, {})).toEqual(["aa00000001", "aa00000002", "bb00000001", "cc00000001"]);
    expect(await nodes(staff, { search: "beta" })).toEqual(["bb00000001"]);
    expect(await nodes(staff, { search: "AS64502" })).toEqual(["cc00000001"]);
    expect(await nodes(staff, { search: "64500" })).toEqual(["aa00000001", "aa00000002"]);
    expect(await nodes(staff, { search: "bb0" })).toEqual(["bb00000001"]);
    // A whole address is that address, not every one that starts with it.
    expect(await nodes(staff, { search: "10.1.0.21" })).toEqual(["aa00000001"]);
    expect(await nodes(staff, { search: "10.1." })).toEqual(["aa00000001", "aa00000002"]);
    expect(await nodes(staff, { search: "2001:db8:2:" })).toEqual(["bb00000001"]);
    expect(await nodes(staff, { search: "nothing like it" })).toEqual([]);
  });

  it("filters by state and LAN, and shows a member only their own networks' connections", async () => {
    const { south } = await seed();
    const staff = await createStaffUser();
    expect(await nodes(staff, { state: "active" })).toEqual(["aa00000001", "aa00000002"]);
    expect(await nodes(staff, { lanId: south.id })).toEqual(["bb00000001", "cc00000001"]);
    expect(await nodes(staff, { lanId: south.id, state: "requested" })).toEqual(["cc00000001"]);

    const member = await createMemberUser([64501]);
    expect(await nodes(member, {})).toEqual(["bb00000001"]);
    // Searching for someone else's network finds nothing, not their connections.
    expect(await nodes(member, { search: "alpha" })).toEqual([]);
    expect(await nodes(await createMemberUser([]), {})).toEqual([]);
  });

  it("pages with the total of the whole filter, and past the last page still knows it", async () => {
    await seed();
    const staff = await createStaffUser();
    const page = (offset: number) => listConnections(testDb(), staff, {}, { limit: 3, offset }, { sort: "node", dir: "asc" });
    expect(await page(0)).toMatchObject({ total: 4, rows: [{ zt_node_id: "aa00000001" }, { zt_node_id: "aa00000002" }, { zt_node_id: "bb00000001" }] });
    expect(await page(3)).toMatchObject({ total: 4, rows: [{ zt_node_id: "cc00000001" }] });
    expect(await page(6)).toEqual({ total: 4, rows: [], beside: {} });
    // A row has what the list shows and nothing of the count.
    expect(Object.keys((await page(0)).rows[0]!)).not.toContain("paged_total");
    expect(await listConnections(testDb(), staff, { state: "removed" }, { limit: 3, offset: 0 })).toEqual({ total: 0, rows: [], beside: {} });
  });

  it("brings the LAN filter's choices with the rows, also when no row matches, and a LAN id that names no LAN matches nothing", async () => {
    const { north, south } = await seed();
    const staff = await createStaffUser();
    const choices = [
      { id: north.id, name: "north", zt_network_id: north.zt_network_id },
      { id: south.id, name: "south", zt_network_id: south.zt_network_id },
    ];
    const view = async (user: SessionUser, filters: ConnectionFilters, offset = 0) => {
      const { rows, total, beside } = await listConnections(testDb(), user, filters, { limit: 3, offset }, { sort: "node", dir: "asc" }, { lans: lanChoicesText(testDb()) });
      // The choices ride in every row of the statement; the rows come back without them.
      for (const row of rows) expect(Object.keys(row).filter((key) => key.startsWith("beside_") || key === "paged_total")).toEqual([]);
      return { nodes: rows.map((row) => row.zt_node_id), total, lans: parseLanChoices(beside.lans) };
    };
    expect(await view(staff, {})).toEqual({ nodes: ["aa00000001", "aa00000002", "bb00000001"], total: 4, lans: choices });
    expect(await view(staff, {}, 3)).toEqual({ nodes: ["cc00000001"], total: 4, lans: choices });
    expect(await view(staff, {}, 30)).toEqual({ nodes: [], total: 4, lans: choices });
    expect(await view(staff, { search: "nothing like it" })).toEqual({ nodes: [], total: 0, lans: choices });
    expect(await view(staff, { lanId: south.id + north.id + 1000 })).toEqual({ nodes: [], total: 0, lans: choices });
    expect(await view(await createMemberUser([]), {})).toEqual({ nodes: [], total: 0, lans: choices });
    expect(await view(await createMemberUser([64501]), {})).toEqual({ nodes: ["bb00000001"], total: 1, lans: choices });
  });

  it("keeps staff totals exact through inserts, state changes, removals, concurrent writers and housekeeping", async () => {
    const { north, south } = await seed();
    const staff = await createStaffUser();
    const total = async (filters: ConnectionFilters) => (await listConnections(testDb(), staff, filters, { limit: 1, offset: 0 })).total;
    const counted = async (filters: ConnectionFilters) => {
      let query = testDb().selectFrom("connections").select((eb) => eb.fn.countAll<string>().as("n"));
      if (filters.state) query = query.where("state", "=", filters.state);
      if (filters.lanId) query = query.where("lan_id", "=", filters.lanId);
      return Number((await query.executeTakeFirstOrThrow()).n);
    };
    const views: ConnectionFilters[] = [{}, { state: "active" }, { state: "removed" }, { state: "requested" }, { lanId: north.id }, { lanId: south.id, state: "provisioned" }];
    const expectExact = async () => {
      for (const filters of views) expect({ filters, total: await total(filters) }).toEqual({ filters, total: await counted(filters) });
    };
    await expectExact();
    expect(await total({})).toBe(4);

    // Writers in their own transactions at once, some rolled back: only what committed counts.
    await Promise.all(
      Array.from({ length: 8 }, (_, index) =>
        testDb()
          .transaction()
          .execute(async (trx) => {
            await trx.insertInto("connections").values({ lan_id: index % 2 ? north.id : south.id, asn: 64501, zt_node_id: `dd0000000${index}`, state: "requested" }).execute();
            await trx.updateTable("connections").set({ state: "removed" }).where("zt_node_id", "=", `dd0000000${index}`).execute();
            if (index % 4 === 0) throw new Error("rolled back");
          })
          .catch(() => undefined),
      ),
    );
    await testDb().updateTable("connections").set({ state: "active" }).where("state", "=", "provisioned").execute();
    // An update that changes no state, and a delete.
    await testDb().updateTable("connections").set({ route_server_peering: false }).where("asn", "=", 64500).execute();
    await testDb().deleteFrom("connections").where("zt_node_id", "=", "cc00000001").execute();
    await expectExact();
    expect(await total({ state: "removed" })).toBe(6);

    expect(await foldConnectionTallies(testDb())).toBeGreaterThan(0);
    await expectExact();
    // Folded: one row per LAN and state that has connections.
    expect(Number((await sql<{ n: string }>`select count(*) as n from connection_tallies`.execute(testDb())).rows[0]!.n)).toBe(
      Number((await sql<{ n: string }>`select count(*) as n from (select distinct lan_id, state from connections) groups`.execute(testDb())).rows[0]!.n),
    );
    expect(await foldConnectionTallies(testDb())).toBe(0);
  });
});
