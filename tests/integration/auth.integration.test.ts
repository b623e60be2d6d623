import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { cliActor } from "@/lib/audit";
import { authenticateLocal, LOGIN_FAILED_MESSAGE } from "@/lib/auth/local-login";
import { THROTTLE_POLICY } from "@/lib/auth/throttle";
import { addManualAffiliation, createLocalUser, loadSessionUser, setDisabled, setPassword, syncPeeringDbUser } from "@/lib/auth/users";
import { closeDb, resetDatabase, testDb } from "../support/db";

const PASSWORD = "correct horse battery staple";

async function login(username: string, password: string, clientIp: string | null = "192.0.2.10") {
  return authenticateLocal(testDb(), { username, password, clientIp });
}

describe("local accounts", () => {
  beforeEach(resetDatabase);
  afterAll(closeDb);

  it("treats ' Alice ', 'alice' and 'ALICE' as one account", async () => {
    await createLocalUser(testDb(), { username: " Alice ", role: "member", password: PASSWORD }, cliActor());
    await expect(createLocalUser(testDb(), { username: "ALICE", role: "member", password: PASSWORD }, cliActor())).rejects.toThrow(
      "a user named alice already exists",
    );
    for (const spelling of ["alice", "ALICE", " Alice ", "ＡＬＩＣＥ"]) {
      const result = await login(spelling, PASSWORD);
      expect(result).toMatchObject({ ok: true, username: "alice" });
    }
    const users = await testDb().selectFrom("users").select("username").execute();
    expect(users).toEqual([{ username: "alice" }]);
  });

  it("stores only a salted scrypt hash that carries its parameters", async () => {
    await createLocalUser(testDb(), { username: "bob", role: "operator", password: PASSWORD }, cliActor());
    await createLocalUser(testDb(), { username: "carol", role: "operator", password: PASSWORD }, cliActor());
    const rows = await testDb().selectFrom("users").select(["username", "password_hash"]).orderBy("username").execute();
    for (const row of rows) {
      expect(row.password_hash).not.toContain(PASSWORD);
      expect(row.password_hash).toMatch(/^scrypt\$32768\$8\$1\$[\w-]{22}\$[\w-]{86}$/);
    }
    expect(rows[0]!.password_hash).not.toBe(rows[1]!.password_hash);
    const audit = await testDb().selectFrom("audit_events").select(["after"]).execute();
    expect(JSON.stringify(audit)).not.toContain(PASSWORD);
  });

  it("refuses weak, empty and username-containing passwords with a clear message", async () => {
    await expect(createLocalUser(testDb(), { username: "dave", role: "member", password: "" }, cliActor())).rejects.toThrow("password is empty");
    await expect(createLocalUser(testDb(), { username: "dave", role: "member", password: "short" }, cliActor())).rejects.toThrow("at least 12 characters");
    await expect(createLocalUser(testDb(), { username: "dave", role: "member", password: "aaaaaaaaaaaaaaaa" }, cliActor())).rejects.toThrow("too few different characters");
    await expect(createLocalUser(testDb(), { username: "dave", role: "member", password: "dave-is-the-best-1" }, cliActor())).rejects.toThrow("must not contain the username");
    expect(await testDb().selectFrom("users").select("id").execute()).toEqual([]);
  });

  it("answers unknown user, wrong password and disabled account with the same message", async () => {
    await createLocalUser(testDb(), { username: "erin", role: "member", password: PASSWORD }, cliActor());
    await createLocalUser(testDb(), { username: "frank", role: "member", password: PASSWORD }, cliActor());
    await setDisabled(testDb(), "frank", true, cliActor());
    const unknown = await login("nobody", PASSWORD, "192.0.2.11");
    const wrong = await login("erin", "not the password at all", "192.0.2.12");
    const disabled = await login("frank", PASSWORD, "192.0.2.13");
    for (const result of [unknown, wrong, disabled]) expect(result).toEqual({ ok: false, reason: "invalid", message: LOGIN_FAILED_MESSAGE });
    const reasons = await testDb().selectFrom("audit_events").select("details").where("action", "=", "auth.login_failed").execute();
    expect(reasons.map((row) => (row.details as { reason: string }).reason).sort()).toEqual(["disabled", "unknown_user", "wrong_password"]);
  });

  it("throttles an account after repeated wrong passwords, refusing even the right one until the stated time", async () => {
    await createLocalUser(testDb(), { username: "grace", role: "member", password: PASSWORD }, cliActor());
    const results = [];
    for (let i = 0; i < THROTTLE_POLICY.username.maxFailures; i++) {
      // From different addresses: the per-account limit holds on its own.
      results.push(await login("grace", `wrong password ${i}!`, `198.51.100.${i + 1}`));
    }
    expect(results.slice(0, -1).every((result) => !result.ok && result.reason === "invalid")).toBe(true);
    const last = results.at(-1)!;
    expect(last).toMatchObject({ ok: false, reason: "throttled" });

    const right = await login("GRACE", PASSWORD, "203.0.113.9");
    expect(right.ok).toBe(false);
    if (right.ok) return;
    expect(right.reason).toBe("throttled");
    expect(right.message).toMatch(/^Too many failed sign-ins\. Try again after \d\d:\d\d UTC\.$/);
    expect(right.retryAt!.getTime()).toBeGreaterThan(Date.now());

    // The lock lifts at the stated time (simulated by moving the lock into the past).
    await testDb().updateTable("login_throttle").set({ locked_until: new Date(Date.now() - 1000), window_started_at: new Date(Date.now() - 3600_000) }).execute();
    expect(await login("grace", PASSWORD, "203.0.113.9")).toMatchObject({ ok: true });
  });

  it("throttles a client address that tries many accounts", async () => {
    for (let i = 0; i < THROTTLE_POLICY.address.maxFailures; i++) await login(`user${i}`, "wrong password!!", "192.0.2.99");
    await createLocalUser(testDb(), { username: "heidi", role: "member", password: PASSWORD }, cliActor());
    expect(await login("heidi", PASSWORD, "192.0.2.99")).toMatchObject({ ok: false, reason: "throttled" });
    expect(await login("heidi", PASSWORD, "192.0.2.100")).toMatchObject({ ok: true });
  });

  it("a new password works and the old one stops working", async () => {
    await createLocalUser(testDb(), { username: "ivan", role: "member", password: PASSWORD }, cliActor());
    await setPassword(testDb(), "ivan", "an entirely new passphrase", cliActor());
    expect(await login("ivan", PASSWORD)).toMatchObject({ ok: false });
    expect(await login("ivan", "an entirely new passphrase")).toMatchObject({ ok: true });
  });
});

