import { spawn } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { ownPortalPort, processesMentioning, waitForHealth } from "./own-portal";

test("npm start with no DATABASE_URL serves the portal on the embedded PostgreSQL, and Ctrl-C leaves nothing running", async ({ request }) => {
  test.setTimeout(240_000);
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "ztix-lifecycle-"));
  chmodSync(dataDir, 0o755); // the postgres system user must reach its cluster inside
  const port = ownPortalPort(6);
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
    await waitForHealth(`http://127.0.0.1:${port}`, 180_000);
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
