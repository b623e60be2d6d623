import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { execTethered } from "@/lib/routeserver/tether";

const dir = mkdtempSync(path.join(os.tmpdir(), "ztix-tether-"));
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe("tethered commands", () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("pass through output and exit status, and say when a program is missing", async () => {
    expect(await execTethered(["sh", "-c", "echo out; echo err >&2; exit 3"], { timeoutMs: 10_000 })).toEqual({ code: 3, stdout: "out\n", stderr: "err\n", timedOut: false });
    expect((await execTethered(["ztix-no-such-program"], { timeoutMs: 10_000 })).code).toBe(127);
  });

  it("are killed after their timeout", async () => {
    const result = await execTethered(["sleep", "30"], { timeoutMs: 300 });
    expect(result.code).toBe(137);
    expect(result.timedOut).toBe(true);
    expect(result.stderr).toContain("killed after 300 ms");
  });

  it("die with the process that started them, even on SIGKILL", async () => {
    const pidFile = path.join(dir, "child.pid");
    const script = path.join(dir, "parent.mts");
    writeFileSync(script, `import { execTethered } from ${JSON.stringify(path.resolve("lib/routeserver/tether.ts"))};\nawait execTethered(["sh", "-c", "echo $$ > ${pidFile}; exec sleep 60"], { timeoutMs: 120_000 });\n`);
    const parent = spawn(process.execPath, ["--conditions=react-server", "--import", "tsx", script], { stdio: "ignore" });
    let child = 0;
    for (let i = 0; i < 200 && !child; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      child = Number(readFileSafe(pidFile));
    }
    expect(child).toBeGreaterThan(1);
    expect(alive(child)).toBe(true);
    const exited = new Promise((resolve) => (parent.exitCode !== null ? resolve(null) : parent.once("exit", resolve)));
    parent.kill("SIGKILL");
    await exited;
    for (let i = 0; i < 50 && alive(child); i++) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(alive(child)).toBe(false);
  }, 60_000);
});

function readFileSafe(file: string) {
  try {
    return readFileSync(file, "utf8").trim();
  } catch {
    return "";
  }
}
