import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { runCli } from "@/cli/main";
import { getPool } from "@/db";
import { recordHeartbeat } from "@/lib/worker-heartbeat";
import { closeDb, resetDatabase, testDb } from "../support/db";
import { createLanRow } from "../support/fixtures";

function capture() {
  const out = { stdout: "", stderr: "" };
  return {
    out,
    io: {
      stdout: (text: string) => void (out.stdout += text),
      stderr: (text: string) => void (out.stderr += text),
      stdin: async () => "",
    },
  };
}

describe("cli", () => {
  beforeEach(resetDatabase);
  afterAll(closeDb);

  it("prints help listing its commands", async () => {
    const { out, io } = capture();
    expect(await runCli(["--help"], io)).toBe(0);
    expect(out.stdout).toContain("db migrate");
    expect(out.stdout).toContain("health");
  });

  it("says in one line when a command is unknown, and exits non-zero", async () => {
    const { out, io } = capture();
    expect(await runCli(["frobnicate"], io)).not.toBe(0);
    expect(out.stderr.trim().split("\n")).toHaveLength(1);
    expect(out.stderr).toContain('unknown command "frobnicate"');
  });

  it("refuses unknown options with one line on stderr", async () => {
    const { out, io } = capture();
    expect(await runCli(["health", "--colour"], io)).toBe(1);
    expect(out.stderr.trim().split("\n")).toHaveLength(1);
    expect(out.stderr).toContain("--colour");
  });

  it("migrates an up-to-date database without changes", async () => {
    const { out, io } = capture();
    expect(await runCli(["db", "migrate"], io)).toBe(0);
    expect(out.stdout).toContain("up to date");
  });

  it("reports health, exiting 1 while no worker runs and 0 once one does", async () => {
    const down = capture();
    expect(await runCli(["health"], down.io)).toBe(1);
    expect(down.out.stdout).toContain("worker:   unknown");

    await recordHeartbeat(testDb(), { workerId: "w1", hostname: "h", pid: 1, version: "t" });
    const up = capture();
    expect(await runCli(["health", "--json"], up.io)).toBe(0);
    expect(JSON.parse(up.out.stdout)).toMatchObject({ status: "ok", database: { status: "ok" } });
  });

  it("deploy waits for a deployment of the LAN already running (a worker's), then deploys; it gives up with one line when that one outlasts --wait", async () => {
    const lan = await createLanRow();
    // What a worker's deployment of this LAN holds while it runs.
    const worker = await getPool().connect();
    try {
      await worker.query("select pg_advisory_lock(hashtext('ztix:deploy_route_servers'), $1::int)", [lan.id]);

      const unclear = capture();
      expect(await runCli(["deploy", "--lan", lan.name, "--wait", "soon"], unclear.io)).toBe(1);
      expect(unclear.out.stderr).toBe("ztix: --wait must be a whole number of seconds\n");

      const impatient = capture();
      expect(await runCli(["deploy", "--lan", lan.name, "--wait", "1"], impatient.io)).toBe(1);
      expect(impatient.out.stderr).toBe(
        `ztix: another deployment of LAN ${lan.name} is running; waiting up to 1 s for it to finish\n` +
          `ztix: another deployment of LAN ${lan.name} is still running after 1 s; try again when it has finished (the route servers' pages show it)\n`,
      );

      const patient = capture();
      const deploying = runCli(["deploy", "--lan", lan.name, "--wait", "60"], patient.io);
      await expect.poll(() => patient.out.stderr).toContain("waiting up to 60 s");
      expect(patient.out.stdout).toBe("");
      await worker.query("select pg_advisory_unlock(hashtext('ztix:deploy_route_servers'), $1::int)", [lan.id]);
      expect(await deploying).toBe(0);
      expect(patient.out.stdout).toBe("this LAN has no enabled route servers\n");
    } finally {
      worker.release(true);
    }
  });
});
