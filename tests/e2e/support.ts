import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { expect, type Page, type Request } from "@playwright/test";
import { generate } from "otplib";
import pg from "pg";

/** What tests/e2e/server.ts started, for tests to reach behind the portal's back. */
export type E2eState = { databaseUrl: string; peeringDbUrl: string; zerotierUrl: string; zerotierToken: string };

export const e2eStatePath = path.resolve(".data", "e2e", "state.json");

export function e2eState(): E2eState {
  return JSON.parse(readFileSync(e2eStatePath, "utf8")) as E2eState;
}

/** Runs the real CLI against the e2e database. */
export function cli(args: string[], stdin?: string) {
  const result = spawnSync(process.execPath, ["--conditions=react-server", "--import", "tsx", "cli/index.ts", ...args], {
    input: stdin,
    encoding: "utf8",
    env: { ...process.env, DATABASE_URL: e2eState().databaseUrl, ZTIX_DATA_DIR: path.resolve(".data", "e2e") },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Drives a simulator's /_sim/ control API. */
export async function simControl(which: "peeringdb" | "zerotier", path: string, body: unknown = {}) {
  const base = which === "peeringdb" ? e2eState().peeringDbUrl : e2eState().zerotierUrl;
  const response = await fetch(`${base}/_sim/${path}`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
  expect(response.status, `${which} /_sim/${path}`).toBe(200);
  return response.json();
}

let counter = 0;
/** A unique local account made with the CLI, as an operator would. */
export function createUser(role: "admin" | "operator" | "member", prefix: string = role) {
  const username = `${prefix}-${process.pid}-${Date.now().toString(36)}-${++counter}`;
  const password = `correct horse ${counter} battery staple`;
  const result = cli(["users", "create", "--username", username, "--role", role, "--password-stdin"], `${password}\n`);
  expect(result.stderr).toBe("");
  expect(result.status).toBe(0);
  return { username, password };
}

export async function query<T extends pg.QueryResultRow>(text: string, values: unknown[] = []) {
  const client = new pg.Client({ connectionString: e2eState().databaseUrl });
  await client.connect();
  try {
    return (await client.query<T>(text, values)).rows;
  } finally {
    await client.end();
  }
}

/**
 * Addresses on the e2e LAN that nothing holds (connections, route servers, reservations share
 * one address space), for rows a test sets up behind the portal's back: 192.0.2.200–249 with
 * 2001:db8:ffff::200–249. Fixed or random picks collided with another spec's rows.
 */
export async function freeAddresses(count: number) {
  const taken = new Set(
    (await query<{ address: string }>(
      "select host(a.address) as address from address_allocations a join lans l on l.id = a.lan_id where l.name = 'e2e-lan' and a.state in ('assigned', 'reserved', 'quarantined')",
    )).map((row) => row.address),
  );
  const free = Array.from({ length: 50 }, (_, n) => ({ ipv4: `192.0.2.${200 + n}`, ipv6: `2001:db8:ffff::${200 + n}` }))
    .filter((pair) => !taken.has(pair.ipv4) && !taken.has(pair.ipv6));
  expect(free.length, "free addresses on e2e-lan").toBeGreaterThanOrEqual(count);
  return free.slice(0, count);
}

/** TOTP secrets of the accounts this run enrolled, with the last time step a code was made for. */
const authenticators = new Map<string, { secret: string; lastStep: number }>();

/**
 * The next code of a user's authenticator, as the app would show it. Each time step is used
 * once (the portal refuses a replay), so a second sign-in within 30 s takes the next step's
 * code (the portal accepts one step of clock drift) or waits for it.
 */
export async function totpCode(username: string) {
  const authenticator = authenticators.get(username);
  if (!authenticator) throw new Error(`${username} has not enrolled in this run`);
  const currentStep = () => Math.floor(Date.now() / 1000 / 30);
  let step = Math.max(currentStep(), authenticator.lastStep + 1);
  while (step > currentStep() + 1) {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    step = Math.max(currentStep(), authenticator.lastStep + 1);
  }
  authenticator.lastStep = step;
  return generate({ secret: authenticator.secret, epoch: step * 30 });
}

/** Enrols the signed-in user on the enrolment page the way a person does; returns the recovery codes. */
export async function enrolTwoFactor(page: Page, username: string) {
  if (!page.url().includes("/account/two-factor")) await page.goto("/account/two-factor");
  const secret = (await page.getByTestId("totp-secret").textContent())!.trim();
  authenticators.set(username, { secret, lastStep: 0 });
  await page.getByLabel("Code from the app").fill(await totpCode(username));
  await page.getByRole("button", { name: "Turn on two-factor sign-in" }).click();
  const codes = page.getByTestId("recovery-codes").locator("li");
  await expect(codes).toHaveCount(10);
  return codes.allTextContents();
}

/**
 * Signs in through the login form. An enrolled account gets its code from `totpCode`; a staff
 * account the policy (ZTIX_REQUIRE_2FA=staff) sends to enrolment enrols first, then goes on.
 */
export async function signIn(page: Page, user: { username: string; password: string }, target = "/") {
  await page.goto(`/login?callbackUrl=${encodeURIComponent(target)}`);
  await page.getByLabel("Username").fill(user.username);
  await page.getByLabel("Password").fill(user.password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  const codeField = page.getByLabel("Code from your authenticator app, or a recovery code");
  const header = page.getByTestId("signed-in-as");
  await expect(codeField.or(header)).toBeVisible();
  if (await codeField.isVisible()) {
    await codeField.fill(await totpCode(user.username));
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
  }
  await expect(header).toContainText(user.username);
  // A full navigation settles where the server sends a signed-in account (the client-side
  // redirect after sign-in may still be on its way).
  await page.goto(target);
  if (new URL(page.url()).pathname === "/account/two-factor" && target !== "/account/two-factor") {
    await enrolTwoFactor(page, user.username);
    await page.goto(target);
  }
  await expect(header).toContainText(user.username);
}

/**
 * The page (at `target`, else as it is now) is no wider than the phone's 390 px viewport: a wide
 * table scrolls inside itself, never the page.
 */
export async function expectNoHorizontalScroll(page: Page, target?: string) {
  if (target) await page.goto(target);
  await expect(page.locator("main")).toBeVisible();
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  // On failure, name the elements that stick out (the widest first).
  const culprits = width <= 390 ? [] : await page.evaluate(() =>
    [...document.querySelectorAll("body *")]
      .map((element) => ({ element, right: element.getBoundingClientRect().right }))
      .filter(({ element, right }) => {
        if (right <= 391) return false;
        // Inside an element that scrolls or clips, it does not widen the page, unless it is
        // positioned out of it (an absolute, visually hidden label).
        if (getComputedStyle(element).position === "absolute") return true;
        for (let parent = element.parentElement; parent && parent !== document.body; parent = parent.parentElement) {
          if (["auto", "scroll", "hidden", "clip"].includes(getComputedStyle(parent).overflowX)) return false;
        }
        return true;
      })
      .sort((a, b) => b.right - a.right)
      .slice(0, 5)
      .map(({ element, right }) => `${element.tagName.toLowerCase()}.${String(element.className).slice(0, 80)} (${Math.round(right)} px): ${(element.textContent ?? "").slice(0, 60)}`),
  );
  expect(width, `${target ?? page.url()} is ${width} px wide at 390 px: ${culprits.join(" | ")}`).toBeLessThanOrEqual(390);
}

/**
 * Lets the next server-action POST go nowhere and hands back what it would have sent, to replay as
 * a crafted post. Without its cookie: the page (or another user's page) that replays it sends its own.
 */
export async function captureActionRequest(page: Page, submit: () => Promise<void>) {
  let captured: Request | undefined;
  await page.route("**/*", async (route) => {
    if (route.request().method() === "POST" && route.request().headers()["next-action"]) {
      captured = route.request();
      await route.abort();
    } else {
      await route.continue();
    }
  });
  await submit();
  await expect.poll(() => captured).toBeTruthy();
  await page.unroute("**/*");
  const headers = { ...captured!.headers() };
  delete headers.cookie;
  return { url: captured!.url(), headers, body: captured!.postDataBuffer()! };
}
