/**
 * IRR prefix lists end to end: the real bgpq4 binary against the project's IRR simulator
 * (simulators/irr), lists stored in PostgreSQL, the route-server config rendered from the
 * database, and a real BIRD route server with two members in network namespaces (root, iproute2,
 * bird2 and bgpq4; installed by .ci/run).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { sql } from "kysely";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { startIrrSimulator, type IrrDataSet, type IrrSimulator } from "@/simulators/irr/server";
import { closeDb, resetDatabase, testDb } from "../support/db";
import { createLanRow } from "../support/fixtures";
import { blackholeRoutes, netnsLab, run, until } from "../support/netns-lab";

const MEMBER_A = 1000;
const MEMBER_B = 2000;
const dataSet = (routesOfA: string[]): IrrDataSet => ({
  sources: ["RIPE", "ARIN"],
  asSets: { "AS-ALPHA": ["AS1000", "AS-ALPHA-CUSTOMERS"], "AS-ALPHA-CUSTOMERS": ["AS1001"] },
  routes: [...routesOfA.map((prefix) => ({ prefix, origin: 1000, source: "RIPE" })), { prefix: "11.3.0.0/24", origin: 1001, source: "RIPE" }, { prefix: "2a0a:1000::/32", origin: 1000, source: "RIPE" }],
});

// Started while the file is collected, so the CLI's configuration (read once per process) points at it.
const irr: IrrSimulator = await startIrrSimulator({ data: dataSet(["11.1.0.0/24"]) });
process.env.ZTIX_IRR_SERVER = `127.0.0.1:${irr.port}`;
process.env.ZTIX_IRR_SOURCES = "RIPE";
let lanId = 0;

async function refresh(asn: number) {
  const { refreshIrrPrefixLists } = await import("@/lib/irr/prefix-lists");
  return refreshIrrPrefixLists(testDb(), asn, { server: `127.0.0.1:${irr.port}`, sources: "RIPE", bgpq4Path: process.env.BGPQ4_PATH ?? "/usr/bin/bgpq4", timeoutMs: 30_000 });
}

async function storedList(asn: number, family: 4 | 6) {
  return testDb().selectFrom("irr_prefix_lists").selectAll().where("asn", "=", asn).where("family", "=", family).executeTakeFirst();
}

async function deploymentJobs() {
  const result = await sql<{ count: string }>`select count(*)::text as count from graphile_worker.jobs where task_identifier = 'deploy_route_servers'`.execute(testDb());
  return Number(result.rows[0]!.count);
}

async function addMember(asn: number, asSet: string | null, address: string) {
  await testDb().insertInto("networks").values({ asn, name: `Network ${asn}`, irr_as_set: asSet }).onConflict((oc) => oc.doNothing()).execute();
  return testDb()
    .insertInto("connections")
    .values({ lan_id: lanId, asn, zt_node_id: (0xe200000000 + asn).toString(16), state: "provisioned", ipv4_address: address, ipv6_address: null })
    .returning("id")
    .executeTakeFirstOrThrow();
}

afterAll(async () => {
  delete process.env.ZTIX_IRR_SERVER;
  delete process.env.ZTIX_IRR_SOURCES;
  await irr.close();
  await closeDb();
});

beforeEach(async () => {
  await resetDatabase();
  irr.setBroken(false);
  irr.setData(dataSet(["11.1.0.0/24"]));
  lanId = (await createLanRow({ reserved: 10 })).id;
  await testDb().updateTable("lans").set({ irr_filtering: true }).where("id", "=", lanId).execute();
});

describe("IRR prefix lists from bgpq4", () => {
  it("stores the as-set's aggregated lists per family, with server and time, and a change redeploys the LAN once", async () => {
    await addMember(MEMBER_A, "RIPE::AS-ALPHA", "192.0.2.11");
    const first = await refresh(MEMBER_A);
    expect(first.outcomes.map((outcome) => [outcome.family, outcome.status])).toEqual([[4, "updated"], [6, "updated"]]);
    const v4 = await storedList(MEMBER_A, 4);
    expect(v4?.prefixes).toEqual(["11.1.0.0/24", "11.3.0.0/24"]);
    expect(v4?.as_set).toBe("RIPE::AS-ALPHA");
    expect(v4?.irr_server).toBe(`127.0.0.1:${irr.port}`);
    expect(v4?.fetched_at).toBeInstanceOf(Date);
    expect((await storedList(MEMBER_A, 6))?.prefixes).toEqual(["2a0a:1000::/32"]);
    // bgpq4 really asked the simulator (multiple-command mode, the set, the source).
    expect(irr.commands).toEqual(expect.arrayContaining(["!!", "!sRIPE", "!iAS-ALPHA"]));
    expect(await deploymentJobs()).toBe(1);

    // Nothing changed: no deployment.
    await sql`delete from graphile_worker._private_jobs`.execute(testDb());
    expect((await refresh(MEMBER_A)).outcomes.map((outcome) => outcome.status)).toEqual(["unchanged", "unchanged"]);
    expect(await deploymentJobs()).toBe(0);

    // A new route object: the list changes and the LAN is queued for exactly one deployment.
    irr.setData(dataSet(["11.1.0.0/24", "11.1.1.0/24"]));
    expect((await refresh(MEMBER_A)).outcomes.map((outcome) => outcome.status)).toEqual(["updated", "unchanged"]);
    expect((await storedList(MEMBER_A, 4))?.prefixes).toEqual(["11.1.0.0/23{24,24}", "11.3.0.0/24"]);
    expect(await deploymentJobs()).toBe(1);
    const job = await sql<{ payload: { lanId: number; reason: string } }>`select j.payload from graphile_worker._private_jobs j join graphile_worker._private_tasks t on t.id = j.task_id where t.identifier = 'deploy_route_servers'`.execute(testDb());
    expect(job.rows[0]!.payload).toEqual({ lanId, reason: `IRR prefix list of AS${MEMBER_A} changed` });
  }, 90_000);

  it("keeps the previous list when the IRR server fails or answers nothing, and records the failure", async () => {
    await testDb().updateTable("lans").set({ irr_filtering: false }).where("id", "=", lanId).execute();
    await addMember(MEMBER_A, "AS-ALPHA", "192.0.2.11");
    const { irrNeverFetched } = await import("@/lib/irr/prefix-lists");
    // The dashboard names a network the route servers filter by IRR but never fetched, rather than
    // calling every fetch a success; on a LAN that does not filter by IRR, no list is missing.
    expect(await irrNeverFetched(testDb())).toEqual([]);
    await testDb().updateTable("lans").set({ irr_filtering: true }).where("id", "=", lanId).execute();
    expect(await irrNeverFetched(testDb())).toEqual([MEMBER_A]);
    await refresh(MEMBER_A);
    expect(await irrNeverFetched(testDb())).not.toContain(MEMBER_A);
    const good = await storedList(MEMBER_A, 4);
    await sql`delete from graphile_worker._private_jobs`.execute(testDb());

    irr.setBroken(true);
    const failed = await refresh(MEMBER_A);
    expect(failed.outcomes.map((outcome) => outcome.status)).toEqual(["failed", "failed"]);
    expect(failed.outcomes[0]!.error).toMatch(/bgpq4 failed|EOF|IRR/i);
    const kept = await storedList(MEMBER_A, 4);
    expect(kept?.prefixes).toEqual(good?.prefixes);
    expect(kept?.fetched_at).toEqual(good?.fetched_at);
    expect(kept?.error).toBeTruthy();
    expect(await deploymentJobs()).toBe(0);

    // The server answers, but with no route objects at all: not a reason to drop the list either.
    irr.setBroken(false);
    irr.setData({ sources: ["RIPE"], asSets: { "AS-ALPHA": ["AS1000"] }, routes: [] });
    expect((await refresh(MEMBER_A)).outcomes[0]).toMatchObject({ status: "failed", error: expect.stringMatching(/no IPv4 route objects/) });
    expect((await storedList(MEMBER_A, 4))?.prefixes).toEqual(good?.prefixes);
    expect(await deploymentJobs()).toBe(0);

    const { irrStatusOf, irrFailures } = await import("@/lib/irr/prefix-lists");
    expect((await irrStatusOf(testDb(), MEMBER_A))?.lists[0]).toMatchObject({ count: 2, error: expect.stringMatching(/no IPv4 route objects/) });
    expect((await irrFailures(testDb())).map((row) => [row.asn, row.family])).toEqual([[MEMBER_A, 4], [MEMBER_A, 6]]);

    // The next good fetch clears the failure.
    irr.setData(dataSet(["11.1.0.0/24"]));
    await refresh(MEMBER_A);
    expect((await storedList(MEMBER_A, 4))?.error).toBeNull();
  }, 90_000);

  it("refuses an as-set that is not one before it reaches bgpq4, and honours an operator's ASN-only override", async () => {
    await addMember(MEMBER_A, "-h evil.example AS-ALPHA", "192.0.2.11");
    const refused = await refresh(MEMBER_A);
    expect(refused.outcomes[0]).toMatchObject({ status: "failed", error: expect.stringMatching(/not an as-set/) });
    expect(irr.commands.filter((command) => command.includes("EVIL"))).toEqual([]);

    const { setIrrAsSetOverride } = await import("@/lib/irr/prefix-lists");
    await expect(setIrrAsSetOverride(testDb(), MEMBER_A, "AS-FOO; rm -rf /", { type: "cli", label: "test" })).rejects.toThrow(/not an as-set/);
    await setIrrAsSetOverride(testDb(), MEMBER_A, "asn-only", { type: "cli", label: "test" });
    const result = await refresh(MEMBER_A);
    expect(result.asSet).toBe("AS1000");
    // Only AS1000's own route objects, not its customers' (AS1001).
    expect((await storedList(MEMBER_A, 4))?.prefixes).toEqual(["11.1.0.0/24"]);
  }, 90_000);

  it("fetches a network's lists when PeeringDB's as-set changes (and for a network never fetched) on a LAN that filters by IRR, not otherwise", async () => {
    const { startPeeringDbSimulator } = await import("@/simulators/peeringdb/server");
    const { refreshNetwork } = await import("@/lib/networks/refresh");
    const peeringDb = await startPeeringDbSimulator({});
    const irrJobs = async () => (await sql<{ count: string }>`select count(*)::text as count from graphile_worker.jobs where task_identifier = 'refresh_irr'`.execute(testDb())).rows[0]!.count;
    try {
      // Not on a LAN that filters by IRR: nothing is fetched by itself.
      expect(await refreshNetwork(testDb(), 64500, { apiUrl: peeringDb.apiUrl })).toBe("updated");
      expect(await irrJobs()).toBe("0");
      // A connection request on such a LAN (refresh_network runs right after it): fetched at once.
      await addMember(64500, null, "192.0.2.11");
      await testDb().updateTable("connections").set({ state: "requested", ipv4_address: null }).where("asn", "=", 64500).execute();
      expect(await refreshNetwork(testDb(), 64500, { apiUrl: peeringDb.apiUrl })).toBe("unchanged");
      expect(await irrJobs()).toBe("1");
      await refresh(64500);
      await sql`delete from graphile_worker._private_jobs`.execute(testDb());
      peeringDb.control.setNet({ asn: 64500, info_prefixes4: 150 });
      await refreshNetwork(testDb(), 64500, { apiUrl: peeringDb.apiUrl });
      expect(await irrJobs()).toBe("0");
      peeringDb.control.setNet({ asn: 64500, irr_as_set: "RIPE::AS-ALPHA" });
      await refreshNetwork(testDb(), 64500, { apiUrl: peeringDb.apiUrl });
      expect(await irrJobs()).toBe("1");
    } finally {
      await peeringDb.close();
    }
  }, 90_000);

  it("turning IRR filtering on queues a fetch per member and one deployment; the daily run covers only such LANs", async () => {
    await testDb().updateTable("lans").set({ irr_filtering: false }).where("id", "=", lanId).execute();
    await addMember(MEMBER_A, "AS-ALPHA", "192.0.2.11");
    await addMember(MEMBER_B, null, "192.0.2.12");
    const { networksNeedingIrr } = await import("@/lib/irr/prefix-lists");
    expect(await networksNeedingIrr(testDb())).toEqual([]);
    const { setLanIrrFiltering } = await import("@/lib/lans");
    expect(await setLanIrrFiltering(testDb(), String(lanId), true, { type: "cli", label: "test" })).toMatchObject({ enabled: true, changed: true });
    const jobs = await sql<{ task_identifier: string; key: string | null }>`select task_identifier, key from graphile_worker.jobs order by task_identifier, key`.execute(testDb());
    expect(jobs.rows).toEqual([
      { task_identifier: "deploy_route_servers", key: `deploy_route_servers:${lanId}` },
      { task_identifier: "refresh_irr", key: `refresh_irr:${MEMBER_A}` },
      { task_identifier: "refresh_irr", key: `refresh_irr:${MEMBER_B}` },
    ]);
    expect(await networksNeedingIrr(testDb())).toEqual([MEMBER_A, MEMBER_B]);
  }, 90_000);

  it("fetches on demand from the CLI, with one line on stderr and a non-zero exit when a family fails", async () => {
    await addMember(MEMBER_A, "AS-ALPHA", "192.0.2.11");
    const { runCli } = await import("@/cli/main");
    const out = { stdout: "", stderr: "" };
    const io = { stdout: (text: string) => void (out.stdout += text), stderr: (text: string) => void (out.stderr += text), stdin: async () => "" };
    expect(await runCli(["networks", "refresh-irr", "--asn", String(MEMBER_A)], io)).toBe(0);
    expect(out.stdout).toContain(`AS${MEMBER_A} AS-ALPHA IPv4: updated, 2 entries`);
    expect((await storedList(MEMBER_A, 4))?.irr_sources).toBe("RIPE");

    irr.setBroken(true);
    out.stdout = "";
    expect(await runCli(["networks", "refresh-irr", "--asn", String(MEMBER_A)], io)).not.toBe(0);
    expect(out.stderr.trim().split("\n")).toHaveLength(1);
    expect(out.stderr).toMatch(/IPv4: bgpq4 failed/);
    expect((await storedList(MEMBER_A, 4))?.prefixes).toEqual(["11.1.0.0/24", "11.3.0.0/24"]);

    out.stderr = "";
    expect(await runCli(["networks", "set-as-set", "--asn", String(MEMBER_A), "--as-set", "AS-FOO|reboot"], io)).not.toBe(0);
    expect(out.stderr).toContain("is not an as-set");
    expect(await runCli(["networks", "set-as-set", "--asn", String(MEMBER_A), "--asn-only"], io)).toBe(0);
    expect(out.stdout).toContain(`AS${MEMBER_A}: as-set AS${MEMBER_A}; prefix lists refresh`);
  }, 90_000);

  it("refuses a list past the maximum size with a clear error", async () => {
    await addMember(MEMBER_A, "AS-ALPHA", "192.0.2.11");
    const { refreshIrrPrefixLists } = await import("@/lib/irr/prefix-lists");
    const result = await refreshIrrPrefixLists(testDb(), MEMBER_A, { server: `127.0.0.1:${irr.port}`, sources: "RIPE", maxEntries: 1, timeoutMs: 30_000 });
    expect(result.outcomes[0]).toMatchObject({ status: "failed", error: expect.stringMatching(/more than the limit of 1/) });
    expect((await storedList(MEMBER_A, 4))?.fetched_at).toBeNull();
  }, 90_000);
});

describe("IRR filtering on a real route server (network namespaces, BIRD)", () => {
  const hosts = { rs: "192.0.2.1", m1: "192.0.2.11", m2: "192.0.2.12" } as const;
  const lab = netnsLab("i", ["rs", "m1", "m2"]);
  const dir = lab.dir;
  // Set while the tests are collected: the configuration is read once per process.
  const previousKeyFile = process.env.RS_SSH_KEY_FILE;
  process.env.RS_SSH_KEY_FILE = path.join(dir, "client_key");
  // The route server is reached as in production: birdc over SSH (a real sshd of the test's own,
  // on 127.0.0.1 with a pinned host key); BIRD's control socket is a file, so it is reachable
  // from outside the route server's namespace.
  let sshd: ChildProcess | undefined;
  let sshPort = 0;
  let hostKey = "";
  async function startSshd() {
    mkdirSync("/run/sshd", { recursive: true });
    run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", path.join(dir, "client_key")]);
    run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", path.join(dir, "host_key")]);
    hostKey = run("ssh-keygen", ["-l", "-E", "sha256", "-f", path.join(dir, "host_key.pub")]).split(" ")[1]!;
    sshPort = await new Promise<number>((resolve) => {
      const probe = net.createServer().listen(0, "127.0.0.1", () => {
        const { port } = probe.address() as net.AddressInfo;
        probe.close(() => resolve(port));
      });
    });
    writeFileSync(path.join(dir, "authorized_keys"), readFileSync(path.join(dir, "client_key.pub")));
    writeFileSync(
      path.join(dir, "sshd_config"),
      [`Port ${sshPort}`, "ListenAddress 127.0.0.1", `HostKey ${path.join(dir, "host_key")}`, `AuthorizedKeysFile ${path.join(dir, "authorized_keys")}`, `PidFile ${path.join(dir, "sshd.pid")}`, "PermitRootLogin prohibit-password", "PasswordAuthentication no", "KbdInteractiveAuthentication no", "UsePAM no", "StrictModes no", ""].join("\n"),
    );
    sshd = spawn(existsSync("/usr/sbin/sshd") ? "/usr/sbin/sshd" : "sshd", ["-D", "-e", "-f", path.join(dir, "sshd_config")], { stdio: "ignore" });
    for (let i = 0; i < 100; i++) {
      const open = await new Promise<boolean>((resolve) => {
        const socket = net.connect(sshPort, "127.0.0.1", () => (socket.end(), resolve(true)));
        socket.on("error", () => resolve(false));
      });
      if (open) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error("sshd did not start");
  }
  const birdc = lab.birdc;

  afterAll(() => {
    if (previousKeyFile === undefined) delete process.env.RS_SSH_KEY_FILE;
    else process.env.RS_SSH_KEY_FILE = previousKeyFile;
    sshd?.kill("SIGTERM");
    lab.teardown();
  });

  it("passes member A's prefix inside its as-set to member B and filters one outside with reason 9; a member without IRR data gets nothing through; the looking glass shows it all over SSH and the API", async () => {
    const a = await addMember(MEMBER_A, "RIPE::AS-ALPHA", hosts.m1);
    const b = await addMember(MEMBER_B, null, hosts.m2);
    const { addRouteServer } = await import("@/lib/routeserver/registry");
    await startSshd();
    const server = await addRouteServer(
      testDb(),
      { lan: String(lanId), name: "rs1", sshHost: "127.0.0.1", sshPort, sshUser: "root", hostKey, ipv4: hosts.rs, routerId: hosts.rs, controlSocket: lab.file("rs", "ctl") },
      { type: "cli", label: "test" },
    );
    await refresh(MEMBER_A);
    // Member B (no as-set: AS2000 alone) has no route objects: its list stays empty ("failed").
    expect((await refresh(MEMBER_B)).outcomes[0]!.status).toBe("failed");

    const { renderCurrentConfig } = await import("@/lib/routeserver/input");
    const config = (await renderCurrentConfig(testDb(), server.id)).replace("log syslog all;", `log "${lab.file("rs", "log")}" all;`);
    lab.bridge();
    for (const host of ["rs", "m1", "m2"] as const) lab.attach(host, hosts[host]);
    lab.startBird("rs", config);
    lab.startBird("m1", lab.memberConfig("m1", { address: hosts.m1, asn: MEMBER_A, routeServer: hosts.rs, statics: blackholeRoutes(["11.1.0.0/24", "11.9.0.0/24"]) }));
    lab.startBird("m2", lab.memberConfig("m2", { address: hosts.m2, asn: MEMBER_B, routeServer: hosts.rs, statics: blackholeRoutes(["12.2.0.0/24"]) }));

    await until(() => birdc("rs", "show", "protocols"), (out) => (out.match(/Established/g) ?? []).length >= 2, "both member sessions Established");
    await until(() => birdc("m2", "show", "route", "protocol", "to_rs"), (out) => out.includes("11.1.0.0/24"), "member B to learn 11.1.0.0/24");
    const { parseFilteredRoutes } = await import("@/lib/routeserver/birdc");
    const filteredOf = (connectionId: number) => parseFilteredRoutes(birdc("rs", "show", "route", "filtered", "all", "protocol", `pb_c${connectionId}_v4`), 64496);
    const filteredA = await until(() => filteredOf(a.id), (routes) => routes.length >= 1, "A's filtered route");
    const filteredB = await until(() => filteredOf(b.id), (routes) => routes.length >= 1, "B's filtered route");

    expect(birdc("m2", "show", "route", "protocol", "to_rs").match(/\d+\.\d+\.\d+\.\d+\/\d+/g)).toEqual(["11.1.0.0/24"]);
    expect(filteredA).toEqual([{ prefix: "11.9.0.0/24", reasons: [9] }]);
    expect(filteredB).toEqual([{ prefix: "12.2.0.0/24", reasons: [9] }]);
    expect(birdc("m1", "show", "route", "protocol", "to_rs")).not.toContain("12.2.0.0/24");

    // The members' looking glass, read through birdc over SSH: A's accepted and filtered routes
    // with the reason, and what the route server sends to B and to A.
    const { lookingGlass } = await import("@/lib/routeserver/looking-glass");
    const accepted = await lookingGlass(testDb(), a.id, { family: 4, kind: "accepted" });
    expect(accepted).toMatchObject({ routeServer: { id: server.id, name: "rs1" }, total: 1, matched: 1 });
    expect(accepted.routes).toEqual([expect.objectContaining({ prefix: "11.1.0.0/24", asPath: "1000", nextHop: hosts.m1, reasons: [] })]);
    const filtered = await lookingGlass(testDb(), a.id, { family: 4, kind: "filtered" });
    expect(filtered.routes.map((route) => [route.prefix, route.reasons])).toEqual([["11.9.0.0/24", [{ code: 9, meaning: "prefix not in the member's IRR prefix list" }]]]);
    const toB = await lookingGlass(testDb(), b.id, { family: 4, kind: "exported" });
    expect(toB.routes.map((route) => route.prefix)).toEqual(["11.1.0.0/24"]);
    expect((await lookingGlass(testDb(), a.id, { family: 4, kind: "exported" })).total).toBe(0);
    // Search: an address inside the prefix finds it; anything else finds nothing.
    expect((await lookingGlass(testDb(), b.id, { family: 4, kind: "exported", query: "11.1.0.77" })).matched).toBe(1);
    expect((await lookingGlass(testDb(), b.id, { family: 4, kind: "exported", query: "10.0.0.1" })).matched).toBe(0);

    // The same through the API route handler, with a read-scope key; an unknown connection is a 404.
    const { createApiKey } = await import("@/lib/api/keys");
    const { GET } = await import("@/app/api/v1/connections/[id]/routes/route");
    const key = (await createApiKey(testDb(), { name: "looking glass", scope: "read" }, { type: "cli", label: "test" })).key;
    const call = (id: number, query: string) => GET(new Request(`http://ztix.test/api/v1/connections/${id}/routes?${query}`, { headers: { "x-api-key": key } }), { params: Promise.resolve({ id: String(id) }) });
    const response = await call(a.id, "family=4&kind=filtered");
    expect(response.status).toBe(200);
    const body = (await response.json()) as { data: { total: number; routes: { prefix: string; reasons: { code: number }[] }[] } };
    expect(body.data.routes.map((route) => [route.prefix, route.reasons.map((reason) => reason.code)])).toEqual([["11.9.0.0/24", [9]]]);
    expect((await call(b.id + 1000, "kind=accepted")).status).toBe(404);
    expect((await call(a.id, "kind=everything")).status).toBe(400);
    expect((await GET(new Request(`http://ztix.test/api/v1/connections/${a.id}/routes`), { params: Promise.resolve({ id: String(a.id) }) })).status).toBe(401);
  }, 240_000);
});
