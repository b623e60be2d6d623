import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
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

describe("npm start in a project with a .env file", () => {
  // Started in a scratch project whose .env names a (malformed, so nothing starts) DATABASE_URL;
  // ZT_PROVIDER is malformed too, so the start always stops at the configuration check. tsx and
  // the tsconfig are named by path: the scratch project has neither.
  const tsx = pathToFileURL(path.resolve("node_modules/tsx/dist/loader.mjs")).href;
  const start = (extra: Record<string, string>) => {
    const dir = mkdtempSync(path.join(tmpdir(), "ztix-start-env-"));
    try {
      writeFileSync(path.join(dir, ".env"), "DATABASE_URL=from-dot-env\n");
      const env: Record<string, string | undefined> = { PATH: process.env.PATH, HOME: process.env.HOME, ZT_PROVIDER: "foo", TSX_TSCONFIG_PATH: path.resolve("tsconfig.json"), ...extra };
      return spawnSync(process.execPath, ["--conditions=react-server", "--import", tsx, path.resolve("scripts/start.ts")], { cwd: dir, env: env as NodeJS.ProcessEnv, encoding: "utf8", timeout: 60_000 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };

  it("takes DATABASE_URL from .env for npm start, but not for the demo's portal", () => {
    const plain = start({});
    expect(plain.status).toBe(1);
    expect(plain.stderr).toContain("DATABASE_URL: must be a postgres:// or postgresql:// URL");

    const demo = start({ ZTIX_DEMO: "1" });
    expect(demo.status).toBe(1);
    expect(demo.stderr).toContain("ZT_PROVIDER: must be self_hosted_controller or central");
    expect(demo.stderr).not.toContain("DATABASE_URL");
  });
});
