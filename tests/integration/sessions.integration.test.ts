import { sql } from "kysely";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { cliActor } from "@/lib/audit";
import { createSession, endAllSessions, resumeSession, sessionLimits } from "@/lib/auth/sessions";
import { verifyPassword } from "@/lib/auth/password";
import { addManualAffiliation, changeOwnPassword, createLocalUser, loadSessionUser, syncPeeringDbUser } from "@/lib/auth/users";
import { closeDb, resetDatabase, testDb } from "../support/db";
import { createStaffUser } from "../support/fixtures";

const isValid = async (sessionId: string, userId: number) => (await resumeSession(testDb(), sessionId, userId)) !== null;

describe("server-side sessions", () => {
  beforeEach(resetDatabase);
  afterAll(closeDb);

  it("end after the idle timeout and after the absolute lifetime, however active", async () => {
    const user = await createStaffUser();
    const { maxAgeSeconds, idleSeconds } = sessionLimits();
    const idle = await createSession(testDb(), user.id);
    const old = await createSession(testDb(), user.id);
    const fresh = await createSession(testDb(), user.id);
    await testDb().updateTable("user_sessions").set({ last_seen_at: sql<Date>`now() - make_interval(secs => ${idleSeconds + 5})` }).where("id", "=", idle).execute();
    // Active a moment ago, but signed in longer ago than the lifetime allows.
    await testDb().updateTable("user_sessions").set({ created_at: sql<Date>`now() - make_interval(secs => ${maxAgeSeconds + 5})` }).where("id", "=", old).execute();

    expect(await isValid(idle, user.id)).toBe(false);
    expect(await isValid(old, user.id)).toBe(false);
    expect(await isValid(fresh, user.id)).toBe(true);
    // A session id is only good for the user it was made for.
    const other = await createStaffUser();
    expect(await isValid(fresh, other.id)).toBe(false);
    // A disabled user's session no longer counts either.
    await testDb().updateTable("users").set({ disabled_at: sql<Date>`now()` }).where("id", "=", user.id).execute();
    expect(await isValid(fresh, user.id)).toBe(false);
    const left = await testDb().selectFrom("user_sessions").select("id").execute();
    expect(left.map((row) => row.id)).toEqual([fresh]);
  });

  it("give the signed-in user with every affiliation, a manual and a PeeringDB one on the same ASN merged", async () => {
    const identity = { peeringDbId: 4343, name: "Peggy Example", email: null, networks: [{ asn: 64500, name: "Example One", perms: 1 }, { asn: 64501, name: "Example Two", perms: 15 }] };
    const userId = (await syncPeeringDbUser(testDb(), identity, null))!;
    await addManualAffiliation(testDb(), "pdb-4343", 64500, cliActor());
    const session = await createSession(testDb(), userId);
    const user = await resumeSession(testDb(), session, userId);
    expect(user).toEqual(await loadSessionUser(testDb(), userId));
    expect(user!.networks.map((network) => [network.asn, network.perms, network.source])).toEqual([
      [64500, 3, "peeringdb"],
      [64501, 15, "peeringdb"],
    ]);
    expect(user).toMatchObject({ role: "member", localAccount: false, twoFactorEnabled: false });
  });

  it("name a network affiliated by hand by the exchange's record of it (the member's home page showed a dash)", async () => {
    await testDb().insertInto("networks").values({ asn: 64510, name: "Example Transit" }).execute();
    const created = await createLocalUser(testDb(), { username: "transit-noc", role: "member", password: "a long member passphrase" }, cliActor());
    await addManualAffiliation(testDb(), "transit-noc", 64510, cliActor());
    await addManualAffiliation(testDb(), "transit-noc", 64511, cliActor());
    const session = await createSession(testDb(), created.id);
    const user = await resumeSession(testDb(), session, created.id);
    expect(user!.networks.map((network) => [network.asn, network.networkName])).toEqual([
      [64510, "Example Transit"],
      [64511, null],
    ]);
    expect(await loadSessionUser(testDb(), created.id)).toEqual(user);
  });

  it("a password change keeps the session it came from, ends the others, and counts wrong current passwords with the sign-in failures", async () => {
    const created = await createLocalUser(testDb(), { username: "changer", role: "member", password: "the first passphrase" }, cliActor());
    const kept = await createSession(testDb(), created.id);
    const other = await createSession(testDb(), created.id);
    const user = { id: created.id, username: "changer" };
    await expect(changeOwnPassword(testDb(), user, { current: "the first passphrase", next: "changer-2026-passphrase" }, kept, cliActor())).rejects.toMatchObject({ fieldErrors: { newPassword: ["password must not contain the username"] } });
    for (let attempt = 1; attempt <= 5; attempt++) {
      await expect(changeOwnPassword(testDb(), user, { current: "a wrong guess", next: "a second passphrase" }, kept, cliActor())).rejects.toMatchObject({ fieldErrors: { currentPassword: ["not your current password"] } });
    }
    // Five wrong guesses lock the account's password checks, here as at the login form.
    await expect(changeOwnPassword(testDb(), user, { current: "the first passphrase", next: "a second passphrase" }, kept, cliActor())).rejects.toThrow(/Too many wrong passwords for this account: try again after/);
    await testDb().deleteFrom("login_throttle").execute();

    expect(await changeOwnPassword(testDb(), user, { current: "the first passphrase", next: "a second passphrase" }, kept, cliActor())).toEqual({ otherSessionsEnded: 1 });
    expect(await isValid(kept, created.id)).toBe(true);
    expect(await isValid(other, created.id)).toBe(false);
    const row = await testDb().selectFrom("users").select("password_hash").where("id", "=", created.id).executeTakeFirstOrThrow();
    expect(await verifyPassword("a second passphrase", row.password_hash!)).toBe(true);
    expect(await verifyPassword("the first passphrase", row.password_hash!)).toBe(false);
  });

  it("sign out everywhere ends every session of that user only", async () => {
    const user = await createStaffUser();
    const other = await createStaffUser();
    const sessions = [await createSession(testDb(), user.id), await createSession(testDb(), user.id)];
    const kept = await createSession(testDb(), other.id);
    expect(await endAllSessions(testDb(), user.id, cliActor())).toBe(2);
    for (const id of sessions) expect(await isValid(id, user.id)).toBe(false);
    expect(await isValid(kept, other.id)).toBe(true);
  });
});
