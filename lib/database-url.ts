import "server-only";
import path from "node:path";
import { findRunningEmbeddedPostgres, startEmbeddedPostgres } from "@/db/embedded";

export function dataDir() {
  return path.resolve(process.env.ZTIX_DATA_DIR ?? ".data");
}

/**
 * The database a CLI or a lone worker should use: DATABASE_URL, else the embedded cluster a
 * running `npm start` owns, else (CLI only) an embedded cluster started for this command.
 */
export async function resolveDatabaseUrl(options: { startEmbedded: boolean }): Promise<{
  url: string;
  release: () => Promise<void>;
}> {
  if (process.env.DATABASE_URL) return { url: process.env.DATABASE_URL, release: async () => undefined };
  const running = findRunningEmbeddedPostgres(dataDir());
  if (running) return { url: running, release: async () => undefined };
  if (!options.startEmbedded) {
    throw new Error("DATABASE_URL is not set and no embedded PostgreSQL is running (start the portal with npm start)");
  }
  const embedded = await startEmbeddedPostgres({ dataDir: dataDir() });
  return { url: embedded.url, release: embedded.stop };
}
