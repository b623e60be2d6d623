import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";

// What a timed-out deployment test used to leave behind: a session holding a LAN's advisory lock.
const lockKey = [424242, 1];
let leaked: pg.Client | undefined;

describe("a test cannot fail the next one through what it left holding", () => {
  afterAll(async () => {
    await leaked?.end().catch(() => undefined);
  });

  it("leaves an advisory lock held on its own connection (as a test cut short by its timeout does)", async () => {
    leaked = new pg.Client({ connectionString: process.env.DATABASE_URL });
    leaked.on("error", () => undefined); // it is about to be ended from outside
    await leaked.connect();
    const { rows } = await leaked.query<{ locked: boolean }>("select pg_try_advisory_lock($1, $2) as locked", lockKey);
    expect(rows[0]!.locked).toBe(true);
  });

  it("finds the lock free in the next test", async () => {
    const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await client.connect();
    try {
      const { rows } = await client.query<{ locked: boolean }>("select pg_try_advisory_lock($1, $2) as locked", lockKey);
      expect(rows[0]!.locked).toBe(true);
      await client.query("select pg_advisory_unlock($1, $2)", lockKey);
    } finally {
      await client.end();
    }
  });
});
