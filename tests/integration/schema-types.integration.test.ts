import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);

describe("db/schema.generated.ts", () => {
  it("matches the migrated schema (kysely-codegen --verify)", async () => {
    // Regenerate with: DATABASE_URL=... npx kysely-codegen  (settings in .kysely-codegenrc.json)
    const result = await run("node_modules/.bin/kysely-codegen", ["--verify", "--url", process.env.DATABASE_URL!], {
      env: { ...process.env, NO_COLOR: "1" },
    }).catch((error: { stdout?: string; stderr?: string; code?: number }) => error);
    const output = `${result.stdout ?? ""}${result.stderr ?? ""}`;
    expect(output).toContain("up-to-date");
    expect("code" in result ? result.code : 0).toBeFalsy();
  });
});
