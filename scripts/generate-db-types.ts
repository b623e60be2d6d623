/**
 * `npm run db:types`: regenerates db/schema.generated.ts from a scratch database migrated to
 * the latest schema (on DATABASE_URL's server, else the embedded test cluster).
 */
import { spawnSync } from "node:child_process";
import { baseDatabase } from "../tests/support/base-database";
import { createTestDatabase, dropTestDatabase } from "../tests/support/database";

const base = await baseDatabase();
const scratch = await createTestDatabase(base.url, "ztix_types");
try {
  const result = spawnSync("node_modules/.bin/kysely-codegen", ["--url", scratch.url], { stdio: "inherit" });
  process.exitCode = result.status ?? 1;
} finally {
  await dropTestDatabase(base.url, scratch.name);
  await base.stop();
}
