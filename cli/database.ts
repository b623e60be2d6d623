import { closeDb } from "@/db";
import { resolveDatabaseUrl } from "@/lib/database-url";

/**
 * Runs `body` with DATABASE_URL pointing at the database: the configured one, the embedded
 * cluster of a running portal, or one started for this command.
 */
export async function withDatabase<T>(body: () => Promise<T>): Promise<T> {
  if (process.env.DATABASE_URL) return body();
  const database = await resolveDatabaseUrl({ startEmbedded: true });
  process.env.DATABASE_URL = database.url;
  try {
    return await body();
  } finally {
    await closeDb();
    delete process.env.DATABASE_URL;
    await database.release();
  }
}
