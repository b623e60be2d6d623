/** The simulator's own switches and its Central-shaped mode (the controller API is in tests/contract/). */
import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startZeroTierSimulator, type ZeroTierSimulator } from "@/simulators/zerotier/server";

/** Whether a new TCP connection to `url` is refused (pooled HTTP connections would hide it). */
const refused = (url: string) =>
  new Promise<boolean>((resolve) => {
    const { hostname, port } = new URL(url);
    const socket = connect(Number(port), hostname);
    socket.once("connect", () => {
      socket.destroy();
      resolve(false);
    });
    socket.once("error", (error: NodeJS.ErrnoException) => resolve(error.code === "ECONNREFUSED"));
  });

describe("ZeroTier simulator: control API", () => {
  let sim: ZeroTierSimulator;
  const control = async (path: string, body?: unknown) => {
    const response = await fetch(`${sim.url}/_sim/${path}`, body === undefined ? {} : { method: "POST", body: JSON.stringify(body) });
    return { status: response.status, json: (await response.json()) as Record<string, unknown> };
  };
  const api = (path: string, init: RequestInit = {}) => fetch(`${sim.url}${path}`, { ...init, headers: { "X-ZT1-Auth": sim.token, ...init.headers } });

  beforeAll(async () => {
    sim = await startZeroTierSimulator({ token: "simulator-token" });
  });
  afterAll(async () => {
    await sim.close();
  });

  it("sets switches over HTTP without ZeroTier auth, and refuses unknown or ill-typed ones", async () => {
    expect((await control("faults", { rate429: 1, retryAfter: "reset-epoch" })).json).toMatchObject({ faults: { rate429: 1, retryAfter: "reset-epoch" } });
    const throttled = await api("/controller");
    expect(throttled.status).toBe(429);
    expect(Number(throttled.headers.get("x-ratelimit-reset"))).toBeGreaterThan(Date.now() / 1000);
    expect(throttled.headers.get("retry-after")).toBeNull();
    expect((await control("reset", {})).json).toMatchObject({ faults: { rate429: 0 }, counters: { requests: 0 } });
    expect(await control("faults", { rate249: 1 })).toMatchObject({ status: 400, json: { error: expect.stringContaining('unknown fault switch "rate249"') } });
    expect(await control("faults", { rate429: "often" })).toMatchObject({ status: 400, json: { error: 'fault switch "rate429" takes a number' } });
    expect(() => sim.setFaults({ rate5xx: 2 })).toThrow("between 0 and 1");
    expect((await control("state")).json).toMatchObject({ mode: "controller", nodeId: "c771ace7ed", up: true });
  });

  it("rotates the accepted token", async () => {
    const { json } = await control("token", { token: "next-token" });
    expect(json).toEqual({ token: "next-token" });
    expect((await fetch(`${sim.url}/controller`, { headers: { "X-ZT1-Auth": "simulator-token" } })).status).toBe(401);
    expect((await fetch(`${sim.url}/controller`, { headers: { "X-ZT1-Auth": "next-token" } })).status).toBe(200);
    sim.rotateToken("simulator-token");
  });

  it("goes down on request, refusing connections, and comes back on the same port", async () => {
    const url = sim.url;
    expect(await refused(url)).toBe(false);
    await sim.down();
    try {
      expect(sim.isUp).toBe(false);
      expect(await refused(url)).toBe(true);
    } finally {
      await sim.up();
    }
    expect(sim.url).toBe(url);
    expect((await api("/status")).status).toBe(200);

    expect((await control("down", { ms: 50 })).json).toEqual({ down: true, forMs: 50 });
    for (let i = 0; i < 100 && sim.isUp; i++) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(sim.isUp).toBe(false);
    expect(await refused(url)).toBe(true);
    for (let i = 0; i < 200 && !sim.isUp; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect((await api("/status")).status).toBe(200);
  });

  it("injects 5xx and counts them; a node joining appears unauthorized with its identity", async () => {
    sim.reset();
    sim.setFaults({ next5xx: 1, status5xx: 502 });
    expect((await api("/status")).status).toBe(502);
    expect((await api("/status")).status).toBe(200);
    expect(sim.counters.serverErrors).toBe(1);
    const nwid = String(((await (await api(`/controller/network/${sim.nodeId}______`, { method: "POST", body: "{}" })).json()) as { id: string }).id);
    const joined = await control("join", { nwid, mid: "a1b2c3d4e5" });
    expect(joined.json).toMatchObject({ id: "a1b2c3d4e5", authorized: false, revision: 1, identity: expect.stringMatching(/^a1b2c3d4e5:0:[0-9a-f]{64}$/) });
    expect((await control("join", { nwid: "0123456789abcdef", mid: "a1b2c3d4e5" })).status).toBe(404);
  });

  it("is deterministic for one seed: the same 429s and the same network ids", async () => {
    const run = async () => {
      const other = await startZeroTierSimulator({ seed: 99, token: "t" });
      other.setFaults({ rate429: 0.5 });
      const statuses: number[] = [];
      for (let i = 0; i < 20; i++) statuses.push((await fetch(`${other.url}/status`, { headers: { "X-ZT1-Auth": "t" } })).status);
      other.setFaults({ rate429: 0 });
      const created = (await (await fetch(`${other.url}/controller/network`, { method: "POST", headers: { "X-ZT1-Auth": "t" }, body: "{}" })).json()) as { id: string };
      await other.close();
      return { statuses, id: created.id };
    };
    const first = await run();
    expect(first.statuses).toContain(429);
    expect(first.statuses).toContain(200);
    expect(await run()).toEqual(first);
  });
});

describe("ZeroTier simulator: Central-shaped mode", () => {
  let sim: ZeroTierSimulator;
  const central = async (method: string, path: string, body?: unknown, authorization?: string) => {
    const response = await fetch(`${sim.controllerUrl}${path}`, { method, headers: { Authorization: authorization ?? `token ${sim.token}` }, body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: response.status, json: (await response.json()) as Record<string, unknown> };
  };

  beforeAll(async () => {
    sim = await startZeroTierSimulator({ mode: "central" });
  });
  afterAll(async () => {
    await sim.close();
  });

  it("serves /api/v1 with Authorization: token (or bearer), 401 otherwise", async () => {
    expect(sim.controllerUrl).toBe(`${sim.url}/api/v1`);
    expect((await central("GET", "/status")).json).toMatchObject({ user: { id: "sim-user" } });
    expect((await central("GET", "/status", undefined, `bearer ${sim.token}`)).status).toBe(200);
    expect((await central("GET", "/status", undefined, "token wrong")).status).toBe(401);
    expect((await fetch(`${sim.controllerUrl}/status`, { headers: { "X-ZT1-Auth": sim.token } })).status).toBe(401);
  });

  it("wraps controller fields in config, for networks and members, and lists members in full", async () => {
    const created = await central("POST", "/network", { config: { name: "ix", routes: [{ target: "192.0.2.0/24", via: null }] } });
    expect(created.json).toMatchObject({ id: expect.stringMatching(/^c771ace7ed[0-9a-f]{6}$/), config: { name: "ix", private: true, routes: [{ target: "192.0.2.0/24", via: null }] } });
    const nwid = String(created.json.id);
    const member = await central("POST", `/network/${nwid}/member/ABCDEF0123`, { name: "AS64500", config: { authorized: true, ipAssignments: ["192.0.2.9"], revision: 99 } });
    expect(member.json).toMatchObject({ id: `${nwid}-abcdef0123`, networkId: nwid, nodeId: "abcdef0123", name: "AS64500", config: { authorized: true, ipAssignments: ["192.0.2.9"], revision: 1 } });
    const listed = await fetch(`${sim.controllerUrl}/network/${nwid}/member`, { headers: { Authorization: `token ${sim.token}` } });
    expect(((await listed.json()) as unknown[]).length).toBe(1);
    expect((await central("GET", `/network/${nwid}/member/0123456789`)).status).toBe(404);
    expect((await central("DELETE", `/network/${nwid}/member/abcdef0123`)).status).toBe(200);
    expect((await central("DELETE", `/network/${nwid}/member/abcdef0123`)).status).toBe(404);
  });
});
