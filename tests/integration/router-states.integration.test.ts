import { describe, expect, it } from "vitest";
import { sql } from "kysely";
import { collectRouterStates, ROUTER_STATE_CONCURRENCY, routerStatesOf } from "@/lib/router-state/collect";
import { checkSessionsDown } from "@/lib/router-state/session-alerts";
import { describeRouterState } from "@/lib/router-state/describe";
import { testDb } from "../support/db";
import { createLanRow } from "../support/fixtures";
import { withZeroTierSimulator } from "../support/zerotier-simulator";
import { ZeroTierError } from "@/lib/zerotier/errors";

describe("router states from the controller", () => {
  const zt = withZeroTierSimulator();

  /** Two networks' requested connections on the LAN, routers a1a1a1a1a1 and b2b2b2b2b2. */
  async function twoRequestedRouters(lanId: number, names: [string, string]) {
    await testDb().insertInto("networks").values([{ asn: 64500, name: names[0] }, { asn: 64501, name: names[1] }]).execute();
    return testDb()
      .insertInto("connections")
      .values([
        { lan_id: lanId, asn: 64500, zt_node_id: "a1a1a1a1a1", state: "requested" },
        { lan_id: lanId, asn: 64501, zt_node_id: "b2b2b2b2b2", state: "requested" },
      ])
      .returning("id")
      .execute();
  }

  /** `count` requested connections of one network on the LAN, routers numbered from `firstNodeId`. */
  async function manyRequestedRouters(lanId: number, count: number, firstNodeId: number) {
    await testDb().insertInto("networks").values({ asn: 64500, name: "Many" }).execute();
    const nodeIds = Array.from({ length: count }, (_, i) => (firstNodeId + i).toString(16));
    const ids = (await testDb().insertInto("connections").values(nodeIds.map((node) => ({ lan_id: lanId, asn: 64500, zt_node_id: node, state: "requested" }))).returning("id").execute()).map((row) => row.id);
    return { nodeIds, ids };
  }

  it("stores joined/online/version/path for a running router, 'not seen' for one that never joined, and keeps what it knew when the router stops", async () => {
    const lan = await zt.lan();
    const networkId = lan.zt_network_id;
    await testDb().insertInto("networks").values([{ asn: 64500, name: "Up" }, { asn: 64501, name: "Absent" }, { asn: 64502, name: "Gone" }]).execute();
    const [running, absent, removed] = await testDb()
      .insertInto("connections")
      .values([
        { lan_id: lan.id, asn: 64500, zt_node_id: "a1a1a1a1a1", state: "provisioned", ipv4_address: "192.0.2.11", ipv6_address: "2001:db8:ffff::11" },
        { lan_id: lan.id, asn: 64501, zt_node_id: "b2b2b2b2b2", state: "requested" },
        { lan_id: lan.id, asn: 64502, zt_node_id: "c3c3c3c3c3", state: "removed" },
      ])
      .returning("id")
      .execute();
    await zt.provider.upsertMember(networkId, "a1a1a1a1a1", { authorized: true, ipAssignments: ["192.0.2.11", "2001:db8:ffff::11"], noAutoAssignIps: true });
    zt.sim.setPeer({ mid: "a1a1a1a1a1", nwid: networkId, version: "1.14.1", physicalAddress: "203.0.113.5/9993", latency: 8 });

    expect(await collectRouterStates(testDb(), lan.id, zt.provider)).toEqual({ checked: 2, problems: [], controllerProblem: null });
    const states = await routerStatesOf(testDb(), [running!.id, absent!.id, removed!.id]);
    expect(states.get(running!.id)).toMatchObject({ member_found: true, joined: true, online: true, version: "1.14.1", latency_ms: 8, paths: [{ address: "203.0.113.5/9993", preferred: true }] });
    expect(describeRouterState(states.get(running!.id)!, networkId).summary).toBe("joined, online via 203.0.113.5, ZeroTier 1.14.1, 8 ms");
    expect(states.get(absent!.id)).toMatchObject({ member_found: false, joined: false, online: false, version: null });
    expect(describeRouterState(states.get(absent!.id)!, networkId).commands).toEqual([`zerotier-cli join ${networkId}`, `zerotier-cli set ${networkId} allowGlobal=1`]);
    // Removed connections are not asked about.
    expect(states.has(removed!.id)).toBe(false);

    // The router stops: offline, with its version and when it was last seen.
    zt.sim.setPeer({ mid: "a1a1a1a1a1", online: false });
    await collectRouterStates(testDb(), lan.id, zt.provider);
    const stopped = (await routerStatesOf(testDb(), [running!.id])).get(running!.id)!;
    expect(stopped).toMatchObject({ joined: true, online: false, version: "1.14.1", latency_ms: null, paths: [] });
    expect(stopped.last_seen_at).not.toBeNull();

    // An unreachable controller: every router keeps its state and when it was read, with the
    // error; no router is asked after the first failure (each would wait out the same retries).
    const asked: string[] = [];
    const counting = {
      getMember: (networkId: string, nodeId: string) => (asked.push(nodeId), zt.provider.getMember(networkId, nodeId)),
      getPeer: (networkId: string, nodeId: string) => (asked.push(nodeId), zt.provider.getPeer(networkId, nodeId)),
    };
    const before = await routerStatesOf(testDb(), [running!.id, absent!.id]);
    await zt.sim.down();
    const failed = await collectRouterStates(testDb(), lan.id, counting);
    await zt.sim.up();
    expect(failed).toMatchObject({ checked: 0, problems: [] });
    expect(failed.controllerProblem).toMatch(/unreachable/);
    expect(new Set(asked)).toEqual(new Set(["a1a1a1a1a1", "b2b2b2b2b2"]));
    const kept = await routerStatesOf(testDb(), [running!.id, absent!.id]);
    expect(kept.get(running!.id)).toMatchObject({ joined: true, version: "1.14.1", checked_at: before.get(running!.id)!.checked_at });
    expect(kept.get(absent!.id)).toMatchObject({ joined: false, checked_at: before.get(absent!.id)!.checked_at });
    for (const id of [running!.id, absent!.id]) expect(kept.get(id)!.error).toMatch(/unreachable/);

    // Back: the next look reads every router again and clears the error.
    expect(await collectRouterStates(testDb(), lan.id, zt.provider)).toEqual({ checked: 2, problems: [], controllerProblem: null });
    expect([...(await routerStatesOf(testDb(), [running!.id, absent!.id])).values()].map((state) => state.error)).toEqual([null, null]);
  });

  it("a LAN of many routers is read a few at a time; when the controller fails, no further router is asked and every unread one keeps its state with the error", async () => {
    const lan = await zt.lan();
    const count = ROUTER_STATE_CONCURRENCY * 5;
    const { nodeIds, ids } = await manyRequestedRouters(lan.id, count, 0xd000000000);

    // Every router read, never more than the bound at once, more than one at a time.
    let open = 0;
    let most = 0;
    const slow = <T>(answer: () => Promise<T>) => {
      most = Math.max(most, ++open);
      return new Promise((resolve) => setTimeout(resolve, 5)).then(answer).finally(() => open--);
    };
    const reader = {
      getMember: (networkId: string, nodeId: string) => slow(() => zt.provider.getMember(networkId, nodeId)),
      getPeer: (networkId: string, nodeId: string) => slow(() => zt.provider.getPeer(networkId, nodeId)),
    };
    expect(await collectRouterStates(testDb(), lan.id, reader)).toEqual({ checked: count, problems: [], controllerProblem: null });
    expect(most).toBe(2 * ROUTER_STATE_CONCURRENCY);
    const read = await routerStatesOf(testDb(), ids);
    expect([...read.values()].filter((state) => state.error === null && state.member_found === false)).toHaveLength(count);

    // The controller is down: the first routers are asked at once, each fails, and no router is
    // asked after; every one keeps the time it was read, with the error.
    const asked = new Set<string>();
    const counting = {
      getMember: (networkId: string, nodeId: string) => (asked.add(nodeId), zt.provider.getMember(networkId, nodeId)),
      getPeer: (networkId: string, nodeId: string) => (asked.add(nodeId), zt.provider.getPeer(networkId, nodeId)),
    };
    await zt.sim.down();
    const failed = await collectRouterStates(testDb(), lan.id, counting);
    await zt.sim.up();
    expect(failed).toMatchObject({ checked: 0, problems: [], controllerProblem: expect.stringMatching(/unreachable/) });
    expect(asked).toEqual(new Set(nodeIds.slice(0, ROUTER_STATE_CONCURRENCY)));
    const after = await routerStatesOf(testDb(), ids);
    for (const id of ids) expect(after.get(id)).toMatchObject({ error: expect.stringMatching(/unreachable/), checked_at: read.get(id)!.checked_at });
  });

  it("a connection deleted while the controller is asked about it is skipped, not a failed look", async () => {
    const lan = await zt.lan();
    const [kept, deleted] = await twoRequestedRouters(lan.id, ["Kept", "Deleted"]);
    const deleting = {
      getMember: async (networkId: string, nodeId: string) => {
        if (nodeId === "b2b2b2b2b2") await testDb().deleteFrom("connections").where("id", "=", deleted!.id).execute();
        return zt.provider.getMember(networkId, nodeId);
      },
      getPeer: (networkId: string, nodeId: string) => zt.provider.getPeer(networkId, nodeId),
    };
    expect(await collectRouterStates(testDb(), lan.id, deleting)).toEqual({ checked: 2, problems: [], controllerProblem: null });
    expect([...(await routerStatesOf(testDb(), [kept!.id, deleted!.id])).keys()]).toEqual([kept!.id]);
  });

  it("a router the controller refuses to answer about keeps its state with the error and fails the run visibly; the others are read", async () => {
    const lan = await zt.lan();
    const [fine, refused] = await twoRequestedRouters(lan.id, ["Fine", "Refused"]);
    expect(await collectRouterStates(testDb(), lan.id, zt.provider)).toMatchObject({ checked: 2, problems: [] });
    const before = (await routerStatesOf(testDb(), [refused!.id])).get(refused!.id)!;
    // A refusal about one member (not the controller failing): the next router is still asked.
    const refusing = {
      getMember: (networkId: string, nodeId: string) =>
        nodeId === "b2b2b2b2b2" ? Promise.reject(new ZeroTierError("rejected", "the controller refused the member id", false, 400)) : zt.provider.getMember(networkId, nodeId),
      getPeer: (networkId: string, nodeId: string) => zt.provider.getPeer(networkId, nodeId),
    };
    expect(await collectRouterStates(testDb(), lan.id, refusing)).toEqual({ checked: 2, problems: ["router b2b2b2b2b2: the controller refused the member id"], controllerProblem: null });
    const after = await routerStatesOf(testDb(), [fine!.id, refused!.id]);
    expect(after.get(fine!.id)!.error).toBeNull();
    expect(after.get(refused!.id)).toMatchObject({ error: "the controller refused the member id", checked_at: before.checked_at });
  });

  it("when the database fails mid-run, no further router is asked and the run fails with the database's error", async () => {
    const lan = await zt.lan();
    const count = ROUTER_STATE_CONCURRENCY * 3;
    const { nodeIds, ids } = await manyRequestedRouters(lan.id, count, 0xe000000000);
    const asked = new Set<string>();
    const counting = {
      getMember: (networkId: string, nodeId: string) => (asked.add(nodeId), zt.provider.getMember(networkId, nodeId)),
      getPeer: (networkId: string, nodeId: string) => zt.provider.getPeer(networkId, nodeId),
    };
    // The disk fills: every write of a router's state fails, the state and then its error.
    await sql`create function zz_router_states_disk_full() returns trigger language plpgsql as $$ begin raise exception 'could not extend file: No space left on device' using errcode = '53100'; end $$`.execute(testDb());
    await sql`create trigger zz_router_states_disk_full before insert or update on router_states for each row execute function zz_router_states_disk_full()`.execute(testDb());
    try {
      await expect(collectRouterStates(testDb(), lan.id, counting)).rejects.toThrow(/No space left on device/);
    } finally {
      await sql`drop trigger zz_router_states_disk_full on router_states`.execute(testDb());
      await sql`drop function zz_router_states_disk_full()`.execute(testDb());
    }
    // The routers being asked when it failed, and none after.
    expect(asked).toEqual(new Set(nodeIds.slice(0, ROUTER_STATE_CONCURRENCY)));
    expect((await routerStatesOf(testDb(), ids)).size).toBe(0);
  });

  it("mails the member once when a session that was up stays down for N minutes, and watches again once it is back", async () => {
    process.env.SMTP_URL = "smtp://127.0.0.1:9";
    try {
      const lan = await createLanRow();
      await testDb().insertInto("networks").values({ asn: 64500, name: "Up" }).execute();
      const [connection] = await testDb().insertInto("connections").values({ lan_id: lan.id, asn: 64500, zt_node_id: "a1a1a1a1a1", state: "provisioned", ipv4_address: "192.0.2.11", ipv6_address: "2001:db8:ffff::11" }).returning("id").execute();
      const id = connection!.id;
      const member = await testDb().insertInto("users").values({ username: "noc", role: "member", email: "noc@member.example" }).returning("id").executeTakeFirstOrThrow();
      await testDb().insertInto("user_networks").values({ user_id: member.id, asn: 64500, source: "peeringdb", perms: 15 }).execute();
      const server = await testDb().insertInto("route_servers").values({ lan_id: lan.id, name: "rs1", transport: "local", router_id: "192.0.2.1", ipv4_address: "192.0.2.1" }).returning("id").executeTakeFirstOrThrow();
      await testDb().insertInto("router_states").values({ connection_id: id, member_found: true, joined: true, online: true }).execute();
      await testDb().insertInto("bgp_sessions").values({ route_server_id: server.id, connection_id: id, family: 4, state: "start", info: "Active        Socket: Connection refused" }).execute();
      const mails = async () => Number((await testDb().selectFrom("graphile_worker.jobs").select((eb) => eb.fn.countAll<number>().as("n")).where("task_identifier", "=", "send_email").executeTakeFirstOrThrow()).n);

      // Never up yet: a router being set up is not "down".
      expect(await checkSessionsDown(testDb(), lan.id, 15)).toEqual([]);
      expect((await routerStatesOf(testDb(), [id])).get(id)).toBeDefined();
      expect((await testDb().selectFrom("router_states").select("bgp_down_since").executeTakeFirstOrThrow()).bgp_down_since).toBeNull();

      await testDb().insertInto("audit_events").values({ actor_type: "job", actor_label: "collect_session_states", action: "connection.active", subject_type: "connection", subject_id: String(id) }).execute();
      expect(await checkSessionsDown(testDb(), lan.id, 15)).toEqual([]);
      expect((await testDb().selectFrom("router_states").select("bgp_down_since").executeTakeFirstOrThrow()).bgp_down_since).not.toBeNull();
      // Down for 10 minutes: not yet; for 20: once.
      await testDb().updateTable("router_states").set({ bgp_down_since: sql<Date>`now() - interval '10 minutes'` }).execute();
      expect(await checkSessionsDown(testDb(), lan.id, 15)).toEqual([]);
      await testDb().updateTable("router_states").set({ bgp_down_since: sql<Date>`now() - interval '20 minutes'` }).execute();
      expect(await checkSessionsDown(testDb(), lan.id, 15)).toEqual([id]);
      expect(await checkSessionsDown(testDb(), lan.id, 15)).toEqual([]);
      expect(await mails()).toBe(1);

      // Back up: the watch resets.
      await testDb().updateTable("bgp_sessions").set({ state: "up", info: "Established" }).execute();
      await checkSessionsDown(testDb(), lan.id, 15);
      expect(await testDb().selectFrom("router_states").select(["bgp_down_since", "bgp_down_notified_at"]).executeTakeFirstOrThrow()).toEqual({ bgp_down_since: null, bgp_down_notified_at: null });

      // Down as last read from a route server that cannot be read now, or one that is disabled:
      // nobody knows the session is down, so nobody is told.
      await testDb().updateTable("bgp_sessions").set({ state: "start", info: "Active        Socket: Connection refused" }).execute();
      for (const change of [{ read_error: "cannot reach it" }, { read_error: null, enabled: false }]) {
        await testDb().updateTable("route_servers").set(change).where("id", "=", server.id).execute();
        await testDb().updateTable("router_states").set({ bgp_down_since: sql<Date>`now() - interval '20 minutes'` }).execute();
        expect(await checkSessionsDown(testDb(), lan.id, 15)).toEqual([]);
      }
      expect(await mails()).toBe(1);
    } finally {
      delete process.env.SMTP_URL;
    }
  });
});
