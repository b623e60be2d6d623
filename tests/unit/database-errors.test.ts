import pg from "pg";
import { describe, expect, it } from "vitest";
import { isDatabaseUnavailable, isTransientConflict, retryOnConflict } from "@/lib/database-errors";

const pgError = (code: string, message = "error") => Object.assign(new Error(message), { code });

describe("what a database error means for the caller", () => {
  it("recognises a PostgreSQL that refuses connections (a real refused connect)", async () => {
    const client = new pg.Client({ host: "127.0.0.1", port: 9, connectionTimeoutMillis: 2_000 });
    const error = await client.connect().then(
      () => null,
      (failure: unknown) => failure,
    );
    expect(error).not.toBeNull();
    expect(isDatabaseUnavailable(error)).toBe(true);
    expect(isTransientConflict(error)).toBe(false);
  });

  it("recognises shutdowns, lost connections and pool timeouts as unavailability, not bugs", () => {
    expect(isDatabaseUnavailable(pgError("57P01", "terminating connection due to administrator command"))).toBe(true);
    expect(isDatabaseUnavailable(pgError("57P03", "the database system is starting up"))).toBe(true);
    expect(isDatabaseUnavailable(pgError("08006"))).toBe(true);
    expect(isDatabaseUnavailable(new Error("Connection terminated unexpectedly"))).toBe(true);
    expect(isDatabaseUnavailable(new Error("timeout exceeded when trying to connect"))).toBe(true);
    expect(isDatabaseUnavailable(new Error("wrapped", { cause: pgError("ECONNREFUSED") }))).toBe(true);
    expect(isDatabaseUnavailable(pgError("23505", "duplicate key value violates unique constraint"))).toBe(false);
    expect(isDatabaseUnavailable(new TypeError("Cannot read properties of undefined"))).toBe(false);
  });

  it("recognises collisions between transactions", () => {
    expect(isTransientConflict(pgError("40P01", "deadlock detected"))).toBe(true);
    expect(isTransientConflict(pgError("40001", "could not serialize access"))).toBe(true);
    expect(isTransientConflict(pgError("23505"))).toBe(false);
  });

  it("runs work again after a collision, and only then", async () => {
    let runs = 0;
    await expect(
      retryOnConflict(async () => {
        runs++;
        if (runs < 3) throw pgError("40P01", "deadlock detected");
        return "done";
      }),
    ).resolves.toBe("done");
    expect(runs).toBe(3);

    runs = 0;
    await expect(
      retryOnConflict(async () => {
        runs++;
        throw pgError("23505", "duplicate");
      }),
    ).rejects.toThrow("duplicate");
    expect(runs).toBe(1);

    runs = 0;
    await expect(
      retryOnConflict(async () => {
        runs++;
        throw pgError("40001", "could not serialize access");
      }),
    ).rejects.toThrow("could not serialize");
    expect(runs).toBe(3);
  });
});
