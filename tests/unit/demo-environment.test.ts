import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
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
});
