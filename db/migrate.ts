import { Kysely, Migrator, PostgresDialect, type MigrationResult } from "kysely";
import { Logger, runMigrations } from "graphile-worker";
import pg from "pg";
import { migrations } from "./migrations";

const silentLogger = new Logger(() => () => undefined);

export type MigrationSummary = { applied: string[]; graphileWorker: "ok" };

/**
 * Brings a database to the latest schema: ours (Kysely Migrator) and graphile-worker's.
 * Safe to run from several processes at once: Kysely takes a lock, graphile-worker too.
 */
export async function migrateToLatest(connectionString: string): Promise<MigrationSummary> {
  const pool = new pg.Pool({ connectionString, max: 2 });
  pool.on("error", () => undefined);
  pool.on("connect", (client) => client.on("error", () => undefined));
  const db = new Kysely<unknown>({ dialect: new PostgresDialect({ pool }) });
  try {
    const migrator = new Migrator({
      db,
      provider: { getMigrations: async () => migrations },
    });
    // migrateToLatest returns its error instead of throwing.
    const { error, results } = await migrator.migrateToLatest();
    const failed = results?.find((result: MigrationResult) => result.status === "Error");
    if (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new Error(`migration ${failed?.migrationName ?? "(setup)"} failed: ${reason}`);
    }
    await runMigrations({ pgPool: pool, logger: silentLogger });
    return {
      applied: (results ?? []).filter((r) => r.status === "Success").map((r) => r.migrationName),
      graphileWorker: "ok",
    };
  } finally {
    await db.destroy();
  }
}
