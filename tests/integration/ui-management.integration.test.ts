import { createHash } from "node:crypto";
import { sql } from "kysely";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { runCli } from "@/cli/main";
import { cliActor } from "@/lib/audit";
import { authenticateLocal } from "@/lib/auth/local-login";
import { findSignInToken, redeemSignInToken } from "@/lib/auth/sign-in-links";
import { requestContexts, specialAsn } from "@/lib/connections/request-context";
import { addRouteServer, setRouteServerDrained, updateRouteServer } from "@/lib/routeserver/registry";
import { loadRenderInputs } from "@/lib/routeserver/input";
import { renderBirdConfig } from "@/lib/routeserver/render";
import { createAccount, setDisabled } from "@/lib/auth/users";
import { closeDb, resetDatabase, testDb } from "../support/db";
import { createLanRow } from "../support/fixtures";

describe("accounts created in the portal", () => {
  beforeEach(resetDatabase);
  afterAll(closeDb);

  it("with a one-time sign-in link: only its hash is stored, it sets a password once, then it is spent", async () => {
    const created = await createAccount(testDb(), { username: "Newcomer", role: "member", asns: ["AS64500", "64501"], credential: { signInLink: true } }, cliActor());
    expect(created).toMatchObject({ username: "newcomer", role: "member", asns: [64500, 64501] });
    const token = created.signInToken!;
    const stored = await testDb().selectFrom("user_sign_in_tokens").select(["token_hash", "expires_at"]).execute();
    expect(stored).toHaveLength(1);
    expect(stored[0]!.token_hash).toBe(createHash("sha256").update(token).digest("hex"));
    expect(new Date(stored[0]!.expires_at).getTime() - Date.now()).toBeGreaterThan(23 * 3600_000);
    const networks = await testDb().selectFrom("user_networks").select(["asn", "source"]).orderBy("asn").execute();
    expect(networks).toEqual([{ asn: 64500, source: "manual" }, { asn: 64501, source: "manual" }]);
    // No password yet: nobody signs in as the account before the link is used.
    expect(await authenticateLocal(testDb(), { username: "newcomer", password: "whatever it is 123", clientIp: null })).toMatchObject({ ok: false });

    await expect(redeemSignInToken(testDb(), token, "short")).rejects.toThrow("at least 12 characters");
    expect(await findSignInToken(testDb(), token)).not.toBeNull();
    await redeemSignInToken(testDb(), token, "a long enough passphrase 1");
    expect(await authenticateLocal(testDb(), { username: "newcomer", password: "a long enough passphrase 1", clientIp: null })).toMatchObject({ ok: true });
    await expect(redeemSignInToken(testDb(), token, "another long passphrase 2")).rejects.toThrow("invalid, used or expired");
  });

  it("refuses an expired link and a link of a disabled account", async () => {
    const expiring = await createAccount(testDb(), { username: "late", role: "member", asns: [], credential: { signInLink: true } }, cliActor());
    await sql`update user_sign_in_tokens set expires_at = now() - interval '1 second'`.execute(testDb());
    await expect(redeemSignInToken(testDb(), expiring.signInToken!, "a long enough passphrase 1")).rejects.toThrow("invalid, used or expired");
    const disabled = await createAccount(testDb(), { username: "gone", role: "member", asns: [], credential: { signInLink: true } }, cliActor());
    await setDisabled(testDb(), "gone", true, cliActor());
    expect(await findSignInToken(testDb(), disabled.signInToken!)).toBeNull();
  });

  it("with a password, checked like everywhere else; bad ASNs and taken names answer the field", async () => {
    await expect(createAccount(testDb(), { username: "op", role: "operator", asns: [], credential: { password: "op-quite-long-xyz1" } }, cliActor())).rejects.toMatchObject({ fieldErrors: { password: ["password must not contain the username"] } });
    await expect(createAccount(testDb(), { username: "op", role: "operator", asns: ["ASX"], credential: { password: "a long enough passphrase 1" } }, cliActor())).rejects.toMatchObject({ fieldErrors: { asns: [expect.stringContaining("not an AS number")] } });
    const created = await createAccount(testDb(), { username: "op", role: "operator", asns: [], credential: { password: "a long enough passphrase 1" } }, cliActor());
    expect(created.signInToken).toBeNull();
    await expect(createAccount(testDb(), { username: "OP", role: "member", asns: [], credential: { password: "a long enough passphrase 1" } }, cliActor())).rejects.toMatchObject({ fieldErrors: { username: ["already taken"] } });
    expect(await testDb().selectFrom("user_sign_in_tokens").select("id").execute()).toEqual([]);
  });
});

