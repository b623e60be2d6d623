import { sql } from "kysely";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { approveConnection, removeConnection, requestConnection } from "@/lib/connections/service";
import { actorOf } from "@/lib/connections/service";
import { closeDb, resetDatabase, testDb } from "../support/db";
import { createLanRow, createStaffUser, nodeId } from "../support/fixtures";

async function requested(lanId: number, asn: number, n: number) {
  const operator = await createStaffUser();
  return (await requestConnection(testDb(), operator, { asn, lanId, ztNodeId: nodeId(n), routeServerPeering: true })).id;
}

async function liveAddresses(lanId: number) {
  return testDb()
    .selectFrom("address_allocations")
    .select(["address", "state", "connection_id"])
    .where("lan_id", "=", lanId)
    .where("state", "in", ["assigned", "quarantined"])
    .orderBy("id")
    .execute();
}

describe("peering-LAN address assignment", () => {
  beforeEach(resetDatabase);
  afterAll(closeDb);

  it("hands out the lowest free IPv4 after the reserved hosts and an ASN-embedding IPv6", async () => {
    const lan = await createLanRow({ reserved: 10 });
    const operator = await createStaffUser();
    const first = await requested(lan.id, 64500, 1);
    const second = await requested(lan.id, 64500, 2);
    expect(await approveConnection(testDb(), actorOf(operator), first)).toEqual({ ipv4: "192.0.2.11", ipv6: "2001:db8:ffff:0:a500:6:4500:1" });
    expect(await approveConnection(testDb(), actorOf(operator), second)).toEqual({ ipv4: "192.0.2.12", ipv6: "2001:db8:ffff:0:a500:6:4500:2" });
  });

  it("counts up in the sequential IPv6 scheme", async () => {
    const lan = await createLanRow({ ipv6Scheme: "sequential", reserved: 10 });
    const operator = await createStaffUser();
    const id = await requested(lan.id, 4200000001, 1);
    expect(await approveConnection(testDb(), actorOf(operator), id)).toEqual({ ipv4: "192.0.2.11", ipv6: "2001:db8:ffff::b" });
  });

  it("never gives two parallel approvals on one LAN the same address", async () => {
    const lan = await createLanRow({ ipv6Scheme: "sequential" });
    const operator = await createStaffUser();
    const ids: number[] = [];
    for (let n = 0; n < 16; n++) ids.push(await requested(lan.id, 64500 + n, n));
    const results = await Promise.all(ids.map((id) => approveConnection(testDb(), actorOf(operator), id)));
    expect(new Set(results.map((result) => result.ipv4)).size).toBe(ids.length);
    expect(new Set(results.map((result) => result.ipv6)).size).toBe(ids.length);
    const rows = await liveAddresses(lan.id);
    expect(rows).toHaveLength(ids.length * 2);
  });

  it("enforces unique live addresses in the database itself", async () => {
    const lan = await createLanRow();
    const insert = () => testDb().insertInto("address_allocations").values({ lan_id: lan.id, address: "192.0.2.50", state: "assigned" }).execute();
    await insert();
    await expect(insert()).rejects.toThrow(/address_allocations_live_idx/);
  });

  it("keeps a released address in quarantine, then hands it out again", async () => {
    const lan = await createLanRow({ reserved: 0, quarantineDays: 7 });
    const operator = await createStaffUser();
    const first = await requested(lan.id, 64500, 1);
    const addresses = await approveConnection(testDb(), actorOf(operator), first);
    expect(addresses.ipv4).toBe("192.0.2.1");
    await removeConnection(testDb(), actorOf(operator), first);
    // The removal job quarantines the addresses; do what it does.
    const { releaseConnectionAddresses } = await import("@/lib/connections/service");
    await releaseConnectionAddresses(testDb(), first);

    const second = await requested(lan.id, 64501, 2);
    expect((await approveConnection(testDb(), actorOf(operator), second)).ipv4).toBe("192.0.2.2");

    await testDb().updateTable("address_allocations").set({ quarantine_until: sql<Date>`now() - interval '1 second'` }).where("state", "=", "quarantined").execute();
    const third = await requested(lan.id, 64502, 3);
    expect((await approveConnection(testDb(), actorOf(operator), third)).ipv4).toBe("192.0.2.1");
  });

  it("says so when the LAN prefix is exhausted, and writes nothing", async () => {
    const lan = await createLanRow({ ipv4Prefix: "192.0.2.0/29", reserved: 2 });
    const operator = await createStaffUser();
    for (let n = 0; n < 4; n++) await approveConnection(testDb(), actorOf(operator), await requested(lan.id, 64500 + n, n));
    const fifth = await requested(lan.id, 64510, 10);
    await expect(approveConnection(testDb(), actorOf(operator), fifth)).rejects.toThrow("no free IPv4 address is left in 192.0.2.0/29");
    const row = await testDb().selectFrom("connections").select(["state", "ipv4_address"]).where("id", "=", fifth).executeTakeFirstOrThrow();
    expect(row).toEqual({ state: "requested", ipv4_address: null });
    expect(await testDb().selectFrom("graphile_worker.jobs").select("id").where("key", "=", `provision_connection:${fifth}`).execute()).toEqual([]);
  });

  it("checks addresses an operator sets by hand", async () => {
    const lan = await createLanRow();
    const operator = await createStaffUser();
    const taken = await requested(lan.id, 64500, 1);
    await approveConnection(testDb(), actorOf(operator), taken, { ipv4: "192.0.2.200" });
    const id = await requested(lan.id, 64501, 2);
    await expect(approveConnection(testDb(), actorOf(operator), id, { ipv4: "198.51.100.7" })).rejects.toMatchObject({
      fieldErrors: { ipv4: ["198.51.100.7 is outside the LAN prefix 192.0.2.0/24"] },
    });
    await expect(approveConnection(testDb(), actorOf(operator), id, { ipv4: "192.0.2.255" })).rejects.toThrow("network or broadcast");
    await expect(approveConnection(testDb(), actorOf(operator), id, { ipv4: "192.0.2.200" })).rejects.toThrow("is already in use on this LAN (assigned to connection");
    await expect(approveConnection(testDb(), actorOf(operator), id, { ipv6: "2001:db8:1::1" })).rejects.toThrow("outside the LAN prefix");
    expect(await approveConnection(testDb(), actorOf(operator), id, { ipv4: "192.0.2.201", ipv6: "2001:db8:ffff::64:1" })).toEqual({
      ipv4: "192.0.2.201",
      ipv6: "2001:db8:ffff::64:1",
    });
  });
});
