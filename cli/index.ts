import { closeDb } from "@/db";
import { loadCliEnvironment } from "./demo-environment";
import { processIo, runCli } from "./main";

if (loadCliEnvironment()) process.stderr.write("ztix: using the running demo's database and simulators (.data/demo-environment.json)\n");
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
