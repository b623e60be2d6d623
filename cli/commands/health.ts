import pg from "pg";
import { checkHealth } from "@/lib/health";
import { resolveDatabaseUrl } from "@/lib/database-url";
import { CliError, type CliCommand } from "../io";
import { parseOptions } from "../options";

export const health: CliCommand = {
  name: "health",
  usage: "health [--json]",
  summary: "check the database and the worker heartbeat (exit 1 when down)",
  async run(args, io) {
    const options = parseOptions(args, { json: { type: "boolean" } });
    const database = await resolveDatabaseUrl({ startEmbedded: false });
    const pool = new pg.Pool({ connectionString: database.url, max: 1, connectionTimeoutMillis: 2_000 });
    pool.on("error", () => undefined);
    try {
      const report = await checkHealth(pool);
      if (options.json) {
        io.stdout(`${JSON.stringify(report, null, 2)}\n`);
      } else {
        io.stdout(
          [
            `status:   ${report.status}`,
            `database: ${report.database.status}${report.database.error ? ` (${report.database.error})` : ""}`,
            `worker:   ${report.worker.status}${report.worker.lastSeenAt ? ` (last seen ${report.worker.lastSeenAt}, ${report.worker.running} running)` : ""}`,
            `version:  ${report.version}`,
          ].join("\n") + "\n",
        );
      }
      if (report.status === "down") throw new CliError(`ztix is down: ${report.database.status === "down" ? `database ${report.database.error}` : `worker ${report.worker.status}`}`);
    } finally {
      await pool.end();
      await database.release();
    }
  },
};
