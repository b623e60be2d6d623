import path from "node:path";
import { startEmbeddedPostgres } from "@/db/embedded";

/**
 * The PostgreSQL server tests create their databases on: DATABASE_URL when set, else an
 * embedded cluster under .data/test (run in a child process, never imported here).
 */
export async function baseDatabase(): Promise<{ url: string; stop: () => Promise<void> }> {
  if (process.env.DATABASE_URL) return { url: process.env.DATABASE_URL, stop: async () => undefined };
  const embedded = await startEmbeddedPostgres({ dataDir: path.resolve(".data", "test") });
  return { url: embedded.url, stop: embedded.stop };
}
