/**
 * `npm run demo` the way a new user meets it: started as the README says (its own data directory
 * and ports, no stdin), its printed passwords used to sign in, every page of the nav with the
 * demo's data, the CLI reaching the demo from the project directory, and a clean stop.
 */
import { execFile, spawn } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, test, type Page } from "@playwright/test";
import { demoEnvironmentPath, runningDemo } from "../../cli/demo-environment";
import { descendantsOf, ownPortalPort, processesMentioning, stillRunning } from "./own-portal";
import { signIn } from "./support";

// Inside the run's port range (E2E_PORT .. +9), beside the e2e server and the other own portals.
const port = ownPortalPort(5);
const zerotierPort = Number(process.env.E2E_PORT ?? 3100) + 3;
const peeringDbPort = ownPortalPort(0);
// NEXTAUTH_URL of the demo: the address it prints.
const demoUrl = `http://localhost:${port}`;

test.use({ baseURL: demoUrl });

/** Runs `npm run cli -- …` in the project directory as a person would: no DATABASE_URL, no ZTIX_DATA_DIR. */
function npmCli(args: string[]) {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.DATABASE_URL;
  delete env.ZTIX_DATA_DIR;
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile("npm", ["run", "--silent", "cli", "--", ...args], { env }, (error, stdout, stderr) =>
      resolve({ code: error ? Number((error as { code?: unknown }).code ?? 1) : 0, stdout: String(stdout), stderr: String(stderr) }),
    );
  });
}

/** The rows of the page's table that mention `text`. */
const rowWith = (page: Page, text: string) => page.locator("tr", { hasText: text });

