import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { runCli } from "@/cli/main";
import { createZeroTierProvider } from "@/lib/zerotier";
import { startZeroTierSimulator, type ZeroTierSimulator } from "@/simulators/zerotier/server";
import { closeDb, resetDatabase, testDb } from "../support/db";

let sim: ZeroTierSimulator;

async function cli(...argv: string[]) {
  const out = { stdout: "", stderr: "" };
  const code = await runCli(argv, { stdout: (t) => void (out.stdout += t), stderr: (t) => void (out.stderr += t), stdin: async () => "" });
  return { code, ...out };
}

describe("lans and zerotier commands against the controller simulator", () => {
  beforeAll(async () => {
    sim = await startZeroTierSimulator({});
    // Before the first command reads the configuration.
    process.env.ZT_CONTROLLER_URL = sim.controllerUrl;
    process.env.ZT_CONTROLLER_TOKEN = sim.token;
  });
  beforeEach(async () => {
    await resetDatabase();
    sim.reset();
  });
  afterAll(async () => {
    await sim.close();
    await closeDb();
  });

  it("lans create --create-network makes a private network with routes for both prefixes; members inside them read back identical", async () => {
    const result = await cli("lans", "create", "--name", "main", "--ipv4", "192.0.2.0/24", "--ipv6", "2001:db8:ffff::/64", "--rs-asn", "64496", "--create-network");
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const lan = await testDb().selectFrom("lans").select(["zt_network_id", "ipv4_prefix", "ipv6_prefix", "rs_asn"]).executeTakeFirstOrThrow();
    expect(result.stdout).toContain(lan.zt_network_id);
    expect(lan.zt_network_id.startsWith(sim.nodeId)).toBe(true);
    const network = sim.network(lan.zt_network_id)!;
    expect(network).toMatchObject({
      private: true,
      name: "main",
      routes: [{ target: "192.0.2.0/24", via: null }, { target: "2001:db8:ffff::/64", via: null }],
      v4AssignMode: { zt: false },
      v6AssignMode: { zt: false, rfc4193: false, "6plane": false },
    });
    const provider = createZeroTierProvider({ provider: "self_hosted_controller", controllerUrl: sim.controllerUrl, controllerToken: sim.token, centralUrl: "" });
    const member = await provider.upsertMember(lan.zt_network_id, "a1b2c3d4e5", { authorized: true, ipAssignments: ["192.0.2.11", "2001:db8:ffff:0:a500:6:4500:1"], noAutoAssignIps: true });
    expect(member.ipAssignments).toEqual(["192.0.2.11", "2001:db8:ffff:0:a500:6:4500:1"]);
    expect(sim.deliveredAddresses(lan.zt_network_id, "a1b2c3d4e5")).toEqual(["192.0.2.11", "2001:db8:ffff:0:a500:6:4500:1"]);

    const listed = await cli("lans", "list");
    expect(listed.stdout).toContain("main");
  });

  it("lans create --zt-network adopts a network only when it is configured as a LAN, saying what is wrong otherwise", async () => {
    const raw = await fetch(`${sim.controllerUrl}/network`, { method: "POST", headers: { "X-ZT1-Auth": sim.token }, body: JSON.stringify({ private: false, v4AssignMode: { zt: true } }) });
    const nwid = ((await raw.json()) as { id: string }).id;
    const refused = await cli("lans", "create", "--name", "adopted", "--ipv4", "192.0.2.0/24", "--ipv6", "2001:db8:ffff::/64", "--rs-asn", "64496", "--zt-network", nwid.toUpperCase());
    expect(refused.code).toBe(1);
    expect(refused.stderr.trim().split("\n")).toHaveLength(1);
    expect(refused.stderr).toContain("it is public");
    expect(refused.stderr).toContain("IPv4 auto-assignment is on");
    expect(refused.stderr).toContain("no on-link route for 192.0.2.0/24");
    expect(await testDb().selectFrom("lans").select("id").execute()).toEqual([]);
  });

  it("refuses malformed prefixes and a missing network choice in one line, writing nothing", async () => {
    const bad = await cli("lans", "create", "--name", "x1", "--ipv4", "192.0.2.7/24", "--ipv6", "2001:db8::/64", "--rs-asn", "64496", "--create-network");
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("192.0.2.7/24 is not an IPv4 prefix");
    const neither = await cli("lans", "create", "--name", "x2", "--ipv4", "192.0.2.0/24", "--ipv6", "2001:db8::/64", "--rs-asn", "64496");
    expect(neither.stderr).toContain("give either --create-network");
    expect(sim.mutations).toBe(0);
  });

  it("lans set-rpki turns RPKI filtering on in the rendered route-server config, and off again", async () => {
    await cli("lans", "create", "--name", "main", "--ipv4", "192.0.2.0/24", "--ipv6", "2001:db8:ffff::/64", "--rs-asn", "64496", "--create-network");
    const lan = await testDb().selectFrom("lans").select("id").executeTakeFirstOrThrow();
    await testDb().insertInto("route_servers").values({ lan_id: lan.id, name: "rs1", transport: "local", router_id: "192.0.2.1", ipv4_address: "192.0.2.1" }).execute();
    const bad = await cli("lans", "set-rpki", "--lan", "main", "--rtr", "rtr.example.net");
    expect(bad.stderr).toContain("is not host:port");
    const on = await cli("lans", "set-rpki", "--lan", "main", "--rtr", "rtr.example.net:3323", "--rtr", "[2001:db8::53]:8282");
    expect(on.code).toBe(0);
    const { loadRenderInputs } = await import("@/lib/routeserver/input");
    const { renderBirdConfig } = await import("@/lib/routeserver/render");
    const { parseCheck } = await import("@/lib/routeserver/bird-check");
    const config = renderBirdConfig((await loadRenderInputs(testDb(), lan.id))[0]!.input);
    expect(config).toContain('remote "rtr.example.net" port 3323;');
    expect(config).toContain('remote "2001:db8::53" port 8282;');
    expect(await parseCheck(config)).toEqual({ ok: true });
    expect(await testDb().selectFrom("graphile_worker.jobs").select("task_identifier").where("task_identifier", "=", "deploy_route_servers").execute()).toHaveLength(1);
    expect((await cli("lans", "set-rpki", "--lan", "main", "--none")).code).toBe(0);
    expect(renderBirdConfig((await loadRenderInputs(testDb(), lan.id))[0]!.input)).toContain("routes are NOT checked against RPKI");
  });

  it("lans set-blackhole and set-max-prefix change the rendered policy, reserve the address, queue the deployment; lans policy shows them", async () => {
    await cli("lans", "create", "--name", "main", "--ipv4", "192.0.2.0/24", "--ipv6", "2001:db8:ffff::/64", "--rs-asn", "64496", "--create-network");
    const lan = await testDb().selectFrom("lans").select("id").executeTakeFirstOrThrow();
    await testDb().insertInto("route_servers").values({ lan_id: lan.id, name: "rs1", transport: "local", router_id: "192.0.2.1", ipv4_address: "192.0.2.1" }).execute();
    const { loadRenderInputs } = await import("@/lib/routeserver/input");
    const { renderBirdConfig } = await import("@/lib/routeserver/render");
    const { parseCheck } = await import("@/lib/routeserver/bird-check");
    const render = async () => renderBirdConfig((await loadRenderInputs(testDb(), lan.id))[0]!.input);
    expect(await render()).toContain("blackhole address for this family on this LAN");

    const outside = await cli("lans", "set-blackhole", "--lan", "main", "--ipv4", "198.51.100.66");
    expect(outside.code).toBe(1);
    expect(outside.stderr.trim().split("\n")).toHaveLength(1);
    expect(outside.stderr).toContain("is not a host address in the LAN's 192.0.2.0/24");
    const taken = await cli("lans", "set-blackhole", "--lan", "main", "--ipv4", "192.0.2.66", "--no-ipv4");
    expect(taken.stderr).toContain("not both");

    const on = await cli("lans", "set-blackhole", "--lan", "main", "--ipv4", "192.0.2.66", "--ipv6", "2001:db8:ffff:0::66");
    expect(on.code).toBe(0);
    expect(on.stdout).toContain("IPv4 192.0.2.66, IPv6 2001:db8:ffff::66");
    const config = await render();
    expect(config).toContain("define RS_BLACKHOLE_V4 = 192.0.2.66;");
    expect(config).toContain("define RS_BLACKHOLE_V6 = 2001:db8:ffff::66;");
    expect(await parseCheck(config)).toEqual({ ok: true });
    // Reserved, so the address pool never gives it to a member.
    const reserved = await testDb().selectFrom("address_allocations").select(["address", "state"]).where("lan_id", "=", lan.id).where("state", "=", "reserved").orderBy("address").execute();
    expect(reserved.map((row) => row.address)).toEqual(expect.arrayContaining(["192.0.2.66", "2001:db8:ffff::66"]));

    const margin = await cli("lans", "set-max-prefix", "--lan", "main", "--margin", "50", "--default-ipv4", "2000");
    expect(margin.code).toBe(0);
    const badMargin = await cli("lans", "set-max-prefix", "--lan", "main", "--margin", "1500");
    expect(badMargin.code).toBe(1);
    expect(badMargin.stderr).toContain("the margin must be 0 to 1000 %");
    const input = (await loadRenderInputs(testDb(), lan.id))[0]!.input;
    expect(input.policy).toMatchObject({ maxPrefixMarginPercent: 50, defaultMaxPrefix4: 2000, defaultMaxPrefix6: 500 });

    const shown = await cli("lans", "policy", "--lan", "main");
    expect(shown.stdout).toContain("Blackhole (RFC 7999): IPv4 192.0.2.66, IPv6 2001:db8:ffff::66");
    expect(shown.stdout).toContain("Max-prefix: PeeringDB + 50 %, else 2000 (IPv4) / 500 (IPv6)");
    // One pending deployment of the LAN (later changes replace the queued one).
    expect(await testDb().selectFrom("graphile_worker.jobs").select("task_identifier").where("task_identifier", "=", "deploy_route_servers").execute()).toHaveLength(1);

    expect((await cli("lans", "set-blackhole", "--lan", "main", "--no-ipv4", "--no-ipv6")).code).toBe(0);
    expect(await testDb().selectFrom("address_allocations").select("address").where("lan_id", "=", lan.id).where("state", "=", "reserved").where("note", "like", "blackhole%").execute()).toEqual([]);
  });

  it("the LAN page's settings save all together or not at all, with field errors, and queue one deployment", async () => {
    await cli("lans", "create", "--name", "main", "--ipv4", "192.0.2.0/24", "--ipv6", "2001:db8:ffff::/64", "--rs-asn", "64496", "--create-network");
    const lan = await testDb().selectFrom("lans").select("id").executeTakeFirstOrThrow();
    const { setLanRouteServerSettings, getLanPolicySettings } = await import("@/lib/lans");
    const actor = { type: "cli" as const, label: "test" };
    const form = { rtr: "rtr1.example.net:3323, [2001:db8::53]:8282", ipv4: "192.0.2.66", ipv6: "", marginPercent: "30", default4: "1500", default6: "600", irrFiltering: true };

    // A bad blackhole address: nothing is saved, not even the valid RTR caches; the error names the field.
    const refused = await setLanRouteServerSettings(testDb(), lan.id, { ...form, ipv4: "198.51.100.1" }, actor).catch((error: unknown) => error);
    expect(refused).toMatchObject({ fieldErrors: { ipv4: [expect.stringContaining("is not a host address in the LAN's 192.0.2.0/24")] } });
    const badRtr = await setLanRouteServerSettings(testDb(), lan.id, { ...form, rtr: "rtr1.example.net" }, actor).catch((error: unknown) => error);
    expect(badRtr).toMatchObject({ fieldErrors: { rtr: [expect.stringContaining("is not host:port")] } });
    const badMargin = await setLanRouteServerSettings(testDb(), lan.id, { ...form, marginPercent: "lots" }, actor).catch((error: unknown) => error);
    expect(badMargin).toMatchObject({ fieldErrors: { marginPercent: [expect.any(String)] } });
    // Every bad field at once, not the first one found.
    const allBad = await setLanRouteServerSettings(testDb(), lan.id, { ...form, rtr: "rtr1.example.net", marginPercent: "abc", ipv4: "999.1.1.1", ipv6: "zz::1" }, actor).catch((error: unknown) => error);
    expect(Object.keys((allBad as { fieldErrors: object }).fieldErrors).sort()).toEqual(["ipv4", "ipv6", "marginPercent", "rtr"]);
    expect(allBad).toMatchObject({ fieldErrors: { ipv4: ["999.1.1.1 is not an IPv4 address"], ipv6: ["zz::1 is not an IPv6 address"], marginPercent: ["the margin must be a number"] } });
    expect(await getLanPolicySettings(testDb(), String(lan.id))).toMatchObject({ rpkiServers: [], irrFiltering: false, blackholeIpv4: null, maxPrefixMarginPercent: 20 });
    expect(await testDb().selectFrom("graphile_worker.jobs").select("id").where("task_identifier", "=", "deploy_route_servers").execute()).toHaveLength(0);

    await setLanRouteServerSettings(testDb(), lan.id, form, actor);
    expect(await getLanPolicySettings(testDb(), String(lan.id))).toMatchObject({
      rpkiServers: [{ host: "rtr1.example.net", port: 3323 }, { host: "2001:db8::53", port: 8282 }],
      irrFiltering: true,
      blackholeIpv4: "192.0.2.66",
      blackholeIpv6: null,
      maxPrefixMarginPercent: 30,
      defaultMaxPrefix4: 1500,
      defaultMaxPrefix6: 600,
    });
    expect(await testDb().selectFrom("graphile_worker.jobs").select("id").where("task_identifier", "=", "deploy_route_servers").execute()).toHaveLength(1);
  });

  it("zerotier status names the cause when the controller is not usable", async () => {
    expect((await cli("zerotier", "status")).stdout).toContain(`is ready: node ${sim.nodeId}`);

    sim.setFaults({ databaseReady: false });
    const notReady = await cli("zerotier", "status");
    expect(notReady.code).toBe(1);
    expect(notReady.stderr).toContain("database is not ready");
    sim.setFaults({ databaseReady: true });

    const right = sim.token;
    sim.rotateToken();
    const wrongToken = await cli("zerotier", "status");
    expect(wrongToken.stderr).toContain("rejected the token (401)");
    sim.rotateToken(right);

    await sim.down();
    try {
      const down = await cli("zerotier", "status");
      expect(down.code).toBe(1);
      expect(down.stderr).toContain("unreachable");
      const lanWhileDown = await cli("lans", "create", "--name", "x3", "--ipv4", "192.0.2.0/24", "--ipv6", "2001:db8::/64", "--rs-asn", "64496", "--create-network");
      expect(lanWhileDown.stderr).toContain("not ready");
    } finally {
      await sim.up();
    }
  });
});