describe("draining a route server", () => {
  beforeEach(resetDatabase);
  afterAll(closeDb);

  it("renders GRACEFUL_SHUTDOWN into its export while drained, queues the LAN's deployment, and undrains", async () => {
    const lan = await createLanRow({ name: "main" });
    const server = await testDb()
      .insertInto("route_servers")
      .values({ lan_id: lan.id, name: "rs1", transport: "local", router_id: "192.0.2.1", ipv4_address: "192.0.2.1" })
      .returning("id")
      .executeTakeFirstOrThrow();
    const rendered = async () => renderBirdConfig((await loadRenderInputs(testDb(), lan.id))[0]!.input);
    expect(await rendered()).not.toContain("bgp_community.add((65535, 0));");

    expect(await setRouteServerDrained(testDb(), server.id, true, cliActor())).toMatchObject({ drained: true, changed: true });
    expect(await rendered()).toContain("bgp_community.add((65535, 0));");
    const jobs = await sql<{ task_identifier: string }>`select task_identifier from graphile_worker.jobs`.execute(testDb());
    expect(jobs.rows.map((job) => job.task_identifier)).toContain("deploy_route_servers");
    expect(await setRouteServerDrained(testDb(), "rs1", true, cliActor())).toMatchObject({ changed: false });

    // The CLI does the same.
    const out = { stdout: "", stderr: "" };
    const io = { stdout: (text: string) => void (out.stdout += text), stderr: (text: string) => void (out.stderr += text), stdin: async () => "" };
    expect(await runCli(["route-servers", "undrain", "--name", "rs1"], io)).toBe(0);
    expect(out.stdout).toBe("route server rs1 undrained; the LAN's deployment is queued\n");
    expect(await rendered()).not.toContain("bgp_community.add((65535, 0));");
    expect(await runCli(["route-servers", "drain"], io)).not.toBe(0);
    expect(out.stderr).toContain("missing --name");
    const audit = await testDb().selectFrom("audit_events").select("action").where("subject_type", "=", "route_server").orderBy("id").execute();
    expect(audit.map((row) => row.action)).toEqual(["route_server.drained", "route_server.undrained"]);
  });
});

describe("editing a route server", () => {
  beforeEach(resetDatabase);
  afterAll(closeDb);

  it("changes how it is reached, keeps the host key pinned, answers bad fields in place, and redeploys", async () => {
    const lan = await createLanRow({ name: "main" });
    const server = await testDb()
      .insertInto("route_servers")
      .values({ lan_id: lan.id, name: "rs1", transport: "ssh", ssh_host: "rs1.example.net", host_key_fingerprint: `SHA256:${"A".repeat(43)}`, router_id: "192.0.2.1" })
      .returning("id")
      .executeTakeFirstOrThrow();
    const fields = { sshHost: "rs1-new.example.net", sshPort: "2222", sshUser: "bird", hostKey: `SHA256:${"B".repeat(43)}`, routerId: "192.0.2.9", configPath: "/etc/bird/bird.conf", controlSocket: "/run/bird/bird.ctl", deployOrder: "3" };
    await expect(updateRouteServer(testDb(), server.id, { ...fields, hostKey: undefined }, cliActor())).rejects.toMatchObject({ fieldErrors: { hostKey: ["an SSH route server needs its host key's fingerprint (pinned)"] } });
    await expect(updateRouteServer(testDb(), server.id, { ...fields, hostKey: "md5:xx" }, cliActor())).rejects.toMatchObject({ fieldErrors: { hostKey: [expect.stringContaining("SHA256")] } });
    await expect(updateRouteServer(testDb(), server.id, { ...fields, routerId: "2001:db8::1" }, cliActor())).rejects.toMatchObject({ fieldErrors: { routerId: [`"2001:db8::1" is not an IPv4 address (BIRD's router id)`] } });
    // Every problem at once, each beside its field, and one line naming them all in words.
    const all = await updateRouteServer(testDb(), server.id, { ...fields, sshPort: "99999", routerId: "abc", hostKey: undefined }, cliActor()).catch((error: unknown) => error);
    expect(all).toMatchObject({
      message: `SSH port: a port number from 1 to 65535; router id: "abc" is not an IPv4 address (BIRD's router id); host key fingerprint: an SSH route server needs its host key's fingerprint (pinned)`,
      fieldErrors: { sshPort: ["a port number from 1 to 65535"], routerId: [expect.any(String)], hostKey: [expect.any(String)] },
    });
    await updateRouteServer(testDb(), server.id, fields, cliActor());
    const row = await testDb().selectFrom("route_servers").select(["ssh_host", "ssh_port", "ssh_user", "host_key_fingerprint", "router_id", "deploy_order"]).where("id", "=", server.id).executeTakeFirstOrThrow();
    expect(row).toEqual({ ssh_host: "rs1-new.example.net", ssh_port: 2222, ssh_user: "bird", host_key_fingerprint: `SHA256:${"B".repeat(43)}`, router_id: "192.0.2.9", deploy_order: 3 });
    const jobs = await sql<{ task_identifier: string }>`select task_identifier from graphile_worker.jobs`.execute(testDb());
    expect(jobs.rows.map((job) => job.task_identifier)).toContain("deploy_route_servers");
  });
});