test("npm run demo: passwords printed once, an admin signs in, every page has data, the CLI reaches the demo, SIGTERM stops it all", async ({ page }) => {
  // A first start may check the build, initialise PostgreSQL and seed through the CLI: minutes on a loaded machine.
  test.setTimeout(900_000);
  expect(runningDemo(), "another `npm run demo` runs in this project: stop it first").toBeNull();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "ztix-demo-"));
  chmodSync(dataDir, 0o755); // the postgres system user must reach its cluster inside

  const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), ZT_SIM_PORT: String(zerotierPort), PDB_SIM_PORT: String(peeringDbPort), ZTIX_DATA_DIR: dataDir };
  for (const name of ["DATABASE_URL", "NEXTAUTH_URL", "NODE_ENV"]) delete env[name];
  // As the README starts it; no stdin (CI has none); its own process group, for cleaning up after a failure.
  const npm = spawn("npm", ["run", "demo"], { env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  npm.stdout.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
  npm.stderr.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
  const exited = new Promise<number | null>((resolve) => npm.once("exit", (code) => resolve(code)));
  const birdPid = () => {
    const file = path.join(dataDir, "bird", "bird.pid");
    return existsSync(file) ? Number(readFileSync(file, "utf8").trim()) : null;
  };

  try {
    await test.step("the demo starts and prints every password once", async () => {
      await expect
        .poll(() => (npm.exitCode !== null ? `npm exited ${npm.exitCode}` : output.includes("ztix demo is ready") ? "ready" : "starting"), { timeout: 600_000, intervals: [1_000] })
        .toBe("ready");
    });
    // Everything it prints about itself is printed by now; the worker's log lines may follow.
    const accounts = new Map([...output.matchAll(/^ {2}(demo-[a-z0-9-]+) +(\S+) +\((admin|operator|member)[,)]/gm)].map((match) => [match[1]!, { password: match[2]!, role: match[3]! }]));
    expect([...accounts.keys()].sort()).toEqual(["demo-admin", "demo-member", "demo-member2", "demo-member3", "demo-operator"]);
    expect(accounts.get("demo-admin")!.role).toBe("admin");
    expect(accounts.get("demo-operator")!.role).toBe("operator");
    const apiKey = /^ {2}API key \(read\) (ztix_\S+)/m.exec(output)?.[1];
    expect(apiKey).toBeTruthy();
    const occurrences = (secret: string) => output.split(secret).length - 1;
    expect(output.split("\n").filter((line) => line.includes(accounts.get("demo-admin")!.password))).toHaveLength(1);
    for (const [username, account] of accounts) expect(occurrences(account.password), `${username}'s password`).toBe(1);
    expect(occurrences(apiKey!)).toBe(1);
    expect(output).toContain(`  ${demoUrl}\n`);

    await test.step("the CLI, run in the project without DATABASE_URL, reaches the demo's database and simulators", async () => {
      const users = await npmCli(["users", "list"]);
      expect(users.stderr).toContain("using the running demo's database and simulators");
      expect(users.code).toBe(0);
      for (const username of accounts.keys()) expect(users.stdout).toMatch(new RegExp(`^${username} `, "m"));
      const zerotier = await npmCli(["zerotier", "status"]);
      expect(zerotier.code, zerotier.stderr).toBe(0);
      expect(zerotier.stdout).toContain(`127.0.0.1:${zerotierPort}`);
    });

    const admin = { username: "demo-admin", password: accounts.get("demo-admin")!.password };
    await test.step("the admin signs in with the printed password (and enrols a second factor, as staff must)", async () => {
      await signIn(page, admin);
      await expect(page.getByRole("note")).toContainText("Demo mode");
    });

    await test.step("every page of the nav shows the demo's data", async () => {
      const nav = page.getByRole("navigation", { name: "Main" }).getByRole("link");
      await expect(nav).toHaveText(["Dashboard", "Requests", "Connections", "Networks", "Participants", "LANs", "Route servers", "Jobs", "Policy", "Users", "API keys", "Audit log", "Notifications", "Account"]);
      const visit = async (label: string) => {
        await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: label, exact: true }).click();
        await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: label, exact: true })).toHaveAttribute("aria-current", "page");
      };

      await visit("Dashboard");
      await expect(page.getByRole("heading", { name: "Exchange overview" })).toBeVisible();
      await expect(page.getByText("2 connection requests waiting for a decision.")).toBeVisible();
      await expect(page.getByRole("link", { name: "1 provisioned" })).toBeVisible();
      await expect(page.getByRole("link", { name: "1 failed", exact: true })).toBeVisible();
      await expect(page.getByRole("link", { name: "rs1 (demo-lan)" })).toBeVisible();

      await visit("Requests");
      await expect(page.getByText("Nothing waits for a decision.")).toHaveCount(0);
      await expect(page.locator("li[data-connection-id]")).toHaveCount(2);
      await expect(page.locator("li[data-connection-id]", { hasText: "router d000000b01" })).toContainText("AS64501 Example Content");
      await expect(page.locator("li[data-connection-id]", { hasText: "router d000000c01" })).toContainText("AS64502 Example Access");

      await visit("Connections");
      // Every state a connection rests in (the worker provisions and fails within seconds of the start).
      const states = { d000000a01: "provisioned", d000000a02: "failed", d000000b01: "requested", d000000b02: "removed", d000000c01: "requested", d000000c02: "rejected" };
      await expect(async () => {
        await page.reload();
        for (const [router, state] of Object.entries(states)) await expect(rowWith(page, router)).toContainText(state, { timeout: 1_000 });
      }).toPass({ timeout: 120_000 });
      await expect(page.locator("tr[data-connection-id]")).toHaveCount(6);
      await expect(rowWith(page, "d000000a01")).toContainText("AS64500 Example Transit");

      await visit("Networks");
      await expect(rowWith(page, "AS64500")).toContainText("Example Transit");
      await expect(rowWith(page, "AS64501")).toContainText("Example Content");
      await expect(rowWith(page, "AS64502")).toContainText("Example Access");

      await visit("Participants");
      await expect(page.getByTestId("participant")).toHaveCount(1);
      await expect(page.getByTestId("participant")).toContainText("Example Transit");

      await visit("LANs");
      await expect(rowWith(page, "demo-lan")).toContainText("192.0.2.0/24");

      await visit("Route servers");
      await expect(page.getByText("No route servers yet.")).toHaveCount(0);
      await expect(rowWith(page, "rs1")).toContainText("this host");
      await expect(rowWith(page, "rs1")).toContainText("192.0.2.1");
      // The local BIRD takes its configuration (its first deployment may come before bird runs: retried).
      await expect(async () => {
        await page.reload();
        await expect(rowWith(page, "rs1")).toContainText("succeeded", { timeout: 1_000 });
      }).toPass({ timeout: 180_000 });

      await visit("Jobs");
      await expect(page.getByTestId("job-run").filter({ hasText: "provision_connection" }).first()).toBeVisible();

      await visit("Policy");
      await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
      await expect(page.locator("main")).toContainText("demo-lan");

      await visit("Users");
      for (const username of accounts.keys()) await expect(page.locator(`tr[data-username="${username}"]`)).toBeVisible();

      await visit("API keys");
      await expect(rowWith(page, "demo monitoring")).toContainText(apiKey!.slice(0, "ztix_".length + 8));

      await visit("Audit log");
      for (const action of ["connection.approved", "connection.rejected", "connection.withdrawn", "connection.failed", "user.created"]) {
        await expect(page.getByTestId("audit-event").filter({ hasText: action }).first()).toBeVisible();
      }

      await visit("Notifications");
      await expect(page.getByRole("checkbox").first()).toBeVisible();

      await visit("Account");
      await expect(page.getByTestId("two-factor-status")).toContainText("On since");

      // A connection's page: the failed one says why.
      await page.goto("/connections");
      await rowWith(page, "d000000a02").getByRole("link").first().click();
      await expect(page.locator("main")).toContainText("d000000a02");
      await expect(page.getByTestId("connection-reason")).toContainText("rejected POST");
    });

    await test.step("a member signs in with the printed password and sees their own connections", async () => {
      await page.context().clearCookies();
      await signIn(page, { username: "demo-member", password: accounts.get("demo-member")!.password }, "/connections");
      await expect(page.getByRole("heading", { name: "My connections" })).toBeVisible();
      await expect(page.locator("tr[data-connection-id]")).toHaveCount(2);
      await expect(rowWith(page, "d000000a01")).toContainText("provisioned");
      await expect(rowWith(page, "d000000a02")).toContainText("failed");
      await rowWith(page, "d000000a01").getByRole("link").first().click();
      await expect(page.locator("main")).toContainText("d000000a01");
      await expect(page.locator("main")).toContainText("Example Transit");
    });

    await test.step("SIGTERM to npm stops the demo: exit 0, nothing left running, the CLI's pointer gone", async () => {
      const tree = descendantsOf(npm.pid!);
      const bird = birdPid();
      expect(tree.length).toBeGreaterThan(3);
      expect(processesMentioning(dataDir).length).toBeGreaterThan(0);
      process.kill(npm.pid!, "SIGTERM");
      expect(await exited).toBe(0);
      expect(stillRunning(bird ? [...tree, bird] : tree)).toEqual([]);
      expect(processesMentioning(dataDir)).toEqual([]);
      expect(existsSync(demoEnvironmentPath())).toBe(false);
    });
  } finally {
    if (npm.exitCode === null) {
      for (const pid of [npm.pid!, ...descendantsOf(npm.pid!)]) {
        try {
          process.kill(pid, "SIGKILL");
        } catch {
          // already gone
        }
      }
    }
    const bird = birdPid();
    if (bird) {
      try {
        process.kill(bird, "SIGKILL");
      } catch {
        // already gone
      }
    }
    if (existsSync(demoEnvironmentPath()) && runningDemo() === null) rmSync(demoEnvironmentPath(), { force: true });
    await test.info().attach("demo.log", { body: output, contentType: "text/plain" });
    rmSync(dataDir, { recursive: true, force: true });
  }
});
