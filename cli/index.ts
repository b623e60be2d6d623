import { closeDb } from "@/db";
import { loadEnvFiles } from "@/lib/load-env";
import { processIo, runCli } from "./main";

loadEnvFiles();
runCli(process.argv.slice(2), processIo)
  .finally(closeDb)
  .then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`ztix: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
