/**
 * `npm run worker`: the job runner alone, for scale-out (any number of these against one
 * PostgreSQL). `npm start` runs one of these beside the web server.
 */
import { ConfigError, getConfig } from "@/lib/config";
import { resolveDatabaseUrl } from "@/lib/database-url";
import { loadEnvFiles } from "@/lib/load-env";
import { startWorker } from "./runner";

async function main() {
  loadEnvFiles();
  const config = getConfig();
  const { url } = await resolveDatabaseUrl({ startEmbedded: false });
  const worker = await startWorker({ databaseUrl: url, concurrency: config.WORKER_CONCURRENCY });

  const shutdown = () => {
    void worker.stop().then(() => process.exit(0));
  };
  process.once("SIGINT", shutdown);
  process.once("SIGTERM", shutdown);
  await worker.done;
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : `worker: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
