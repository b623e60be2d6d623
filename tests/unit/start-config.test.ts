import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";

describe("npm start with a malformed environment", () => {
  it("prints one message naming every bad variable and exits non-zero, before starting anything", () => {
    const env: Record<string, string | undefined> = { PATH: process.env.PATH, HOME: process.env.HOME, DATABASE_URL: "not-a-url", ZT_PROVIDER: "foo" };
    const result = spawnSync(process.execPath, ["--conditions=react-server", "--import", "tsx", "scripts/start.ts"], {
      env: env as NodeJS.ProcessEnv,
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^Invalid configuration:\n/);
    expect(result.stderr).toContain("DATABASE_URL: must be a postgres:// or postgresql:// URL");
    expect(result.stderr).toContain("ZT_PROVIDER: must be self_hosted_controller or central");
    expect(result.stderr).not.toContain("embedded PostgreSQL");
    expect(result.stdout).toBe("");
  });
});
