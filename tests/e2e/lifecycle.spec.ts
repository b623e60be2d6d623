import { spawn } from "node:child_process";
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, test } from "@playwright/test";

/** Processes whose command line mentions `needle` (Linux /proc). */
function processesMentioning(needle: string) {
  const found: string[] = [];
  for (const pid of readdirSync("/proc").filter((entry) => /^\d+$/.test(entry))) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ");
      if (cmdline.includes(needle)) found.push(`${pid}: ${cmdline}`);
    } catch {
      // the process ended while we looked
    }
  }
  return found;
}

test("npm start with no DATABASE_URL serves the portal on the embedded PostgreSQL, and Ctrl-C leaves nothing running", async ({ request }) => {
  test.setTimeout(240_000);
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "ztix-lifecycle-"));
  chmodSync(dataDir, 0o755); // the postgres system user must reach its cluster inside
  const port = 3150;
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), ZTIX_DATA_DIR: dataDir };
  delete env.DATABASE_URL;
  delete env.NEXTAUTH_URL;

  // Its own process group, like a shell job: Ctrl-C reaches the whole group.
  const supervisor = spawn(process.execPath, ["--conditions=react-server", "--import", "tsx", "scripts/start.ts"], {
    env,
    detached: true,
    stdio: "ignore",
  });
  const exited = new Promise<number | null>((resolve) => supervisor.once("exit", (code) => resolve(code)));
  try {
    await expect
      .poll(async () => (await request.get(`http://127.0.0.1:${port}/api/health`).catch(() => null))?.status(), {
        timeout: 180_000,
        intervals: [1_000],
      })
      .toBe(200);
    const health = await (await request.get(`http://127.0.0.1:${port}/api/health`)).json();
    expect(health).toMatchObject({ database: { status: "ok" }, worker: { status: "ok" } });
    expect(processesMentioning(path.join(dataDir, "postgres"))).not.toEqual([]);

    process.kill(-supervisor.pid!, "SIGINT");
    expect(await exited).toBe(0);
    expect(processesMentioning(dataDir)).toEqual([]);
  } finally {
    try {
      process.kill(-supervisor.pid!, "SIGKILL");
    } catch {
      // already gone
    }
    rmSync(dataDir, { recursive: true, force: true });
  }
});
