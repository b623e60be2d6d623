/**
 * The API and metrics side of drift and of members' router configuration: GET /api/v1/drift,
 * the ztix_drift_* gauges, GET /api/v1/connections/{id}/router-config (keys and members), and
 * PATCH /api/v1/route-servers/{id}. Route handlers are called as Next.js calls them.
 */
import { sql } from "kysely";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { GET as getRouterConfig } from "@/app/api/v1/connections/[id]/router-config/route";
import { GET as getDrift } from "@/app/api/v1/drift/route";
import { PATCH as patchRouteServer } from "@/app/api/v1/route-servers/[id]/route";
import { createApiKey } from "@/lib/api/keys";
import { cliActor } from "@/lib/audit";
import { renderMetrics } from "@/lib/metrics";
import { addRouteServer } from "@/lib/routeserver/registry";
import { routerConfigForUser } from "@/lib/routeserver/router-config";
import { closeDb, resetDatabase, testDb } from "../support/db";
import { createLanRow, createMemberUser } from "../support/fixtures";

const call = (handler: (request: Request, context: { params: Promise<Record<string, string>> }) => Promise<Response>, url: string, init: RequestInit & { params?: Record<string, string> } = {}) =>
  handler(new Request(`http://ztix.test${url}`, init), { params: Promise.resolve(init.params ?? {}) });

async function keys() {
  return {
    read: (await createApiKey(testDb(), { name: "monitoring", scope: "read" }, cliActor())).key,
    admin: (await createApiKey(testDb(), { name: "automation", scope: "admin" }, cliActor())).key,
  };
}

async function exchange() {
  const lan = await createLanRow({ name: "ix", ztNetworkId: "3e28446cd567124d" });
  const rs = await addRouteServer(testDb(), { lan: "ix", name: "rs1", transport: "local", ipv4: "192.0.2.1", ipv6: "2001:db8:ffff::1", routerId: "192.0.2.1", ztNodeId: "e5e5e5e5e5" }, cliActor());
  await testDb().insertInto("networks").values({ asn: 64500, name: "Example" }).execute();
  const connection = await testDb()
    .insertInto("connections")
    .values({ lan_id: lan.id, asn: 64500, zt_node_id: "a1a1a1a1a1", state: "active", ipv4_address: "192.0.2.11", ipv6_address: "2001:db8:ffff::11" })
    .returning("id")
    .executeTakeFirstOrThrow();
  return { lan, rs, connectionId: connection.id };
}

describe("drift in the API and the metrics", () => {
  beforeEach(resetDatabase);
  afterAll(closeDb);

  it("GET /api/v1/drift lists open drift with a read key, never a route server's node, and counts it in /api/metrics", async () => {
    const { lan } = await exchange();
    const { read } = await keys();
    await testDb()
      .insertInto("drift_items")
      .values([
        { lan_id: lan.id, kind: "unknown_member", subject: "b2b2b2b2b2", details: JSON.stringify({ ipAssignments: ["192.0.2.99"] }) },
        { lan_id: lan.id, kind: "unknown_member", subject: "c3c3c3c3c3", resolved_at: new Date(), resolution: "deauthorized" },
        { lan_id: lan.id, kind: "unknown_member", subject: "e5e5e5e5e5" },
        { lan_id: lan.id, kind: "route_server_config", subject: "rs1", details: JSON.stringify({ expected: "aa", onHost: "bb" }) },
      ])
      .execute();

    expect((await call(getDrift, "/api/v1/drift")).status).toBe(401);
    const response = await call(getDrift, "/api/v1/drift", { headers: { "X-API-Key": read } });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { data: { kind: string; subject: string; lan: string; details: unknown }[] };
    expect(body.data.map((item) => [item.kind, item.subject, item.lan])).toEqual([
      ["unknown_member", "b2b2b2b2b2", "ix"],
      ["route_server_config", "rs1", "ix"],
    ]);
    expect(body.data[0]!.details).toEqual({ ipAssignments: ["192.0.2.99"] });

    const { body: metrics } = await renderMetrics(testDb(), async () => ({ ready: true }));
    expect(metrics).toContain("ztix_drift_members 1\n");
    expect(metrics).toContain("ztix_drift_configs 1\n");
  });

  it("reports zero drift as zero", async () => {
    const { body: metrics } = await renderMetrics(testDb(), async () => ({ ready: true }));
    expect(metrics).toContain("ztix_drift_members 0\n");
    expect(metrics).toContain("ztix_drift_configs 0\n");
  });

  it("counts only current sessions: not a disabled route server's, not a removed connection's", async () => {
    const { lan, rs, connectionId } = await exchange();
    const other = await addRouteServer(testDb(), { lan: "ix", name: "rs2", transport: "local", ipv4: "192.0.2.2", routerId: "192.0.2.2" }, cliActor());
    const removed = await testDb().insertInto("connections").values({ lan_id: lan.id, asn: 64500, zt_node_id: "a2a2a2a2a2", state: "removed" }).returning("id").executeTakeFirstOrThrow();
    await testDb()
      .insertInto("bgp_sessions")
      .values([
        { route_server_id: rs.id, connection_id: connectionId, family: 4, state: "up", info: "Established" },
        { route_server_id: rs.id, connection_id: removed.id, family: 4, state: "up", info: "Established" },
        { route_server_id: other.id, connection_id: connectionId, family: 4, state: "up", info: "Established" },
      ])
      .execute();
    await testDb().updateTable("route_servers").set({ enabled: false }).where("id", "=", other.id).execute();
    const { body: metrics } = await renderMetrics(testDb(), async () => ({ ready: true }));
    expect(metrics).toContain('ztix_bgp_sessions{state="Established"} 1\n');
  });
});

