/**
 * `npm run worker`: the job runner alone, for scale-out (any number of these against one
 * PostgreSQL). `npm start` runs one of these beside the web server.
 *
 * SIGINT, SIGTERM or SIGHUP (not under nohup): no new jobs; running ones get ZTIX_STOP_GRACE_SECONDS to finish,
 * then they are released (unlocked, due at once) for the next worker; exit status 0.
 */
import { ConfigError, getConfig } from "@/lib/config";
import { resolveDatabaseUrl } from "@/lib/database-url";
import { loadEnvFiles } from "@/lib/load-env";
import { onStopSignal } from "@/lib/stop-signals";
import { startWorker } from "./runner";

async function main() {
  loadEnvFiles();
  const config = getConfig();
  const { url } = await resolveDatabaseUrl({ startEmbedded: false });
  const worker = await startWorker({ databaseUrl: url, concurrency: config.WORKER_CONCURRENCY });

  let stopping = false;
  const shutdown = () => {
    if (stopping) return;
    stopping = true;
    void worker.stop({ graceMs: config.ZTIX_STOP_GRACE_SECONDS * 1000 }).then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  onStopSignal(shutdown);
  await worker.done;
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : `worker: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
