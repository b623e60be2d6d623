import { sql } from "kysely";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { cliActor } from "@/lib/audit";
import { createSession, endAllSessions, sessionLimits, validateSession } from "@/lib/auth/sessions";
import { closeDb, resetDatabase, testDb } from "../support/db";
import { createStaffUser } from "../support/fixtures";

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

    expect(await validateSession(testDb(), idle, user.id)).toBe(false);
    expect(await validateSession(testDb(), old, user.id)).toBe(false);
    expect(await validateSession(testDb(), fresh, user.id)).toBe(true);
    // A session id is only good for the user it was made for.
    const other = await createStaffUser();
    expect(await validateSession(testDb(), fresh, other.id)).toBe(false);
    const left = await testDb().selectFrom("user_sessions").select("id").execute();
    expect(left.map((row) => row.id)).toEqual([fresh]);
  });

  it("sign out everywhere ends every session of that user only", async () => {
    const user = await createStaffUser();
    const other = await createStaffUser();
    const sessions = [await createSession(testDb(), user.id), await createSession(testDb(), user.id)];
    const kept = await createSession(testDb(), other.id);
    expect(await endAllSessions(testDb(), user.id, cliActor())).toBe(2);
    for (const id of sessions) expect(await validateSession(testDb(), id, user.id)).toBe(false);
    expect(await validateSession(testDb(), kept, other.id)).toBe(true);
  });
});
