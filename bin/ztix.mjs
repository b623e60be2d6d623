#!/usr/bin/env node
// `npx ztix <command>`: runs the TypeScript CLI with the same loader and conditions as npm run cli.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const cli = fileURLToPath(new URL("../cli/index.ts", import.meta.url));
const result = spawnSync(process.execPath, ["--conditions=react-server", "--import", "tsx", cli, ...process.argv.slice(2)], {
  stdio: "inherit",
});
process.exit(result.status ?? 1);