describe("members' router configuration through the API", () => {
  beforeEach(resetDatabase);
  afterAll(closeDb);

  it("answers a read key with the complete BIRD or FRR configuration as text", async () => {
    const { connectionId } = await exchange();
    const { read } = await keys();
    const bird = await call(getRouterConfig, `/api/v1/connections/${connectionId}/router-config?flavor=bird`, { headers: { "X-API-Key": read }, params: { id: String(connectionId) } });
    expect(bird.status).toBe(200);
    expect(bird.headers.get("content-type")).toContain("text/plain");
    const text = await bird.text();
    expect(text).toContain("zerotier-cli join 3e28446cd567124d");
    expect(text).toContain("zerotier-cli set 3e28446cd567124d allowGlobal=1");
    expect(text).toContain("protocol device {");
    expect(text).toContain("local 192.0.2.11 as 64500;\n  neighbor 192.0.2.1 as 64496;");
    const frr = await call(getRouterConfig, `/api/v1/connections/${connectionId}/router-config?flavor=frr`, { headers: { "X-API-Key": read }, params: { id: String(connectionId) } });
    expect(await frr.text()).toContain("router bgp 64500\n");
    // bird is the default flavor; anything else is a validation error.
    expect(await (await call(getRouterConfig, `/api/v1/connections/${connectionId}/router-config`, { headers: { "X-API-Key": read }, params: { id: String(connectionId) } })).text()).toBe(text);
    const bad = await call(getRouterConfig, `/api/v1/connections/${connectionId}/router-config?flavor=junos`, { headers: { "X-API-Key": read }, params: { id: String(connectionId) } });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe("validation_failed");
    const missing = await call(getRouterConfig, "/api/v1/connections/999/router-config", { headers: { "X-API-Key": read }, params: { id: "999" } });
    expect(missing.status).toBe(404);
  });

  it("gives a member only its own connections' configurations; another's id is exactly like a missing one", async () => {
    const { connectionId } = await exchange();
    const owner = await createMemberUser([64500]);
    const stranger = await createMemberUser([64999]);
    expect(await routerConfigForUser(testDb(), owner, connectionId, "bird")).toContain("as 64500;");
    const foreign = await routerConfigForUser(testDb(), stranger, connectionId, "bird").catch((error: Error) => error);
    const missing = await routerConfigForUser(testDb(), stranger, 999, "bird").catch((error: Error) => error);
    expect(foreign).toMatchObject({ name: "NotFoundError" });
    expect(missing).toMatchObject({ name: "NotFoundError" });
    expect((foreign as Error).message).toBe(`connection ${connectionId} does not exist`);
  });

  it("prefills the announced prefixes from the network's stored IRR prefix lists", async () => {
    const { connectionId } = await exchange();
    // The IRR area keeps the lists in irr_prefix_lists; a database without it gets placeholders.
    const existed = (await sql<{ name: string | null }>`select to_regclass('public.irr_prefix_lists')::text as name`.execute(testDb())).rows[0]?.name;
    const owner = await createMemberUser([64500]);
    if (!existed) {
      expect(await routerConfigForUser(testDb(), owner, connectionId, "bird")).toContain("# route <YOUR-IPV4-PREFIX> blackhole;");
      await sql`create table irr_prefix_lists (asn bigint not null, family smallint not null, as_set text not null, prefixes jsonb not null default '[]', prefix_count integer not null default 0, irr_server text not null, irr_sources text not null default '', fetched_at timestamptz, attempted_at timestamptz not null default now(), error text, primary key (asn, family))`.execute(testDb());
    }
    try {
      await sql`
        insert into irr_prefix_lists (asn, family, as_set, prefixes, prefix_count, irr_server, fetched_at)
        values (64500, 4, 'AS64500', ${JSON.stringify(["203.0.113.0/24", "198.51.100.0/22{22,24}", "not a prefix"])}::jsonb, 3, 'rr.example.net', now())`.execute(testDb());
      const config = await routerConfigForUser(testDb(), owner, connectionId, "bird");
      expect(config).toContain("  route 203.0.113.0/24 blackhole;\n  route 198.51.100.0/22 blackhole;\n}");
      expect(config).not.toContain("<YOUR-IPV4-PREFIX>");
      // No IPv6 list: the IPv6 prefixes stay a placeholder.
      expect(config).toContain("# route <YOUR-IPV6-PREFIX> blackhole;");
    } finally {
      if (!existed) await sql`drop table irr_prefix_lists`.execute(testDb());
    }
  });

  it("answers 409 while a connection has nothing to configure (no enabled route server)", async () => {
    const { rs, connectionId } = await exchange();
    const { read } = await keys();
    await testDb().updateTable("route_servers").set({ enabled: false }).where("id", "=", rs.id).execute();
    const response = await call(getRouterConfig, `/api/v1/connections/${connectionId}/router-config`, { headers: { "X-API-Key": read }, params: { id: String(connectionId) } });
    expect(response.status).toBe(409);
  });
});

