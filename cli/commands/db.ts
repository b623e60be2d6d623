import { migrateToLatest } from "@/db/migrate";
import { resolveDatabaseUrl } from "@/lib/database-url";
import type { CliCommand } from "../io";
import { parseOptions } from "../options";

export const dbMigrate: CliCommand = {
  name: "db migrate",
  usage: "db migrate",
  summary: "apply pending database migrations (ztix and graphile-worker)",
  async run(args, io) {
    parseOptions(args, {});
    const database = await resolveDatabaseUrl({ startEmbedded: true });
    try {
      const summary = await migrateToLatest(database.url);
      io.stdout(
        summary.applied.length === 0
          ? "database schema is up to date\n"
          : `applied ${summary.applied.length} migration(s):\n${summary.applied.map((name) => `  ${name}\n`).join("")}`,
      );
    } finally {
      await database.release();
    }
  },
};
