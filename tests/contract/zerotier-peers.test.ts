/**
 * Router presence as a real 1.14.1 controller node reports it (tests/contract/recordings/
 * zerotier-peers-1.14.1.json): the provider reads the recorded answers, the simulator gives
 * answers of the same shape, and the portal turns them into plain language.
 */
import { readFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createZeroTierProvider } from "@/lib/zerotier";
import { describeRouterState, describeSessionState } from "@/lib/router-state/describe";
import { startZeroTierSimulator, type ZeroTierSimulator } from "@/simulators/zerotier/server";

type Recording = { request: string; status: number; body: unknown };
const recordings = JSON.parse(readFileSync(new URL("./recordings/zerotier-peers-1.14.1.json", import.meta.url), "utf8")) as Record<string, Recording>;
const NWID = "d17832aa1cd6b22b";

/** The keys of an object and of the first element of each array in it, as "a.b[].c" paths: the shape. */
function shape(value: unknown, prefix = ""): string[] {
  if (Array.isArray(value)) return value.length > 0 ? shape(value[0], `${prefix}[]`) : [`${prefix}[]`];
  if (value && typeof value === "object") return Object.entries(value).flatMap(([key, inner]) => [`${prefix}${key}`, ...shape(inner, `${prefix}${key}.`)]).sort();
  return [];
}

