import { sql } from "kysely";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { runCli } from "@/cli/main";
import { actorOf, approveConnection, releaseConnectionAddresses, removeConnection, requestConnection } from "@/lib/connections/service";
import { closeDb, resetDatabase, testDb } from "../support/db";
import { createLanRow, createStaffUser, nodeId } from "../support/fixtures";

async function requested(lanId: number, asn: number, n: number) {
  const operator = await createStaffUser();
  return (await requestConnection(testDb(), operator, { asn, lanId, ztNodeId: nodeId(n), routeServerPeering: true })).id;
}

function capture() {
  const out = { stdout: "", stderr: "" };
  return { out, io: { stdout: (text: string) => void (out.stdout += text), stderr: (text: string) => void (out.stderr += text), stdin: async () => "" } };
}

async function addRouteServerCli(lan: string, name: string, ipv4: string, ipv6?: string) {
  const { out, io } = capture();
  const code = await runCli(["route-servers", "add", "--lan", lan, "--name", name, "--local", "--router-id", ipv4, "--ipv4", ipv4, ...(ipv6 ? ["--ipv6", ipv6] : [])], io);
  return { code, ...out };
}

describe("one address space per peering LAN", () => {
  beforeEach(resetDatabase);
  afterAll(closeDb);

  it("refuses a hand-set member address that is a route server's, a reserved host or in quarantine", async () => {
    const lan = await createLanRow({ reserved: 10, quarantineDays: 7 });
    const operator = await createStaffUser();
    const added = await addRouteServerCli(lan.name, "rs1", "192.0.2.50", "2001:db8:ffff::50");
    // Only the reminder that the route server has no ZeroTier node yet; no error.
    expect(added.stderr).toMatch(/^(warning: no --zt-node[^\n]*\n)?$/);
    expect(added.code).toBe(0);

    const id = await requested(lan.id, 64501, 1);
    await expect(approveConnection(testDb(), actorOf(operator), id, { ipv4: "192.0.2.50" })).rejects.toMatchObject({
      fieldErrors: { ipv4: ["192.0.2.50 is already in use on this LAN (route server rs1)"] },
    });
    await expect(approveConnection(testDb(), actorOf(operator), id, { ipv6: "2001:db8:ffff::50" })).rejects.toMatchObject({
      fieldErrors: { ipv6: ["2001:db8:ffff::50 is already in use on this LAN (route server rs1)"] },
    });
    // The LAN's first ten hosts are the exchange's, whether or not a route server uses them yet.
    await expect(approveConnection(testDb(), actorOf(operator), id, { ipv4: "192.0.2.1" })).rejects.toMatchObject({
      fieldErrors: { ipv4: ["192.0.2.1 is one of the first 10 hosts of 192.0.2.0/24, which the exchange keeps for route servers"] },
    });
    await expect(approveConnection(testDb(), actorOf(operator), id, { ipv6: "2001:db8:ffff::a" })).rejects.toMatchObject({
      fieldErrors: { ipv6: [expect.stringContaining("is one of the first 10 hosts of 2001:db8:ffff::/64")] },
    });

    // A removed member's address stays out of reach while in quarantine.
    const gone = await requested(lan.id, 64502, 2);
    await approveConnection(testDb(), actorOf(operator), gone, { ipv4: "192.0.2.77" });
    await removeConnection(testDb(), actorOf(operator), gone);
    await releaseConnectionAddresses(testDb(), gone);
    await expect(approveConnection(testDb(), actorOf(operator), id, { ipv4: "192.0.2.77" })).rejects.toMatchObject({
      fieldErrors: { ipv4: ["192.0.2.77 is already in use on this LAN (in quarantine after a removal)"] },
    });

    const state = await testDb().selectFrom("connections").select(["state", "ipv4_address"]).where("id", "=", id).executeTakeFirstOrThrow();
    expect(state).toEqual({ state: "requested", ipv4_address: null });
  });

  it("refuses `route-servers add` with a member's address: one line on stderr, nothing written", async () => {
    const lan = await createLanRow({ reserved: 10 });
    const operator = await createStaffUser();
    const member = await requested(lan.id, 64501, 1);
    const { ipv4, ipv6 } = await approveConnection(testDb(), actorOf(operator), member, { ipv4: "192.0.2.99" });

    const refused = await addRouteServerCli(lan.name, "rs1", ipv4);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toBe(`ztix: 192.0.2.99 is already in use on this LAN (assigned to connection ${member})\n`);
    const refused6 = await addRouteServerCli(lan.name, "rs1", "192.0.2.2", ipv6);
    expect(refused6.code).not.toBe(0);
    expect(refused6.stderr).toContain(`${ipv6} is already in use on this LAN (assigned to connection ${member})`);
    expect(await testDb().selectFrom("route_servers").select("id").execute()).toEqual([]);
  });

  it("is enforced by PostgreSQL itself when the application check is bypassed", async () => {
    const lan = await createLanRow({ reserved: 10 });
    const operator = await createStaffUser();
    const member = await requested(lan.id, 64501, 1);
    await approveConnection(testDb(), actorOf(operator), member, { ipv4: "192.0.2.99" });
    const other = await requested(lan.id, 64502, 2);

    // A route server inserted by hand with the member's address.
    const rawRouteServer = (address: string) =>
      testDb().insertInto("route_servers").values({ lan_id: lan.id, name: `raw-${address}`, transport: "local", router_id: "192.0.2.1", ipv4_address: address }).execute();
    await expect(rawRouteServer("192.0.2.99")).rejects.toThrow(`address 192.0.2.99 is already in use on peering LAN ${lan.id} (assigned to connection ${member})`);

    // A route server that PostgreSQL accepts reserves its address: a member cannot take it by hand either.
    await rawRouteServer("192.0.2.5");
    await expect(testDb().updateTable("connections").set({ ipv4_address: "192.0.2.5" }).where("id", "=", other).execute()).rejects.toThrow(
      "address 192.0.2.5 is already in use on peering LAN",
    );
    await expect(testDb().updateTable("connections").set({ ipv4_address: "192.0.2.99" }).where("id", "=", other).execute()).rejects.toThrow(
      `assigned to connection ${member}`,
    );
    // Straight into the allocation table: the unique index, and no member address among the reserved hosts.
    await expect(testDb().insertInto("address_allocations").values({ lan_id: lan.id, address: "192.0.2.99", state: "reserved", note: "raw" }).execute()).rejects.toThrow(
      /address_allocations_live_idx/,
    );
    await expect(testDb().insertInto("address_allocations").values({ lan_id: lan.id, address: "192.0.2.3", state: "assigned", connection_id: other }).execute()).rejects.toThrow(
      "address 192.0.2.3 is the network address or one of the 10 reserved hosts of 192.0.2.0/24",
    );
    const ipv6Member = await testDb().insertInto("address_allocations").values({ lan_id: lan.id, address: "2001:db8:ffff:0:a500:6:4502:1", state: "assigned", connection_id: other }).returning("id").execute();
    expect(ipv6Member).toHaveLength(1);

    // Removing the route server frees its address.
    await testDb().deleteFrom("route_servers").where("ipv4_address", "=", "192.0.2.5").execute();
    const live = await sql<{ address: string }>`select host(address) as address from address_allocations where lan_id = ${lan.id} and state in ('assigned', 'reserved', 'quarantined') order by address`.execute(testDb());
    expect(live.rows.map((row) => row.address)).not.toContain("192.0.2.5");
  });
});
