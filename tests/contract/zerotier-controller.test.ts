/**
 * The controller's HTTP contract, as recorded from a real zerotier-one 1.14.1
 * (shared/contracts/zerotier-controller-1.14.1.md). Runs against the simulator always, and also
 * against a real controller when ZT_CONTRACT_URL (the service root, e.g. http://127.0.0.1:9993)
 * and ZT_CONTRACT_TOKEN are set. It creates and deletes its own networks there.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startZeroTierSimulator, type ZeroTierSimulator } from "@/simulators/zerotier/server";

type Target = { name: string; url: () => string; token: () => string };
let sim: ZeroTierSimulator;

const targets: Target[] = [{ name: "simulator", url: () => sim.url, token: () => sim.token }];
if (process.env.ZT_CONTRACT_URL && process.env.ZT_CONTRACT_TOKEN) {
  targets.push({ name: `real controller at ${process.env.ZT_CONTRACT_URL}`, url: () => process.env.ZT_CONTRACT_URL!.replace(/\/+$/, ""), token: () => process.env.ZT_CONTRACT_TOKEN! });
}

beforeAll(async () => {
  sim = await startZeroTierSimulator({});
});
afterAll(() => sim.close());

for (const target of targets) {
  describe(`controller contract: ${target.name}`, () => {
    const call = async (method: string, path: string, options: { body?: string; headers?: Record<string, string>; auth?: boolean } = {}) => {
      const response = await fetch(`${target.url()}${path}`, {
        method,
        headers: { ...(options.auth === false ? {} : { "X-ZT1-Auth": target.token() }), ...(options.body !== undefined ? { "Content-Type": "application/json" } : {}), ...options.headers },
        body: options.body,
      });
      const text = await response.text();
      return { status: response.status, text, json: text ? (JSON.parse(text) as Record<string, unknown>) : null, type: response.headers.get("content-type") };
    };
    let nodeId = "";
    let nwid = "";

    beforeAll(async () => {
      nodeId = String((await call("GET", "/status")).json!.address);
      nwid = String((await call("POST", `/controller/network/${nodeId}______`, { body: "{}" })).json!.id);
    });
    afterAll(async () => {
      await call("DELETE", `/controller/network/${nwid}`);
    });

    it("GET /status names the node; GET /controller says controller and databaseReady", async () => {
      expect(nodeId).toMatch(/^[0-9a-f]{10}$/);
      const controller = await call("GET", "/controller");
      expect(controller.status).toBe(200);
      expect(controller.json).toMatchObject({ controller: true, apiVersion: 4, databaseReady: true });
    });

    it("answers 401 with {} before routing, without or with a wrong token, even for unknown paths", async () => {
      for (const path of ["/controller", `/controller/network/${nwid}`, "/nope"]) {
        const anonymous = await call("GET", path, { auth: false });
        expect(anonymous.status).toBe(401);
        expect(anonymous.text).toBe("{}");
        expect(anonymous.type).toContain("application/json");
      }
      expect((await call("GET", "/controller", { headers: { "X-ZT1-Auth": "wrongtoken0123456789abcd" } })).status).toBe(401);
      expect((await call("GET", "/controller", { auth: false, headers: { Authorization: `token ${target.token()}` } })).status).toBe(401);
      expect((await call("GET", "/controller", { auth: false, headers: { Authorization: `Bearer ${target.token()}` } })).status).toBe(200);
      expect((await call("GET", `/controller?auth=${target.token()}`, { auth: false })).status).toBe(200);
      // A present but wrong X-ZT1-Auth wins over a right ?auth=.
      expect((await call("GET", `/controller?auth=${target.token()}`, { headers: { "X-ZT1-Auth": "wrongtoken0123456789abcd" } })).status).toBe(401);
    });

    it("answers 404 with an empty body for unknown paths, ids and trailing slashes", async () => {
      for (const path of ["/nope", "/controller/network/ffffffffffffffff", `/controller/network/${nwid}/member/ffffffffff`, "/controller/network/", `/controller/network/${nwid}/`, `/controller/network/${nwid}/member/abcdef012`]) {
        const response = await call("GET", path);
        expect(response.status, path).toBe(404);
        expect(response.text, path).toBe("");
      }
      expect((await call("PATCH", `/controller/network/${nwid}`, { body: "{}" })).status).toBe(404);
    });

    it("creates networks under its own id only: 400 with an empty body for a foreign or uppercase prefix", async () => {
      const foreign = await call("POST", "/controller/network/0123456789______", { body: "{}" });
      expect(foreign.status).toBe(400);
      expect(foreign.text).toBe("");
      expect((await call("POST", `/controller/network/${nodeId.toUpperCase()}______`, { body: "{}" })).status).toBe(400);
    });

    it("stores a network config with defaults, routes and whole v6AssignMode, bumping the revision only on change", async () => {
      const body = JSON.stringify({ name: "ix-lan", private: true, v4AssignMode: { zt: false }, v6AssignMode: { zt: false, rfc4193: false, "6plane": false }, routes: [{ target: "192.0.2.0/24", via: null }, { target: "2001:db8:100::/64", via: null }], mtu: 2800 });
      const first = await call("POST", `/controller/network/${nwid}`, { body });
      expect(first.json).toMatchObject({ id: nwid, nwid, objtype: "network", private: true, mtu: 2800, authTokens: [null], dns: [], routes: [{ target: "192.0.2.0/24", via: null }, { target: "2001:db8:100::/64", via: null }] });
      const again = await call("POST", `/controller/network/${nwid}`, { body });
      expect(again.json!.revision).toBe(first.json!.revision);
      const partial = await call("POST", `/controller/network/${nwid}`, { body: JSON.stringify({ v6AssignMode: { "6plane": true } }) });
      expect(partial.json!.v6AssignMode).toEqual({ "6plane": true });
      expect(Number(partial.json!.revision)).toBe(Number(first.json!.revision) + 1);
    });

    it("creates a member on POST, merges, keeps the revision on identical POSTs, and lists {id: revision}", async () => {
      const body = JSON.stringify({ authorized: true, ipAssignments: ["192.0.2.10", "2001:db8:100::a"], noAutoAssignIps: true });
      const created = await call("POST", `/controller/network/${nwid}/member/a1b2c3d4e5`, { body });
      expect(created.json).toMatchObject({ id: "a1b2c3d4e5", address: "a1b2c3d4e5", authorized: true, revision: 1, lastAuthorizedCredentialType: "api", vMajor: -1, ipAssignments: ["192.0.2.10", "2001:db8:100::a"] });
      expect((await call("POST", `/controller/network/${nwid}/member/a1b2c3d4e5`, { body })).json!.revision).toBe(1);
      expect((await call("GET", `/controller/network/${nwid}/member`)).json).toEqual({ a1b2c3d4e5: 1 });
      const deauthorized = await call("POST", `/controller/network/${nwid}/member/a1b2c3d4e5`, { body: JSON.stringify({ authorized: false }) });
      expect(deauthorized.json).toMatchObject({ authorized: false, revision: 2 });
      expect(Number(deauthorized.json!.lastDeauthorizedTime)).toBeGreaterThan(0);
    });

    it("stores member ids in the case they were sent, finding them in any case", async () => {
      const upper = await call("POST", `/controller/network/${nwid}/member/B1B2C3D4E6`, { body: JSON.stringify({ authorized: true }) });
      expect(upper.json).toMatchObject({ id: "B1B2C3D4E6", address: "B1B2C3D4E6" });
      expect((await call("GET", `/controller/network/${nwid}/member/b1b2c3d4e6`)).json!.id).toBe("B1B2C3D4E6");
      const lower = await call("POST", `/controller/network/${nwid}/member/b1b2c3d4e6`, { body: "{}" });
      expect(lower.json).toMatchObject({ id: "b1b2c3d4e6", revision: 2 });
    });

    it("answers 500 to malformed or empty JSON and to a non-string address, creating nothing", async () => {
      const malformed = await call("POST", `/controller/network/${nwid}/member/c1b2c3d4e5`, { body: '{"name": "x",' });
      expect(malformed.status).toBe(500);
      expect(malformed.text).toContain("parse_error");
      expect((await call("POST", `/controller/network/${nwid}/member/c1b2c3d4e5`, { body: "" })).status).toBe(500);
      const number = await call("POST", `/controller/network/${nwid}/member/c1b2c3d4e5`, { body: JSON.stringify({ ipAssignments: ["192.0.2.11", 42] }) });
      expect(number.status).toBe(500);
      expect(number.text).toContain("type must be string, but is number");
      expect((await call("GET", `/controller/network/${nwid}/member/c1b2c3d4e5`)).status).toBe(404);
    });

    it("coerces leniently: non-object bodies are {}, '/len' is stripped, garbage with a dot becomes 0.0.0.0", async () => {
      expect((await call("POST", `/controller/network/${nwid}/member/d1b2c3d4e5`, { body: "[]" })).json).toMatchObject({ authorized: false, revision: 1 });
      expect((await call("POST", `/controller/network/${nwid}/member/d1b2c3d4e5`, { body: JSON.stringify({ authorized: "true" }) })).json!.authorized).toBe(true);
      const addresses = await call("POST", `/controller/network/${nwid}/member/d1b2c3d4e5`, { body: JSON.stringify({ ipAssignments: ["192.0.2.11/24", "2001:DB8:100:0:0:0:0:A", "", "300.1.1.1"] }) });
      expect(addresses.json!.ipAssignments).toEqual(["192.0.2.11", "2001:db8:100::a", "0.0.0.0"]);
    });

    it("needs the network for member calls, deletes with the object as the answer, and 404s the second time", async () => {
      expect((await call("POST", "/controller/network/ffffffffffffff00/member/e1b2c3d4e5", { body: "{}" })).status).toBe(404);
      await call("POST", `/controller/network/${nwid}/member/e1b2c3d4e5`, { body: JSON.stringify({ authorized: true }) });
      const deleted = await call("DELETE", `/controller/network/${nwid}/member/e1b2c3d4e5`);
      expect(deleted.status).toBe(200);
      expect(deleted.json).toMatchObject({ id: "e1b2c3d4e5", authorized: true });
      expect((await call("DELETE", `/controller/network/${nwid}/member/e1b2c3d4e5`)).status).toBe(404);
      expect((await call("GET", `/controller/network/${nwid}/member/e1b2c3d4e5`)).status).toBe(404);
    });

    it("lists full members under /unstable/ with counts", async () => {
      const response = await call("GET", `/unstable/controller/network/${nwid}/member`);
      expect(response.status).toBe(200);
      const body = response.json as { data: { id: string }[]; meta: { totalCount: number; authorizedCount: number } };
      expect(body.meta.totalCount).toBe(body.data.length);
      expect(body.data.map((member) => member.id)).toContain("a1b2c3d4e5");
    });

    if (target.name === "simulator") {
      it("keeps addresses no route covers, but never delivers them", async () => {
        await call("POST", `/controller/network/${nwid}`, { body: JSON.stringify({ routes: [{ target: "192.0.2.0/24", via: null }] }) });
        await call("POST", `/controller/network/${nwid}/member/f1b2c3d4e5`, { body: JSON.stringify({ authorized: true, ipAssignments: ["192.0.2.77", "10.9.9.9"] }) });
        expect(sim.member(nwid, "f1b2c3d4e5")!.ipAssignments).toEqual(["192.0.2.77", "10.9.9.9"]);
        expect(sim.deliveredAddresses(nwid, "f1b2c3d4e5")).toEqual(["192.0.2.77"]);
      });

      it("answers 503 with databaseReady:false when its database is not ready (switch)", async () => {
        sim.setFaults({ databaseReady: false });
        try {
          const response = await call("GET", "/controller");
          expect(response.status).toBe(503);
          expect(response.json).toMatchObject({ controller: true, databaseReady: false });
        } finally {
          sim.setFaults({ databaseReady: true });
        }
      });
    }
  });
}