describe("sessions are re-checked against the database", () => {
  beforeEach(resetDatabase);

  it("drops a disabled user at once", async () => {
    const { id } = await createLocalUser(testDb(), { username: "judy", role: "operator", password: PASSWORD }, cliActor());
    expect(await loadSessionUser(testDb(), id)).toMatchObject({ username: "judy", role: "operator" });
    await setDisabled(testDb(), "judy", true, cliActor());
    expect(await loadSessionUser(testDb(), id)).toBeNull();
  });

  it("replaces PeeringDB affiliations on every login, keyed on ASN, keeping manual ones", async () => {
    const identity = {
      peeringDbId: 4242,
      name: "Mallory Example",
      email: "mallory@example.net",
      networks: [
        { asn: 64500, name: "Example One", perms: 15 },
        { asn: 64501, name: "Example Two", perms: 1 },
      ],
    };
    const userId = (await syncPeeringDbUser(testDb(), identity, null))!;
    await addManualAffiliation(testDb(), "pdb-4242", 64999, cliActor());
    expect((await loadSessionUser(testDb(), userId))!.networks.map((network) => network.asn)).toEqual([64500, 64501, 64999]);

    // Same name, different ASN: names never identify a network.
    await syncPeeringDbUser(testDb(), { ...identity, networks: [{ asn: 64502, name: "Example One", perms: 3 }] }, null);
    const user = (await loadSessionUser(testDb(), userId))!;
    expect(user.networks.map((network) => [network.asn, network.perms, network.source])).toEqual([
      [64502, 3, "peeringdb"],
      [64999, 3, "manual"],
    ]);
    const synced = await testDb().selectFrom("audit_events").select(["before", "after"]).where("action", "=", "user.affiliations_synced").orderBy("id").execute();
    expect(synced.at(-1)).toEqual({ before: [{ asn: 64500, perms: 15 }, { asn: 64501, perms: 1 }], after: [{ asn: 64502, perms: 3 }] });
  });

  it("refuses the PeeringDB login of a disabled account", async () => {
    const identity = { peeringDbId: 77, name: "N", email: null, networks: [] };
    await syncPeeringDbUser(testDb(), identity, null);
    await setDisabled(testDb(), "pdb-77", true, cliActor());
    expect(await syncPeeringDbUser(testDb(), identity, null)).toBeNull();
  });
});
