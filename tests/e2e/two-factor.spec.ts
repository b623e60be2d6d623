import { expect, test, type Browser } from "@playwright/test";
import { cli, createUser, enrolTwoFactor, query, signIn, totpCode } from "./support";

const CODE_LABEL = "Code from your authenticator app, or a recovery code";

/** The first step of a sign-in in a fresh browser: the password, then the form asks for a code. */
async function passwordStep(browser: Browser, user: { username: string; password: string }) {
  const page = await (await browser.newContext()).newPage();
  await page.goto("/login");
  await page.getByLabel("Username").fill(user.username);
  await page.getByLabel("Password").fill(user.password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page.getByLabel(CODE_LABEL)).toBeVisible();
  return page;
}

async function submitCode(page: Awaited<ReturnType<typeof passwordStep>>, code: string) {
  await page.getByLabel(CODE_LABEL).fill(code);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
}

test("a staff account without two-factor sign-in gets only the enrolment page until it enrols (ZTIX_REQUIRE_2FA=staff)", async ({ page }) => {
  const operator = createUser("operator");
  await page.goto("/login?callbackUrl=%2Frequests");
  await page.getByLabel("Username").fill(operator.username);
  await page.getByLabel("Password").fill(operator.password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page).toHaveURL(/\/account\/two-factor$/);
  await expect(page.getByTestId("two-factor-required")).toBeVisible();
  await expect(page.getByAltText("QR code to scan with an authenticator app")).toBeVisible();
  for (const path of ["/requests", "/connections", "/admin/audit", "/"]) {
    await page.goto(path);
    await expect(page).toHaveURL(/\/account\/two-factor$/);
  }

  const secret = (await page.getByTestId("totp-secret").textContent())!.trim();
  const recoveryCodes = await enrolTwoFactor(page, operator.username);
  expect(new Set(recoveryCodes).size).toBe(10);
  await page.goto("/requests");
  await expect(page).toHaveURL(/\/requests$/);
  await expect(page.getByRole("heading", { name: "Requests" })).toBeVisible();

  // At rest: the TOTP secret encrypted, the recovery codes only as hashes.
  const [stored] = await query<{ totp_secret: string; totp_pending_secret: string | null }>("select totp_secret, totp_pending_secret from users where username = $1", [operator.username]);
  expect(stored!.totp_secret).toMatch(/^v1\./);
  expect(stored!.totp_pending_secret).toBeNull();
  expect(JSON.stringify(stored)).not.toContain(secret);
  const hashes = await query<{ code_hash: string }>("select code_hash from user_recovery_codes join users on users.id = user_id where username = $1", [operator.username]);
  expect(hashes).toHaveLength(10);
  for (const code of recoveryCodes) expect(JSON.stringify(hashes)).not.toContain(code.replaceAll("-", ""));

  // A lost device: the CLI resets it, every session ends, and the account enrols again.
  expect(cli(["users", "reset-2fa", "--username", operator.username]).status).toBe(0);
  await page.goto("/requests");
  await expect(page).toHaveURL(/\/login\?callbackUrl=%2Frequests/);
  await page.getByLabel("Username").fill(operator.username);
  await page.getByLabel("Password").fill(operator.password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page).toHaveURL(/\/account\/two-factor$/);
});

test("an enrolled account signs in with the code from its app; a wrong code is refused", async ({ browser, page }) => {
  const admin = createUser("admin");
  await signIn(page, admin);

  const next = await passwordStep(browser, admin);
  await submitCode(next, "000000");
  await expect(next.locator("#login-error")).toHaveText("Wrong code.");
  await expect(next.getByTestId("signed-in-as")).toHaveCount(0);
  await submitCode(next, await totpCode(admin.username));
  await expect(next.getByTestId("signed-in-as")).toContainText(admin.username);
  await next.goto("/admin/users");
  await expect(next.getByRole("heading", { name: "Users" })).toBeVisible();
});

test("a recovery code signs in once", async ({ browser, page }) => {
  const operator = createUser("operator");
  await page.goto("/login");
  await page.getByLabel("Username").fill(operator.username);
  await page.getByLabel("Password").fill(operator.password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page).toHaveURL(/\/account\/two-factor$/);
  const [recoveryCode] = await enrolTwoFactor(page, operator.username);

  const first = await passwordStep(browser, operator);
  await submitCode(first, recoveryCode!.toUpperCase());
  await expect(first.getByTestId("signed-in-as")).toContainText(operator.username);
  await first.goto("/account");
  await expect(first.getByTestId("two-factor-status")).toContainText("9 recovery codes left");

  const second = await passwordStep(browser, operator);
  await submitCode(second, recoveryCode!);
  await expect(second.locator("#login-error")).toHaveText("Wrong code.");
  await expect(second.getByTestId("signed-in-as")).toHaveCount(0);
});

test("wrong codes count towards the sign-in throttle: past it, even the right code is refused", async ({ browser, page }) => {
  const operator = createUser("operator");
  await signIn(page, operator);

  const attacker = await passwordStep(browser, operator);
  for (let attempt = 1; attempt <= 4; attempt++) {
    await submitCode(attacker, String(100000 + attempt));
    await expect(attacker.locator("#login-error")).toHaveText("Wrong code.");
  }
  await submitCode(attacker, "100005");
  await expect(attacker.locator("#login-error")).toContainText("Too many failed sign-ins");
  await submitCode(attacker, await totpCode(operator.username));
  await expect(attacker.locator("#login-error")).toContainText("Too many failed sign-ins");
  await expect(attacker.getByTestId("signed-in-as")).toHaveCount(0);
  const failures = await query<{ details: { reason: string } }>(
    "select details from audit_events where action = 'auth.login_failed' and actor_label = $1",
    [operator.username],
  );
  expect(failures.map((failure) => failure.details.reason)).toEqual(Array(5).fill("wrong_second_factor"));
});

test("sign out everywhere ends the sessions of every browser", async ({ browser, page }) => {
  const member = createUser("member");
  await signIn(page, member, "/account");
  const other = await (await browser.newContext()).newPage();
  await signIn(other, member, "/networks");

  await page.goto("/account");
  await page.getByRole("button", { name: "Sign out everywhere" }).click();
  await page.getByRole("button", { name: "Sign out every browser, this one too" }).click();
  await expect(page).toHaveURL(/\/login/);
  await other.goto("/networks");
  await expect(other).toHaveURL(/\/login\?callbackUrl=%2Fnetworks/);
});
