/**
 * The controller's HTTP contract, as recorded from a real zerotier-one 1.14.1
 * (shared/contracts/zerotier-controller-1.14.1.md; "#n" = recording n). One suite, run against
 * every target: the simulator always, and a real controller too when ZT_CONTRACT_URL (its service
 * root, e.g. http://127.0.0.1:9993) and ZT_CONTRACT_TOKEN are set. On a real controller it creates
 * its own networks and deletes them afterwards. Tests of simulator switches run on the simulator only.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startZeroTierSimulator, type ZeroTierSimulator } from "@/simulators/zerotier/server";

type Target = { name: string; url: () => string; token: () => string; simulator: boolean };

let sim: ZeroTierSimulator;
const targets: Target[] = [{ name: "simulator", url: () => sim.url, token: () => sim.token, simulator: true }];
const realUrl = process.env.ZT_CONTRACT_URL?.trim().replace(/\/+$/, "").replace(/\/controller$/, "");
const realToken = process.env.ZT_CONTRACT_TOKEN?.trim();
if (realUrl && realToken) targets.push({ name: `real controller at ${realUrl}`, url: () => realUrl, token: () => realToken, simulator: false });

beforeAll(async () => {
  sim = await startZeroTierSimulator({});
});
afterAll(async () => {
  await sim.close();
});

const WRONG = "wrongtoken0123456789abcd";
const NETWORK_DEFAULTS = {
  authTokens: [null], authorizationEndpoint: "", capabilities: [], clientId: "", dns: [], enableBroadcast: true, ipAssignmentPools: [], mtu: 2800,
  multicastLimit: 32, name: "", objtype: "network", private: true, remoteTraceLevel: 0, remoteTraceTarget: null, revision: 1, routes: [],
  rules: [{ not: false, or: false, type: "ACTION_ACCEPT" }], rulesSource: "", ssoEnabled: false, tags: [], v4AssignMode: { zt: false },
  v6AssignMode: { "6plane": false, rfc4193: false, zt: false },
};
const MEMBER_DEFAULTS = {
  activeBridge: false, authenticationExpiryTime: 0, authorized: false, capabilities: [], ipAssignments: [], lastAuthorizedCredential: null,
  lastAuthorizedCredentialType: null, lastAuthorizedTime: 0, lastDeauthorizedTime: 0, noAutoAssignIps: false, objtype: "member",
  remoteTraceLevel: 0, remoteTraceTarget: null, revision: 1, ssoExempt: false, tags: [], vMajor: -1, vMinor: -1, vProto: -1, vRev: -1,
};
const LAN_CONFIG = {
  name: "ix-lan", private: true, v4AssignMode: { zt: false }, v6AssignMode: { zt: false, rfc4193: false, "6plane": false },
  routes: [{ target: "192.0.2.0/24", via: null }, { target: "2001:db8:100::/64", via: null }], ipAssignmentPools: [], mtu: 2800, enableBroadcast: true, multicastLimit: 64,
};
const sortedKeys = (object: object) => Object.keys(object).every((key, index, keys) => index === 0 || keys[index - 1]! < key);

for (const target of targets) {
  describe(`controller contract: ${target.name}`, () => {
    type Reply = { status: number; text: string; json: Record<string, unknown> | null; type: string | null; length: string | null };
    const call = async (method: string, path: string, options: { body?: string; headers?: Record<string, string>; auth?: boolean } = {}): Promise<Reply> => {
      const response = await fetch(`${target.url()}${path}`, {
        method,
        headers: { ...(options.auth === false ? {} : { "X-ZT1-Auth": target.token() }), ...(options.body !== undefined ? { "Content-Type": "application/json" } : {}), ...options.headers },
        body: options.body,
      });
      const text = await response.text();
      let json: Record<string, unknown> | null = null;
      try {
        json = text ? (JSON.parse(text) as Record<string, unknown>) : null;
      } catch {
        json = null;
      }
      return { status: response.status, text, json, type: response.headers.get("content-type"), length: response.headers.get("content-length") };
    };
    const post = (path: string, body: unknown) => call("POST", path, { body: typeof body === "string" ? body : JSON.stringify(body) });
    const expectEmpty = (reply: Reply, status: number, what: string) => {
      expect(reply.status, what).toBe(status);
      expect(reply.text, what).toBe("");
      expect(reply.type, what).toBeNull();
    };

    let nodeId = "";
    const created: string[] = [];
    const newNetwork = async (body: unknown = {}) => {
      const reply = await post(`/controller/network/${nodeId}______`, body);
      expect(reply.status).toBe(200);
      const nwid = String(reply.json!.id);
      created.push(nwid);
      return { nwid, reply };
    };

    beforeAll(async () => {
      const status = await call("GET", "/status");
      expect(status.status, `GET ${target.url()}/status`).toBe(200);
      nodeId = String(status.json!.address);
    });
    afterAll(async () => {
      for (const nwid of created) await call("DELETE", `/controller/network/${nwid}`);
    });

    it("GET /status names the node and its version (#1)", async () => {
      const status = await call("GET", "/status");
      expect(status.type).toBe("application/json");
      expect(status.json).toMatchObject({ address: expect.stringMatching(/^[0-9a-f]{10}$/), version: expect.any(String), online: expect.any(Boolean), publicIdentity: expect.stringContaining(`${nodeId}:0:`) });
      expect(sortedKeys(status.json!)).toBe(true);
    });

    it("GET /controller says controller, apiVersion 4 and databaseReady, pretty-printed; HEAD answers with headers only (#2, #81)", async () => {
      const controller = await call("GET", "/controller");
      expect(controller.status).toBe(200);
      expect(controller.type).toBe("application/json");
      expect(controller.json).toEqual({ controller: true, apiVersion: 4, clock: expect.any(Number), databaseReady: true });
      expect(controller.text).toMatch(/^\{\n\t"controller": true,\n\t"apiVersion": 4,\n\t"clock": \d+,\n\t"databaseReady": true\n\}\n$/);
      const head = await call("HEAD", "/controller");
      expect(head.status).toBe(200);
      expect(head.text).toBe("");
      expect(head.length).toBe(String(Buffer.byteLength(controller.text)));
    });

    it("answers 401 with {} before routing, to a missing, empty or wrong token, for every path (#17-#20, #87, #89)", async () => {
      const network = (await newNetwork()).nwid;
      for (const path of ["/controller", `/controller/network/${network}`, "/status", "/nope", "/controller/network/"]) {
        for (const headers of [{}, { "X-ZT1-Auth": WRONG }, { "X-ZT1-Auth": "" }] as Record<string, string>[]) {
          const reply = await call("GET", path, { auth: false, headers });
          expect(reply.status, `${path} ${JSON.stringify(headers)}`).toBe(401);
          expect(reply.text).toBe("{}");
          expect(reply.type).toBe("application/json");
        }
      }
      const wrongPost = await call("POST", `/controller/network/${network}/member/a1b2c3d4e5`, { auth: false, headers: { "X-ZT1-Auth": WRONG }, body: '{"authorized":true}' });
      expect(wrongPost.status).toBe(401);
      expectEmpty(await call("GET", `/controller/network/${network}/member/a1b2c3d4e5`), 404, "nothing was created");
    });

    it("takes X-ZT1-Auth, else ?auth=, else Bearer; a wrong X-ZT1-Auth is never overruled; Central's scheme is refused (#83-#86)", async () => {
      const token = target.token();
      expect((await call("GET", "/controller", { auth: false, headers: { "x-zt1-auth": token } })).status).toBe(200);
      expect((await call("GET", `/controller?auth=${token}`, { auth: false })).status).toBe(200);
      expect((await call("GET", "/controller", { auth: false, headers: { Authorization: `Bearer ${token}` } })).status).toBe(200);
      expect((await call("GET", "/controller", { auth: false, headers: { Authorization: `bearer ${token}` } })).status).toBe(200);
      expect((await call("GET", `/controller?auth=${token}`, { headers: { "X-ZT1-Auth": WRONG } })).status).toBe(401);
      expect((await call("GET", "/controller", { auth: false, headers: { "X-ZT1-Auth": WRONG, Authorization: `Bearer ${token}` } })).status).toBe(401);
      expect((await call("GET", "/controller", { auth: false, headers: { Authorization: `token ${token}` } })).status).toBe(401);
    });

    it("answers 404 with an empty body and no Content-Type to unknown paths, ids, methods and trailing slashes (#15, #21-#26, #40-#43, #50-#56, #82, #90)", async () => {
      const { nwid } = await newNetwork();
      const cases: [string, string, string?][] = [
        ["GET", "/nope"],
        ["GET", "/controller/"],
        ["GET", "/controller/network/"],
        ["GET", `/controller/network/${nwid}/`],
        ["GET", `/controller/network/${nwid}/member/a1b2c3d4e5/`],
        ["POST", `/controller/network/${nwid}/member/a1b2c3d4e5/`, '{"authorized":false}'],
        ["GET", "/controller/network/0123456789abcdef"],
        ["GET", "/controller/network/0123456789abcde"],
        ["GET", "/controller/network/0123456789abcdef/member"],
        ["POST", "/controller/network/0123456789abcdef/member/a1b2c3d4e5", '{"authorized":true}'],
        ["DELETE", "/controller/network/0123456789abcdef"],
        ["GET", `/controller/network/${nwid}/member/0123456789`],
        ["DELETE", `/controller/network/${nwid}/member/0123456789`],
        ["GET", `/controller/network/${nwid}/member/a1b2c3d4e`],
        ["POST", `/controller/network/${nwid}/member/a1b2c3d4e`, '{"authorized":true}'],
        ["GET", `/controller/network/${nwid}/member/a1b2c3d4eg`],
        ["POST", `/controller/network/${nwid}/member/a1b2c3d4eg`, '{"authorized":true}'],
        ["PATCH", `/controller/network/${nwid}`, '{"name":"x"}'],
        ["PATCH", `/controller/network/${nwid}/member/b1b2c3d4e5`, '{"authorized":false}'],
        ["OPTIONS", "/controller"],
      ];
      for (const [method, path, body] of cases) expectEmpty(await call(method, path, { body }), 404, `${method} ${path}`);
      expectEmpty(await call("GET", "/controller/network/0123456789abcdef"), 404, "POST of a member did not create the network");
    });

    it("creates a network under its own id with the recorded defaults; a foreign or upper-case prefix is 400 with an empty body (#4, #48, #49)", async () => {
      const { nwid, reply } = await newNetwork();
      expect(nwid).toMatch(new RegExp(`^${nodeId}[0-9a-f]{6}$`));
      expect(nwid.endsWith("000000")).toBe(false);
      expect(reply.type).toBe("application/json");
      expect(reply.json).toEqual({ ...NETWORK_DEFAULTS, id: nwid, nwid, creationTime: expect.any(Number) });
      expect(sortedKeys(reply.json!)).toBe(true);
      expectEmpty(await post("/controller/network/0123456789______", {}), 400, "foreign prefix");
      expectEmpty(await post(`/controller/network/${nodeId.toUpperCase()}______`, {}), 400, "upper-case prefix");
    });

    it("also creates with POST /controller/network, taking the config in the same call, and lists network ids (#3, #7, #63, #103)", async () => {
      const reply = await post("/controller/network", LAN_CONFIG);
      expect(reply.status).toBe(200);
      const nwid = String(reply.json!.id);
      created.push(nwid);
      expect(reply.json).toMatchObject({ ...LAN_CONFIG, revision: 1, nwid });
      const listing = await call("GET", "/controller/network");
      expect(Array.isArray(listing.json)).toBe(true);
      expect(listing.json as unknown as string[]).toContain(nwid);
      expect([...(listing.json as unknown as string[])].sort()).toEqual(listing.json);
    });

    it("merges a network config, bumping the revision only on change; GET returns what POST answered (#5, #6, #64, #113)", async () => {
      const { nwid } = await newNetwork();
      const first = await post(`/controller/network/${nwid}`, LAN_CONFIG);
      expect(first.status).toBe(200);
      expect(first.json).toEqual({ ...NETWORK_DEFAULTS, ...LAN_CONFIG, id: nwid, nwid, creationTime: expect.any(Number), revision: 2 });
      expect((await call("GET", `/controller/network/${nwid}`)).json).toEqual(first.json);
      expect((await post(`/controller/network/${nwid}`, LAN_CONFIG)).json!.revision).toBe(2);
      expect((await post(`/controller/network/${nwid}`, { name: "ix-lan" })).json!.revision).toBe(2);
      // Client-side id, revision and unknown keys are ignored.
      const ignored = await post(`/controller/network/${nwid}`, { id: "0000000000000000", revision: 99, objtype: "member", foo: "bar" });
      expect(ignored.json).toMatchObject({ id: nwid, revision: 2, objtype: "network" });
      expect(ignored.json).not.toHaveProperty("foo");
    });

    it("replaces v6AssignMode and routes whole, drops invalid routes, stores a bare IP as /0, clamps the MTU (#65, research 1.4)", async () => {
      const { nwid } = await newNetwork(LAN_CONFIG);
      expect((await post(`/controller/network/${nwid}`, { v6AssignMode: { "6plane": true } })).json!.v6AssignMode).toEqual({ "6plane": true });
      const routes = await post(`/controller/network/${nwid}`, { routes: [{ target: "192.0.2.0/33", via: null }, { target: "192.0.2.0/24", via: "192.0.2.1" }, { target: "10.0.0.1", via: null }, "x", { target: "2001:db8:100::/64" }] });
      expect(routes.json!.routes).toEqual([{ target: "192.0.2.0/24", via: "192.0.2.1" }, { target: "10.0.0.1/0", via: null }, { target: "2001:db8:100::/64", via: null }]);
      expect((await post(`/controller/network/${nwid}`, { mtu: 100 })).json!.mtu).toBe(1280);
      expect((await post(`/controller/network/${nwid}`, { mtu: 20000 })).json!.mtu).toBe(10000);
      expect((await post(`/controller/network/${nwid}`, { name: 42 })).json!.name).toBe("42");
    });

    it("creates a member on POST with the recorded fields, keeps its revision on identical POSTs and lists {id: revision} (#8-#11)", async () => {
      const { nwid } = await newNetwork(LAN_CONFIG);
      const body = { authorized: true, ipAssignments: ["192.0.2.10", "2001:db8:100::a"], noAutoAssignIps: true };
      const member = await post(`/controller/network/${nwid}/member/a1b2c3d4e5`, body);
      expect(member.status).toBe(200);
      expect(member.json).toEqual({
        ...MEMBER_DEFAULTS, ...body, id: "a1b2c3d4e5", address: "a1b2c3d4e5", nwid, creationTime: expect.any(Number),
        lastAuthorizedCredentialType: "api", lastAuthorizedTime: member.json!.creationTime,
      });
      expect(sortedKeys(member.json!)).toBe(true);
      expect(member.json).not.toHaveProperty("identity");
      expect((await call("GET", `/controller/network/${nwid}/member/a1b2c3d4e5`)).json).toEqual(member.json);
      expect((await call("GET", `/controller/network/${nwid}/member`)).json).toEqual({ a1b2c3d4e5: 1 });
      expect((await post(`/controller/network/${nwid}/member/a1b2c3d4e5`, body)).json).toEqual(member.json);
    });

    it("deauthorizes with a timestamp and a new revision, deletes answering the deleted member, then 404s (#12-#16)", async () => {
      const { nwid } = await newNetwork(LAN_CONFIG);
      const authorized = await post(`/controller/network/${nwid}/member/a1b2c3d4e5`, { authorized: true, ipAssignments: ["192.0.2.10"] });
      const deauthorized = await post(`/controller/network/${nwid}/member/a1b2c3d4e5`, { authorized: false });
      expect(deauthorized.json).toMatchObject({ authorized: false, revision: 2, lastAuthorizedCredentialType: "api", ipAssignments: ["192.0.2.10"], lastAuthorizedTime: authorized.json!.lastAuthorizedTime });
      expect(Number(deauthorized.json!.lastDeauthorizedTime)).toBeGreaterThan(0);
      const deleted = await call("DELETE", `/controller/network/${nwid}/member/a1b2c3d4e5`);
      expect(deleted.status).toBe(200);
      expect(deleted.json).toEqual(deauthorized.json);
      expectEmpty(await call("GET", `/controller/network/${nwid}/member/a1b2c3d4e5`), 404, "GET after DELETE");
      expectEmpty(await call("DELETE", `/controller/network/${nwid}/member/a1b2c3d4e5`), 404, "second DELETE");
      expect((await call("GET", `/controller/network/${nwid}/member`)).json).toEqual({});
      // Re-created, it starts again at revision 1.
      expect((await post(`/controller/network/${nwid}/member/a1b2c3d4e5`, {})).json).toMatchObject({ revision: 1, authorized: false, ipAssignments: [] });
    });

    it("stores a member id in the case it was sent and finds it in any case; a lower-case POST rewrites it (#34-#39)", async () => {
      const { nwid } = await newNetwork();
      const upper = await post(`/controller/network/${nwid}/member/A1B2C3D4E6`, { authorized: true });
      expect(upper.json).toMatchObject({ id: "A1B2C3D4E6", address: "A1B2C3D4E6", revision: 1 });
      expect((await call("GET", `/controller/network/${nwid}/member/a1b2c3d4e6`)).json).toMatchObject({ id: "A1B2C3D4E6" });
      expect((await call("GET", `/controller/network/${nwid}/member`)).json).toEqual({ A1B2C3D4E6: 1 });
      expect((await post(`/controller/network/${nwid}/member/a1b2c3d4e6`, {})).json).toMatchObject({ id: "a1b2c3d4e6", address: "a1b2c3d4e6", revision: 2, authorized: true });
      expect((await call("GET", `/controller/network/${nwid}/member`)).json).toEqual({ a1b2c3d4e6: 2 });
    });

    it("answers 500 with nlohmann's message to malformed or empty JSON and to non-string addresses, storing nothing (#27-#33, #44, #45, #71)", async () => {
      const { nwid } = await newNetwork();
      const failure = (description: string) => `{"error": 500, "description": "${description}"}`;
      const cases: [string, string, string][] = [
        [`/controller/network/${nwid}`, '{"name": "x",', "[json.exception.parse_error.101] parse error at line 1, column 14: syntax error while parsing object key - unexpected end of input; expected string literal"],
        [`/controller/network/${nwid}/member/a1b2c3d4e5`, "{authorized:true}", "[json.exception.parse_error.101] parse error at line 1, column 2: syntax error while parsing object key - invalid literal; last read: '{a'; expected string literal"],
        [`/controller/network/${nwid}`, "", "[json.exception.parse_error.101] parse error at line 1, column 1: syntax error while parsing value - unexpected end of input; expected '[', '{', or a literal"],
        [`/controller/network/${nwid}/member/a1b2c3d4e5`, "", "[json.exception.parse_error.101] parse error at line 1, column 1: syntax error while parsing value - unexpected end of input; expected '[', '{', or a literal"],
        [`/controller/network/${nwid}/member/b1b2c3d4e5`, '{"authorized":true,"ipAssignments":["192.0.2.11",42]}', "[json.exception.type_error.302] type must be string, but is number"],
        [`/controller/network/${nwid}/member/b1b2c3d4e5`, '{"ipAssignments":["192.0.2.10",null]}', "[json.exception.type_error.302] type must be string, but is null"],
      ];
      for (const [path, body, description] of cases) {
        const reply = await call("POST", path, { body });
        expect(reply.status, `${path} ${body}`).toBe(500);
        expect(reply.type).toBe("application/json");
        expect(reply.text).toBe(failure(description));
      }
      expectEmpty(await call("GET", `/controller/network/${nwid}/member/a1b2c3d4e5`), 404, "not created by bad JSON");
      expectEmpty(await call("GET", `/controller/network/${nwid}/member/b1b2c3d4e5`), 404, "not created by a number in ipAssignments");
      expect((await call("GET", `/controller/network/${nwid}`)).json!.revision).toBe(1);
    });

    it("coerces leniently: a non-object body is {}, 'true' and 1 authorize, a non-array ipAssignments is ignored (#67-#70, #73)", async () => {
      const { nwid } = await newNetwork();
      expect((await post(`/controller/network/${nwid}/member/d2b2c3d4e5`, "[]")).json).toEqual({ ...MEMBER_DEFAULTS, id: "d2b2c3d4e5", address: "d2b2c3d4e5", nwid, creationTime: expect.any(Number) });
      expect((await post(`/controller/network/${nwid}/member/d3b2c3d4e5`, { authorized: "true" })).json).toMatchObject({ authorized: true, lastAuthorizedCredentialType: "api" });
      expect((await post(`/controller/network/${nwid}/member/d4b2c3d4e5`, { authorized: 1 })).json!.authorized).toBe(true);
      expect((await post(`/controller/network/${nwid}/member/d5b2c3d4e5`, { ipAssignments: "192.0.2.10" })).json!.ipAssignments).toEqual([]);
      await post(`/controller/network/${nwid}/member/d5b2c3d4e5`, { ipAssignments: ["192.0.2.10"] });
      expect((await post(`/controller/network/${nwid}/member/d5b2c3d4e5`, { ipAssignments: null })).json!.ipAssignments).toEqual(["192.0.2.10"]);
      expect((await post(`/controller/network/${nwid}/member/d5b2c3d4e5`, { ipAssignments: [] })).json!.ipAssignments).toEqual([]);
      expect((await post(`/controller/network/${nwid}`, "null")).json).toMatchObject({ id: nwid, revision: 1 });
    });

    it("normalises addresses without validating them: /len stripped, IPv6 canonical, duplicates kept, '' dropped, garbage with a dot is 0.0.0.0 (#46, #74, #104)", async () => {
      const { nwid } = await newNetwork();
      const normalised = await post(`/controller/network/${nwid}/member/f1b2c3d4e5`, { authorized: true, ipAssignments: ["192.0.2.10", "192.0.2.10", "192.0.2.11/24", "2001:DB8:100:0:0:0:0:A", ""] });
      expect(normalised.json!.ipAssignments).toEqual(["192.0.2.10", "192.0.2.10", "192.0.2.11", "2001:db8:100::a"]);
      const garbage = await post(`/controller/network/${nwid}/member/f2b2c3d4e5`, { ipAssignments: ["300.1.1.1", "256.256.256.256", "1.2.3", "::ffff:192.0.2.5"] });
      expect(garbage.json!.ipAssignments).toEqual(["0.0.0.0", "0.0.0.0", "0.0.0.0", "::ffff:192.0.2.5"]);
    });

    it("stores addresses no route covers (#47), keeps a name, ignores unknown member fields (#77)", async () => {
      const { nwid } = await newNetwork(LAN_CONFIG);
      expect((await post(`/controller/network/${nwid}/member/c1b2c3d4e5`, { authorized: true, ipAssignments: ["10.9.9.9", "2001:db8:999::1"] })).json!.ipAssignments).toEqual(["10.9.9.9", "2001:db8:999::1"]);
      const named = await post(`/controller/network/${nwid}/member/d7b2c3d4e5`, { authorized: true, name: "peer-7", foo: "bar", revision: 99, id: "ffffffffff", nwid: "0000000000000000" });
      expect(named.json).toMatchObject({ id: "d7b2c3d4e5", nwid, name: "peer-7", revision: 1 });
      expect(named.json).not.toHaveProperty("foo");
    });

    it("answers but never stores member 0000000000 (#75, #76)", async () => {
      const { nwid } = await newNetwork();
      expect((await post(`/controller/network/${nwid}/member/0000000000`, { authorized: true })).json).toMatchObject({ id: "0000000000", revision: 0, authorized: true });
      expectEmpty(await call("GET", `/controller/network/${nwid}/member/0000000000`), 404, "member 0");
    });

    it("takes PUT as POST and HEAD on GET routes (#66, #81)", async () => {
      const { nwid } = await newNetwork();
      const put = await call("PUT", `/controller/network/${nwid}/member/d1b2c3d4e5`, { body: '{"authorized":true}' });
      expect(put.json).toMatchObject({ id: "d1b2c3d4e5", authorized: true, revision: 1 });
      expect((await call("PUT", `/controller/network/${nwid}`, { body: '{"name":"put"}' })).json).toMatchObject({ name: "put", revision: 2 });
      const head = await call("HEAD", `/controller/network/${nwid}`);
      expect(head.status).toBe(200);
      expect(head.text).toBe("");
    });

    it("lists full objects with counts under /unstable/ (#78-#80)", async () => {
      const { nwid } = await newNetwork();
      for (const [mid, authorized] of [["d1b2c3d4e5", true], ["d2b2c3d4e5", false], ["d3b2c3d4e5", true]] as const) await post(`/controller/network/${nwid}/member/${mid}`, { authorized });
      const members = await call("GET", `/unstable/controller/network/${nwid}/member`);
      expect(members.status).toBe(200);
      const body = members.json as { data: Record<string, unknown>[]; meta: Record<string, number> };
      expect(body.meta).toEqual({ authorizedCount: 2, totalCount: 3 });
      expect(body.data.map((member) => member.id).sort()).toEqual(["d1b2c3d4e5", "d2b2c3d4e5", "d3b2c3d4e5"]);
      expect(body.data.find((member) => member.id === "d2b2c3d4e5")).toEqual({ ...MEMBER_DEFAULTS, id: "d2b2c3d4e5", address: "d2b2c3d4e5", nwid, creationTime: expect.any(Number) });
      const networks = await call("GET", "/unstable/controller/network");
      const listed = (networks.json as { data: Record<string, unknown>[]; meta: { networkCount: number } });
      expect(listed.meta.networkCount).toBe(listed.data.length);
      expect(listed.data.find((network) => network.id === nwid)).toMatchObject({ id: nwid, meta: { authorizedMemberCount: 2, totalMemberCount: 3 } });
      expectEmpty(await call("GET", "/unstable/controller/network/0123456789abcdef/member"), 404, "unknown network");
    });

    it("deletes a network with its members, answering the deleted network; the same id comes back empty (#57-#62, #92-#98)", async () => {
      const { nwid } = await newNetwork();
      await post(`/controller/network/${nwid}/member/e1b2c3d4e5`, { authorized: true, ipAssignments: ["192.0.2.20"] });
      const network = await call("GET", `/controller/network/${nwid}`);
      const deleted = await call("DELETE", `/controller/network/${nwid}`);
      expect(deleted.status).toBe(200);
      expect(deleted.json).toEqual(network.json);
      expectEmpty(await call("GET", `/controller/network/${nwid}`), 404, "deleted network");
      expectEmpty(await call("GET", `/controller/network/${nwid}/member`), 404, "members of a deleted network");
      expectEmpty(await call("GET", `/controller/network/${nwid}/member/e1b2c3d4e5`), 404, "member of a deleted network");
      expectEmpty(await call("DELETE", `/controller/network/${nwid}/member/e1b2c3d4e5`), 404, "DELETE member of a deleted network");
      expectEmpty(await post(`/controller/network/${nwid}/member/e1b2c3d4e5`, { authorized: true }), 404, "POST member on a deleted network");
      expect((await call("GET", "/controller/network")).json as unknown as string[]).not.toContain(nwid);
      const again = await post(`/controller/network/${nwid}`, {});
      expect(again.json).toMatchObject({ id: nwid, revision: 1, name: "" });
      expect((await call("GET", `/controller/network/${nwid}/member`)).json).toEqual({});
    });

    it("creates any 16-hex network id it is POSTed to, even a foreign one (#99-#101)", async () => {
      const foreign = "0123456789abcdef";
      const reply = await post(`/controller/network/${foreign}`, { name: "foreign" });
      created.push(foreign);
      expect(reply.json).toMatchObject({ id: foreign, nwid: foreign, name: "foreign", revision: 1 });
      expect((await call("GET", "/controller/network")).json as unknown as string[]).toContain(foreign);
      expect((await call("DELETE", `/controller/network/${foreign}`)).json).toMatchObject({ id: foreign });
    });

    if (target.simulator) {
      describe("simulator switches", () => {
        it("answers 503 with databaseReady: false, and 404 without a controller", async () => {
          sim.setFaults({ databaseReady: false });
          try {
            const reply = await call("GET", "/controller");
            expect(reply.status).toBe(503);
            expect(reply.json).toMatchObject({ controller: true, databaseReady: false });
          } finally {
            sim.setFaults({ databaseReady: true });
          }
          sim.setFaults({ noController: true });
          try {
            expectEmpty(await call("GET", "/controller"), 404, "no controller");
            expectEmpty(await call("GET", "/controller/network"), 404, "no controller");
            expect((await call("GET", "/status")).status).toBe(200);
          } finally {
            sim.setFaults({ noController: false });
          }
        });

        it("answers 401 to a caller outside allowManagementFrom, even with the token", async () => {
          sim.setFaults({ foreignCaller: true });
          try {
            expect((await call("GET", "/status")).status).toBe(401);
          } finally {
            sim.setFaults({ foreignCaller: false });
          }
        });

        it("keeps addresses no route covers but delivers only covered ones, and only while authorized", async () => {
          const { nwid } = await newNetwork({ routes: [{ target: "192.0.2.0/24", via: null }, { target: "2001:db8:100::/64", via: null }] });
          await post(`/controller/network/${nwid}/member/f1b2c3d4e5`, { authorized: true, ipAssignments: ["192.0.2.77", "10.9.9.9", "2001:db8:100::77", "2001:db8:999::1"] });
          expect(sim.state.member(nwid, "f1b2c3d4e5")!.ipAssignments).toEqual(["192.0.2.77", "10.9.9.9", "2001:db8:100::77", "2001:db8:999::1"]);
          expect(sim.state.deliveredAddresses(nwid, "f1b2c3d4e5")).toEqual(["192.0.2.77", "2001:db8:100::77"]);
          await post(`/controller/network/${nwid}/member/f1b2c3d4e5`, { authorized: false });
          expect(sim.state.deliveredAddresses(nwid, "f1b2c3d4e5")).toEqual([]);
        });

        it("counts requests by route, mutating requests and applied writes", async () => {
          const { nwid } = await newNetwork();
          sim.resetCounters();
          await post(`/controller/network/${nwid}/member/a9b2c3d4e5`, { authorized: true });
          await post(`/controller/network/${nwid}/member/a9b2c3d4e5`, { authorized: true });
          await call("GET", `/controller/network/${nwid}/member/a9b2c3d4e5`);
          await call("POST", `/controller/network/${nwid}/member/a9b2c3d4e5`, { auth: false, body: "{}" });
          expect(sim.counters).toMatchObject({ requests: 4, mutatingRequests: 3, mutations: 1, unauthorized: 1 });
          expect(sim.counters.byRoute).toEqual({ "POST /controller/network/:nwid/member/:mid": 3, "GET /controller/network/:nwid/member/:mid": 1 });
          expect(sim.counters.byPath[`POST /controller/network/${nwid}/member/a9b2c3d4e5`]).toBe(3);
        });
      });
    }
  });
}
