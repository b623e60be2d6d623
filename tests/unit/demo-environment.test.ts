import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { applyRunningDemo, demoEnvironmentPath, runningDemo } from "@/cli/demo-environment";

describe("the CLI during a demo", () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  const project = (state?: unknown) => {
    const dir = mkdtempSync(path.join(tmpdir(), "ztix-demo-env-"));
    dirs.push(dir);
    mkdirSync(path.join(dir, ".data"));
    if (state !== undefined) writeFileSync(demoEnvironmentPath(dir), JSON.stringify(state));
    return dir;
  };
  const demo = { pid: process.pid, env: { DATABASE_URL: "postgres://demo@127.0.0.1:5999/ztix", ZT_CONTROLLER_URL: "http://127.0.0.1:9393/controller" } };

  it("reaches the running demo's database and simulators when nothing else is configured", () => {
    const env: Record<string, string | undefined> = { ZT_CONTROLLER_URL: "http://mine:9993/controller" };
    expect(applyRunningDemo(env, project(demo))).toBe(true);
    // Variables already set win.
    expect(env).toEqual({ DATABASE_URL: "postgres://demo@127.0.0.1:5999/ztix", ZT_CONTROLLER_URL: "http://mine:9993/controller" });
  });

  it("leaves a configured database alone, and ignores a demo that has stopped or a broken file", () => {
    const withUrl: Record<string, string | undefined> = { DATABASE_URL: "postgres://prod/ztix" };
    expect(applyRunningDemo(withUrl, project(demo))).toBe(false);
    expect(withUrl).toEqual({ DATABASE_URL: "postgres://prod/ztix" });
    const stopped: Record<string, string | undefined> = {};
    expect(applyRunningDemo(stopped, project({ ...demo, pid: 2 ** 22 + 12345 }))).toBe(false);
    expect(stopped).toEqual({});
    expect(applyRunningDemo({}, project("not an object"))).toBe(false);
    expect(applyRunningDemo({}, project(null))).toBe(false);
    expect(applyRunningDemo({}, project())).toBe(false);
  });

  it("names the running demo, so a second demo leaves its file alone", () => {
    expect(runningDemo(project(demo))).toEqual(demo);
    expect(runningDemo(project({ ...demo, pid: 2 ** 22 + 12345 }))).toBeNull();
    expect(runningDemo(project())).toBeNull();
  });

  it("npm run cli takes the running demo's database over a .env one; a DATABASE_URL set in the shell still wins", () => {
    // The CLI in a scratch project: its .env names one database, the running demo (this test's
    // process) another; both on closed ports, so each attempt fails naming the one it tried.
    const dir = project({ pid: process.pid, env: { DATABASE_URL: "postgres://demo@127.0.0.1:1/demo" } });
    writeFileSync(path.join(dir, ".env"), "DATABASE_URL=postgres://mine@127.0.0.1:2/mine\n");
    const tsx = pathToFileURL(path.resolve("node_modules/tsx/dist/loader.mjs")).href;
    const cli = (extra: Record<string, string>) => {
      const env: Record<string, string | undefined> = { PATH: process.env.PATH, HOME: process.env.HOME, TSX_TSCONFIG_PATH: path.resolve("tsconfig.json"), ...extra };
      return spawnSync(process.execPath, ["--conditions=react-server", "--import", tsx, path.resolve("cli/index.ts"), "lans", "list"], { cwd: dir, env: env as NodeJS.ProcessEnv, encoding: "utf8", timeout: 60_000 });
    };
    const during = cli({});
    expect(during.status).not.toBe(0);
    expect(during.stderr).toContain("ztix: using the running demo's database and simulators");
    expect(during.stderr).toContain("127.0.0.1:1");
    expect(during.stderr).not.toContain("127.0.0.1:2");

    const shell = cli({ DATABASE_URL: "postgres://shell@127.0.0.1:3/shell" });
    expect(shell.status).not.toBe(0);
    expect(shell.stderr).not.toContain("running demo");
    expect(shell.stderr).toContain("127.0.0.1:3");
  });
});