describe("PATCH /api/v1/route-servers/{id}", () => {
  beforeEach(resetDatabase);
  afterAll(closeDb);

  it("sets the node and disables with an admin key (the LAN's deployment queued), refuses a read key", async () => {
    const { rs } = await exchange();
    const { read, admin } = await keys();
    const body = JSON.stringify({ ztNodeId: "F6F6F6F6F6", enabled: false });
    const refused = await call(patchRouteServer, `/api/v1/route-servers/${rs.id}`, { method: "PATCH", headers: { "X-API-Key": read }, body, params: { id: String(rs.id) } });
    expect(refused.status).toBe(403);
    const response = await call(patchRouteServer, `/api/v1/route-servers/${rs.id}`, { method: "PATCH", headers: { "X-API-Key": admin }, body, params: { id: String(rs.id) } });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { data: unknown }).data).toMatchObject({ id: rs.id, ztNodeId: "f6f6f6f6f6", enabled: false, drained: false, readAt: null, readError: null, unreadableSince: null });
    const deployments = await sql<{ n: number }>`
      select count(*)::int as n from graphile_worker._private_jobs j join graphile_worker._private_tasks t on t.id = j.task_id
       where t.identifier = 'deploy_route_servers'`.execute(testDb());
    expect(deployments.rows[0]!.n).toBe(1);
    const empty = await call(patchRouteServer, `/api/v1/route-servers/${rs.id}`, { method: "PATCH", headers: { "X-API-Key": admin }, body: "{}", params: { id: String(rs.id) } });
    expect(empty.status).toBe(400);
  });
});