describe("the provider reads what a real 1.14.1 controller node answers", () => {
  let server: http.Server;
  let url: string;
  let answers: Record<string, Recording>;
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      const recording = answers[`${req.method} ${req.url}`];
      if (!recording) return res.writeHead(404, { "Content-Length": "0" }).end();
      const text = recording.body === null ? "" : JSON.stringify(recording.body);
      res.writeHead(recording.status, text ? { "Content-Type": "application/json" } : { "Content-Length": "0" }).end(text);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/controller`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const provider = () => createZeroTierProvider({ provider: "self_hosted_controller", controllerUrl: url, controllerToken: "token", centralUrl: url });
  const serve = (...names: string[]) => {
    answers = Object.fromEntries(names.map((name) => [recordings[name]!.request, recordings[name]!]));
  };

  it("a joined router: version, latency and its paths, asked on the service root", async () => {
    serve("peerJoined");
    const peer = await provider().getPeer(NWID, "E117CABE26");
    expect(peer).toMatchObject({ nodeId: "e117cabe26", version: "1.14.1", latency: 25, role: "LEAF" });
    expect(peer!.paths).toHaveLength(3);
    expect(peer!.paths.filter((path) => path.preferred)).toEqual([{ address: "10.99.0.2/9994", active: true, expired: false, preferred: true, lastReceive: 1796069468605 }]);
  });

  it("a node the controller never saw answers {}: no peer", async () => {
    serve("peerNeverSeen");
    expect(await provider().getPeer(NWID, "0123456789")).toBeNull();
  });

  it("the member record carries the version only once the router is authorized and has fetched its config", async () => {
    serve("memberJoinedUnauthorized");
    const joined = await provider().getMember(NWID, "e117cabe26");
    expect(joined).toMatchObject({ authorized: false, clientVersion: null });
    expect(joined!.identity).toMatch(/^e117cabe26:0:/);
    serve("memberAuthorized");
    expect(await provider().getMember(NWID, "e117cabe26")).toMatchObject({ authorized: true, clientVersion: "1.14.1" });
    serve("memberDeauthorized");
    expect(await provider().getMember(NWID, "e117cabe26")).toMatchObject({ authorized: false, clientVersion: "1.14.1" });
    serve("memberNeverJoined");
    expect(await provider().getMember(NWID, "0123456789")).toBeNull();
  });
});

describe("the simulator answers about peers like the recording", () => {
  let sim: ZeroTierSimulator;
  const api = async (path: string) => {
    const response = await fetch(`${sim.url}${path}`, { headers: { "X-ZT1-Auth": sim.token } });
    return { status: response.status, json: (await response.json()) as Record<string, unknown> };
  };
  beforeAll(async () => {
    sim = await startZeroTierSimulator();
  });
  afterAll(() => sim.close());

  it("GET /peer/<node id>: {} before the router runs, the recorded shape once it does", async () => {
    const network = sim.state.createNetwork({ name: "peers" });
    expect(await api("/peer/e117cabe26")).toEqual({ status: 200, json: {} });
    const control = await fetch(`${sim.url}/_sim/peer`, { method: "POST", body: JSON.stringify({ mid: "e117cabe26", nwid: network.id, version: "1.14.1", physicalAddress: "203.0.113.5/9993", latency: 12 }) });
    expect(control.status).toBe(200);
    const peer = await api("/peer/e117cabe26");
    expect(shape(peer.json)).toEqual(shape(recordings.peerJoined!.body));
    expect(peer.json).toMatchObject({ address: "e117cabe26", version: "1.14.1", latency: 12, role: "LEAF", paths: [{ address: "203.0.113.5/9993", active: true, preferred: true }] });
    // Joined: the member appears unauthorized with its identity, version still -1 (as recorded).
    expect(sim.member(network.id, "e117cabe26")).toMatchObject({ authorized: false, vMajor: -1 });
    expect(shape(sim.member(network.id, "e117cabe26"))).toEqual(shape(recordings.memberJoinedUnauthorized!.body));
    sim.state.postMember(network.id, "e117cabe26", { authorized: true, ipAssignments: ["193.0.0.21"] });
    expect(sim.member(network.id, "e117cabe26")).toMatchObject({ authorized: true, vMajor: 1, vMinor: 14, vRev: 1 });
    // Stopped: the version stays known, no live path.
    sim.setPeer({ mid: "e117cabe26", online: false });
    expect((await api("/peer/e117cabe26")).json).toMatchObject({ version: "1.14.1", latency: -1, paths: [] });
    const bad = await fetch(`${sim.url}/_sim/peer`, { method: "POST", body: JSON.stringify({ mid: "nothex", version: "1.14.1" }) });
    expect(bad.status).toBe(400);
  });
});

describe("router and session states in plain language", () => {
  const checked = new Date("2026-11-30T20:00:00Z");
  it("online with version and path, or the join commands with the LAN's network id", () => {
    const online = describeRouterState({ member_found: true, joined: true, online: true, version: "1.14.1", latency_ms: 8, paths: [{ address: "203.0.113.5/9993", preferred: true }], last_seen_at: checked, checked_at: checked, error: null }, NWID);
    expect(online).toMatchObject({ tone: "ok", summary: "joined, online via 203.0.113.5, ZeroTier 1.14.1, 8 ms", commands: [] });
    const unseen = describeRouterState(null, NWID);
    expect(unseen.summary).toBe("not seen yet");
    expect(unseen.commands).toEqual([`zerotier-cli join ${NWID}`, `zerotier-cli set ${NWID} allowGlobal=1`]);
    const away = describeRouterState({ member_found: true, joined: true, online: false, version: "1.14.1", latency_ms: null, paths: [], last_seen_at: checked, checked_at: checked, error: null }, NWID);
    expect(away).toMatchObject({ tone: "problem", summary: "joined, offline (last seen 2026-11-30 20:00 UTC), ZeroTier 1.14.1" });
  });

  it("BIRD states with the member's next step", () => {
    const peer = { routeServerAddress: "192.0.2.1", rsAsn: 64496, memberAddress: "192.0.2.20", memberAsn: 64500 };
    expect(describeSessionState({ state: "start", info: "Passive", family: 4 }, peer)).toEqual({
      tone: "waiting",
      summary: "waiting for your router",
      nextStep: "check that your BIRD (or FRR) peers with 192.0.2.1 AS64496 from 192.0.2.20 as AS64500, and that your router is online on the ZeroTier network",
    });
    expect(describeSessionState({ state: "up", info: "Established", family: 4 }, peer)).toMatchObject({ tone: "ok", nextStep: null });
  });
});
