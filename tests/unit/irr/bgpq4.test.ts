import { spawn, spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { entryText, parseIrrObjects, runBgpq4 } from "@/lib/irr/bgpq4";
import { startIrrSimulator } from "@/simulators/irr/server";

const dir = mkdtempSync(path.join(os.tmpdir(), "ztix-bgpq4-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("as-sets before they reach bgpq4", () => {
  it("accepts as-sets, hierarchical and sourced ones, and ASNs, upper-cased and deduplicated", () => {
    expect(parseIrrObjects("ripe::as-example, AS64500:AS-CUSTOMERS AS64500 as-example")).toEqual({ objects: ["RIPE::AS-EXAMPLE", "AS64500:AS-CUSTOMERS", "AS64500", "AS-EXAMPLE"] });
  });

  it.each(["-h evil.example", "AS-FOO;rm", "AS-FOO EXCEPT AS-BAR", "$(reboot)", "AS-", "ASFOO", ""])("refuses %j", (value) => {
    expect(parseIrrObjects(value)).toHaveProperty("error");
  });

  it("turns bgpq4's JSON entries into the renderer's notation", () => {
    expect(entryText({ prefix: "192.0.2.0/24", exact: true })).toBe("192.0.2.0/24");
    expect(entryText({ prefix: "11.1.0.0/23", exact: false, "greater-equal": 24, "less-equal": 24 })).toBe("11.1.0.0/23{24,24}");
    expect(entryText({ prefix: "11.0.0.0/16", exact: false, "less-equal": 24 })).toBe("11.0.0.0/16{16,24}");
  });
});

describe("running bgpq4", () => {
  const options = { bgpq4Path: "/usr/bin/bgpq4", server: "127.0.0.1:1", sources: "", timeoutMs: 20_000, maxEntries: 1000 };

  it("builds an aggregated list against the IRR simulator", async () => {
    const irr = await startIrrSimulator({ data: { sources: ["RIPE"], asSets: { "AS-ONE": ["AS1000"] }, routes: ["11.1.0.0/24", "11.1.1.0/24", "11.1.2.0/24"].map((prefix) => ({ prefix, origin: 1000 })) } });
    try {
      expect(await runBgpq4(["AS-ONE"], 4, { ...options, server: `127.0.0.1:${irr.port}` })).toEqual(["11.1.0.0/23{24,24}", "11.1.2.0/24"]);
      expect(await runBgpq4(["AS-ONE"], 6, { ...options, server: `127.0.0.1:${irr.port}` })).toEqual([]);
    } finally {
      await irr.close();
    }
  });

  it("reports an unreachable IRR server as a failure", async () => {
    await expect(runBgpq4(["AS-ONE"], 4, options)).rejects.toThrow(/bgpq4 failed/);
  });

  it("kills bgpq4 and everything it started when it takes too long", async () => {
    const marker = `${300 + (process.pid % 1000)}.${Date.now() % 100000}`;
    const fake = path.join(dir, "slow-bgpq4");
    writeFileSync(fake, `#!/bin/sh\nsleep ${marker} &\nwait\n`);
    chmodSync(fake, 0o755);
    await expect(runBgpq4(["AS-ONE"], 4, { ...options, bgpq4Path: fake, timeoutMs: 1000 })).rejects.toThrow(/timed out after 1 s/);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(spawnSync("pgrep", ["-f", `sleep ${marker}`]).status).toBe(1);
  });

  it("leaves no bgpq4 behind when the worker running it is killed with SIGKILL", async () => {
    const marker = `${400 + (process.pid % 1000)}.${Date.now() % 100000}`;
    const fake = path.join(dir, "hanging-bgpq4");
    writeFileSync(fake, `#!/bin/sh\nexec sleep ${marker}\n`);
    chmodSync(fake, 0o755);
    const script = path.join(dir, "worker.ts");
    writeFileSync(script, `import { runBgpq4 } from ${JSON.stringify(path.resolve("lib/irr/bgpq4.ts"))};\nvoid runBgpq4(["AS-ONE"], 4, { bgpq4Path: ${JSON.stringify(fake)}, server: "127.0.0.1:1", sources: "", timeoutMs: 600000, maxEntries: 10 });\n`);
    const worker = spawn(process.execPath, ["--conditions=react-server", "--import", "tsx", script], { stdio: "ignore" });
    try {
      for (let i = 0; i < 100 && spawnSync("pgrep", ["-f", `sleep ${marker}`]).status !== 0; i++) await new Promise((resolve) => setTimeout(resolve, 100));
      expect(spawnSync("pgrep", ["-f", `sleep ${marker}`]).status).toBe(0);
      worker.kill("SIGKILL");
      for (let i = 0; i < 50 && spawnSync("pgrep", ["-f", `sleep ${marker}`]).status === 0; i++) await new Promise((resolve) => setTimeout(resolve, 100));
      expect(spawnSync("pgrep", ["-f", `sleep ${marker}`]).status).toBe(1);
    } finally {
      worker.kill("SIGKILL");
    }
  }, 30_000);

  it("says so when bgpq4 is missing", async () => {
    await expect(runBgpq4(["AS-ONE"], 4, { ...options, bgpq4Path: path.join(dir, "no-bgpq4") })).rejects.toThrow(/bgpq4 not found at .*no-bgpq4.*BGPQ4_PATH/);
  });

  it("refuses an object that is not an as-set even when called directly", async () => {
    await expect(runBgpq4(["-h"], 4, options)).rejects.toThrow(/invalid as-set/);
  });
});