describe("adding a route server", () => {
  beforeEach(resetDatabase);
  afterAll(closeDb);

  it("answers every bad field at once, in words (no CLI flags), and adds nothing", async () => {
    const lan = await createLanRow({ name: "main" });
    const error = await addRouteServer(
      testDb(),
      { lan: String(lan.id), name: "rs1", sshHost: "rs1.example.net", ipv4: "10.0.0.300", ipv6: "not-an-ip", routerId: "abc", ztNodeId: "xyz" },
      cliActor(),
    ).catch((caught: unknown) => caught);
    expect(error).toMatchObject({
      fieldErrors: {
        hostKey: ["an SSH route server needs its host key's fingerprint (pinned)"],
        ipv4: ["10.0.0.300 is not an IPv4 address inside 192.0.2.0/24"],
        ipv6: ["not-an-ip is not an IPv6 address inside 2001:db8:ffff::/64"],
        routerId: [`"abc" is not an IPv4 address (BIRD's router id)`],
        ztNodeId: [expect.stringContaining("10 hexadecimal digits")],
      },
    });
    expect((error as Error).message).not.toContain("--");
    expect(await testDb().selectFrom("route_servers").select("id").execute()).toEqual([]);
  });
});

describe("the Requests page's context", () => {
  beforeEach(resetDatabase);
  afterAll(closeDb);

  it("gives the PeeringDB record, and warns of a network without an as-set, an unknown network and a full LAN", async () => {
    const full = await createLanRow({ name: "tiny", ipv4Prefix: "198.51.100.0/29", ipv6Prefix: "2001:db8:eeee::/64", reserved: 0 });
    for (let host = 1; host <= 6; host++) await testDb().insertInto("address_allocations").values({ lan_id: full.id, address: `198.51.100.${host}`, state: "reserved", note: "test" }).execute();
    await testDb().insertInto("networks").values([{ asn: 13335, name: "Example", irr_as_set: null, info_prefixes4: 10, info_prefixes6: 2, peeringdb_id: 77, known_to_peeringdb: true }]).execute();
    const contexts = await requestContexts(testDb(), [{ id: 1, asn: 13335, lanName: "tiny" }, { id: 2, asn: 3320, lanName: "tiny" }]);
    expect(contexts.get(1)!.network).toMatchObject({ name: "Example", prefixes4: 10, prefixes6: 2, peeringDbUrl: "https://www.peeringdb.com/net/77" });
    expect(contexts.get(1)!.warnings).toEqual([
      "The network has no as-set in PeeringDB: IRR filtering accepts only AS13335's own route objects, not its customers' (an operator can set an as-set on its network page).",
      "LAN tiny has no free IPv4 address left: approving fails until one is released or the prefix grows.",
    ]);
    expect(contexts.get(2)!.warnings[0]).toBe("AS3320 has no PeeringDB record.");
    await testDb().deleteFrom("address_allocations").where("address", "=", "198.51.100.6").execute();
    expect((await requestContexts(testDb(), [{ id: 1, asn: 13335, lanName: "tiny" }])).get(1)!.warnings).toHaveLength(1);
    // An as-set an operator set stands in for PeeringDB's: nothing left to warn of.
    await testDb().updateTable("networks").set({ irr_as_set_override: "AS-EXAMPLE" }).where("asn", "=", 13335).execute();
    const overridden = (await requestContexts(testDb(), [{ id: 1, asn: 13335, lanName: "tiny" }])).get(1)!;
    expect(overridden.warnings).toEqual([]);
    expect(overridden.network!.asSet).toEqual({ value: "AS-EXAMPLE", origin: "operator" });
  });
});

describe("request warnings", () => {
  it("names private, documentation and reserved ASNs, and nothing for a public one", () => {
    expect(specialAsn(64512)).toBe("private (RFC 6996)");
    expect(specialAsn(4200000001)).toBe("private (RFC 6996)");
    expect(specialAsn(64500)).toBe("documentation (RFC 5398)");
    expect(specialAsn(23456)).toBe("AS_TRANS (RFC 6793)");
    expect(specialAsn(13335)).toBeNull();
  });
});
