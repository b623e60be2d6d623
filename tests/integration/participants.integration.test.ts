import { readFileSync } from "node:fs";
import { Ajv } from "ajv";
import addFormats from "ajv-formats";
import { afterAll, beforeEach, describe, expect, it, vi } from "vitest";
import { createApiKey } from "@/lib/api/keys";
import { cliActor } from "@/lib/audit";
import { closeDb, resetDatabase, testDb } from "../support/db";
import { createLanRow } from "../support/fixtures";

// ztix's own JSON schema, written from the published IX-F Member Export 1.0 schema's structure and types.
const schema = JSON.parse(readFileSync(new URL("../contract/ixf/ixp-member-list-1.0.schema.json", import.meta.url), "utf8")) as object;
const ajv = new Ajv({ allErrors: true, strict: true });
addFormats(ajv);
const validate = ajv.compile(schema);

const IDENTITY = {
  ZTIX_IX_NAME: "Example Internet Exchange",
  ZTIX_IX_SHORTNAME: "EX-IX",
  ZTIX_IXF_ID: "999",
  ZTIX_PEERINGDB_IX_ID: "4242",
  ZTIX_IX_COUNTRY: "de",
  ZTIX_IX_URL: "https://ix.example.net/",
  ZTIX_IX_SUPPORT_EMAIL: "noc@ix.example.net",
};

/** The route handler with a fresh configuration (the parsed environment is cached per module instance). */
async function participantsRoute(env: Record<string, string | undefined>) {
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  vi.resetModules();
  const route = await import("@/app/participants.json/route");
  return (headers: Record<string, string> = {}) => route.GET(new Request("http://portal.test/participants.json", { headers: { "X-Forwarded-For": "198.51.100.7", ...headers } }), { params: Promise.resolve({}) });
}

async function seed() {
  const lan = await createLanRow({ name: "zt-ix" });
  await testDb()
    .insertInto("networks")
    .values([
      { asn: 64500, name: "Active Net", irr_as_set: "AS-ACTIVE", peeringdb_id: 501, info_prefixes4: 20, info_prefixes6: 10 },
      { asn: 64501, name: "Bilateral Net" },
      { asn: 64502, name: "Requested Net" },
      { asn: 64503, name: "Rejected Net" },
      { asn: 64504, name: "Removed Net" },
    ])
    .execute();
  const provisionedAt = new Date("2026-10-01T12:00:00Z");
  await testDb()
    .insertInto("connections")
    .values([
      { lan_id: lan.id, asn: 64500, zt_node_id: "a000000001", state: "active", ipv4_address: "192.0.2.11", ipv6_address: "2001:db8:ffff::11", route_server_peering: true, provisioned_at: provisionedAt },
      // A router on the LAN that peers bilaterally only: listed, without the route-server flag.
      { lan_id: lan.id, asn: 64501, zt_node_id: "a000000002", state: "provisioned", ipv4_address: "192.0.2.12", ipv6_address: "2001:db8:ffff::12", route_server_peering: false, provisioned_at: provisionedAt },
      { lan_id: lan.id, asn: 64502, zt_node_id: "a000000003", state: "requested" },
      { lan_id: lan.id, asn: 64503, zt_node_id: "a000000004", state: "rejected", reason: "no" },
      { lan_id: lan.id, asn: 64504, zt_node_id: "a000000005", state: "removed", ipv4_address: "192.0.2.15" },
    ])
    .execute();
  return lan;
}

describe("IX-F Member Export at /participants.json", () => {
  beforeEach(resetDatabase);
  afterAll(async () => {
    for (const name of [...Object.keys(IDENTITY), "ZTIX_PUBLIC_PARTICIPANTS"]) delete process.env[name];
    await closeDb();
  });

  it("validates against the IX-F 1.0 schema and lists provisioned and active connections only, with a read key when not public", async () => {
    const lan = await seed();
    const { key } = await createApiKey(testDb(), { name: "peering tool", scope: "read" }, cliActor());
    const get = await participantsRoute({ ...IDENTITY, ZTIX_PUBLIC_PARTICIPANTS: undefined });

    const anonymous = await get();
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toMatchObject({ error: { code: "missing_api_key" } });
    expect((await get({ "X-API-Key": "ztix_nothing_wrong" })).status).toBe(401);

    const response = await get({ "X-API-Key": key });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { version: string; ixp_list: Record<string, unknown>[]; member_list: { asnum: number; name?: string; member_since?: string; connection_list: { vlan_list: { vlan_id: number; ipv4?: Record<string, unknown>; ipv6?: Record<string, unknown> }[] }[] }[] };
    const valid = validate(body);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
    expect(body.version).toBe("1.0");
    expect(body.ixp_list).toEqual([
      {
        ixp_id: 1,
        ixf_id: 999,
        shortname: "EX-IX",
        name: "Example Internet Exchange",
        url: "https://ix.example.net/",
        country: "DE",
        peeringdb_id: 4242,
        support_email: "noc@ix.example.net",
        vlan: [{ id: lan.id, name: "zt-ix", ipv4: { prefix: "192.0.2.0", mask_length: 24 }, ipv6: { prefix: "2001:db8:ffff::", mask_length: 64 } }],
      },
    ]);
    // Nothing requested, rejected or removed.
    expect(body.member_list.map((member) => member.asnum)).toEqual([64500, 64501]);
    const [active, bilateral] = body.member_list;
    expect(active).toMatchObject({ name: "Active Net", member_since: "2026-10-01T12:00:00Z" });
    expect(active!.connection_list[0]!.vlan_list).toEqual([
      { vlan_id: lan.id, ipv4: { address: "192.0.2.11", routeserver: true, as_macro: "AS-ACTIVE", max_prefix: 20 }, ipv6: { address: "2001:db8:ffff::11", routeserver: true, as_macro: "AS-ACTIVE", max_prefix: 10 } },
    ]);
    expect(bilateral!.connection_list[0]!.vlan_list[0]).toEqual({ vlan_id: lan.id, ipv4: { address: "192.0.2.12", routeserver: false }, ipv6: { address: "2001:db8:ffff::12", routeserver: false } });

    // The schema is a real check: an export without the exchange's IX-F id fails it.
    const broken = structuredClone(body);
    delete broken.ixp_list[0]!.ixf_id;
    expect(validate(broken)).toBe(false);
  });

  it("is anonymous only when the operator publishes it", async () => {
    await seed();
    const publicGet = await participantsRoute({ ...IDENTITY, ZTIX_PUBLIC_PARTICIPANTS: "true" });
    const response = await publicGet();
    expect(response.status).toBe(200);
    expect(response.headers.get("access-control-allow-origin")).toBe("*");
    const body = await response.json();
    expect(validate(body)).toBe(true);

    const privateGet = await participantsRoute({ ...IDENTITY, ZTIX_PUBLIC_PARTICIPANTS: "false" });
    expect((await privateGet()).status).toBe(401);
  });

  it("says which variables are missing when the exchange's identity is not configured", async () => {
    const get = await participantsRoute({ ZTIX_PUBLIC_PARTICIPANTS: "true", ZTIX_IX_SHORTNAME: undefined, ZTIX_IXF_ID: undefined });
    const response = await get();
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({
      error: { code: "not_configured", message: "The operator has not configured the exchange's identity for the IX-F export: set ZTIX_IX_SHORTNAME and ZTIX_IXF_ID.", details: { missing: ["ZTIX_IX_SHORTNAME", "ZTIX_IXF_ID"] } },
    });
  });
});
