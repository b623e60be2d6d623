import { expect, test, type Page } from "@playwright/test";
import { captureActionRequest, cli, createUser, expectNoHorizontalScroll, query, signIn } from "./support";

async function signInExpectingError(page: Page, username: string, password: string) {
  await page.goto("/login");
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  const alert = page.locator("#login-error");
  await expect(alert).toBeVisible();
  return (await alert.textContent())?.trim();
}

/**
 * Captures the request a server-action form sends, without letting it reach the server, so a
 * test can replay it with another session: a crafted POST, as an attacker would send it.
 */
/** The users page's "Disable" with its confirmation: the username typed, then the real button. */
async function disableFromRow(page: Page, username: string) {
  const row = page.locator(`tr[data-username="${username}"]`);
  await row.getByRole("button", { name: "Disable", exact: true }).click();
  await row.getByLabel(`Type ${username} to confirm`).fill(username);
  await row.getByRole("button", { name: "Disable account" }).click();
}

test("a user made with the CLI signs in and out, back to the page asked for", async ({ page }) => {
  // A member: staff accounts first enrol in two-factor sign-in (two-factor.spec.ts).
  const member = createUser("member");
  await page.goto("/networks");
  await expect(page).toHaveURL(/\/login\?callbackUrl=%2Fnetworks/);
  await page.getByLabel("Username").fill(`  ${member.username.toUpperCase()} `);
  await page.getByLabel("Password").fill(member.password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page).toHaveURL(/\/networks$/);
  const header = page.getByTestId("signed-in-as");
  await expect(header).toContainText(member.username);
  await expect(header).toContainText("member");

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/login/);
  await page.goto("/networks");
  await expect(page).toHaveURL(/\/login\?callbackUrl=/);
});

test("a wrong password and an unknown user show the same message", async ({ page }) => {
  const member = createUser("member");
  const wrongPassword = await signInExpectingError(page, member.username, "definitely not it!");
  const unknownUser = await signInExpectingError(page, `nobody-${Date.now()}`, "definitely not it!");
  expect(wrongPassword).toBe("Wrong username or password.");
  expect(unknownUser).toBe(wrongPassword);
});

test("a refused sign-in keeps the username, says why inside the form and puts the cursor in the emptied password field", async ({ browser }) => {
  // On a phone: the message fits without widening the page.
  const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const page = await context.newPage();
  const member = createUser("member");
  await page.goto("/login");
  await expectNoHorizontalScroll(page);
  const username = page.getByLabel("Username");
  const password = page.getByLabel("Password");
  await username.fill(member.username);
  await password.fill("definitely not it!");
  await page.getByRole("button", { name: "Sign in", exact: true }).click();

  const form = page.locator("form").filter({ has: password });
  const alert = form.getByRole("alert");
  await expect(alert).toHaveText("Wrong username or password.");
  await expect(username).toHaveValue(member.username);
  await expect(password).toHaveValue("");
  await expect(password).toBeFocused();
  for (const field of [username, password]) {
    await expect(field).toHaveAttribute("aria-invalid", "true");
    await expect(field).toHaveAccessibleDescription("Wrong username or password.");
  }
  await expectNoHorizontalScroll(page);

  // Only the password is typed again.
  await page.keyboard.type(member.password);
  await page.keyboard.press("Enter");
  await expect(page.getByTestId("signed-in-as")).toContainText(member.username);
  await context.close();
});

test("a disabled user's open session is refused on its next page and server action", async ({ browser }) => {
  const admin = createUser("admin");
  const target = createUser("member", "target");
  const page = await (await browser.newContext()).newPage();
  await signIn(page, admin, "/admin/users");
  await expect(page.getByRole("heading", { name: "Users" })).toBeVisible();
  const row = page.locator(`tr[data-username="${target.username}"]`);
  await expect(row).toBeVisible();
  const crafted = await captureActionRequest(page, () => disableFromRow(page, target.username));

  expect(cli(["users", "disable", "--username", admin.username]).status).toBe(0);

  const response = await page.request.fetch(crafted.url, { method: "POST", headers: crafted.headers, data: crafted.body });
  expect(await response.text()).toContain("Your session has ended");
  const [stillEnabled] = await query<{ disabled_at: Date | null }>("select disabled_at from users where username = $1", [target.username]);
  expect(stillEnabled!.disabled_at).toBeNull();

  await page.reload();
  await expect(page).toHaveURL(/\/login\?callbackUrl=%2Fadmin%2Fusers/);
});

test("a member posting an admin-only server action directly is refused, and the attempt is audited", async ({ browser }) => {
  const admin = createUser("admin");
  const member = createUser("member", "mallory");
  const target = createUser("operator", "victim");

  const adminPage = await (await browser.newContext()).newPage();
  await signIn(adminPage, admin, "/admin/users");
  const crafted = await captureActionRequest(adminPage, () => disableFromRow(adminPage, target.username));

  const memberPage = await (await browser.newContext()).newPage();
  await signIn(memberPage, member);
  const forbidden = await memberPage.goto("/admin/users");
  expect(forbidden?.status()).toBe(403);
  await expect(memberPage.getByRole("heading", { name: "Not allowed" })).toBeVisible();

  const response = await memberPage.request.fetch(crafted.url, { method: "POST", headers: crafted.headers, data: crafted.body });
  expect(await response.text()).toContain("You are not allowed to do this");

  const [victim] = await query<{ disabled_at: Date | null }>("select disabled_at from users where username = $1", [target.username]);
  expect(victim!.disabled_at).toBeNull();
  const denied = await query<{ actor_label: string; details: { action: string } }>(
    "select actor_label, details from audit_events where action = 'authorization.denied' and actor_label = $1",
    [member.username],
  );
  expect(denied).toHaveLength(1);
  expect(denied[0]!.details.action).toBe("setUserDisabled");
});

test("an admin disables and re-enables an account from the users page", async ({ page }) => {
  const admin = createUser("admin");
  const target = createUser("member", "toggled");
  await signIn(page, admin, "/admin/users");
  const row = page.locator(`tr[data-username="${target.username}"]`);
  await disableFromRow(page, target.username);
  await expect(row.getByRole("status")).toHaveText(`${target.username} disabled.`);
  await expect(row).toContainText("disabled");
  await row.getByRole("button", { name: "Enable" }).click();
  await expect(row.getByRole("status")).toHaveText(`${target.username} enabled.`);
});

test("a local account changes its own password on the account page; other browsers are signed out, this one stays", async ({ browser }) => {
  const member = createUser("member", "pwchange");
  const here = await (await browser.newContext()).newPage();
  const elsewhere = await (await browser.newContext()).newPage();
  await signIn(here, member, "/account");
  await signIn(elsewhere, member, "/networks");

  const form = here.getByRole("form", { name: "Change password" });
  // A wrong current password and two new ones that differ are answered beside their fields.
  await form.getByLabel("Current password").fill("not the password at all");
  await form.getByLabel("New password", { exact: true }).fill("a brand new passphrase");
  await form.getByLabel("New password again").fill("a brand new passphrase!");
  await form.getByRole("button", { name: "Change password" }).click();
  await expect(form.locator("#repeatPassword-errors")).toContainText("the two new passwords differ");
  await form.getByLabel("Current password").fill("not the password at all");
  await form.getByLabel("New password", { exact: true }).fill("a brand new passphrase");
  await form.getByLabel("New password again").fill("a brand new passphrase");
  await form.getByRole("button", { name: "Change password" }).click();
  await expect(form.locator("#currentPassword-errors")).toContainText("not your current password");

  await form.getByLabel("Current password").fill(member.password);
  await form.getByLabel("New password", { exact: true }).fill("a brand new passphrase");
  await form.getByLabel("New password again").fill("a brand new passphrase");
  await form.getByRole("button", { name: "Change password" }).click();
  await expect(form.getByRole("status")).toContainText("Password changed. Your 1 other session(s) ended; this browser stays signed in.");

  // This browser stays signed in; the other one is sent to sign in again.
  await here.goto("/networks");
  await expect(here).toHaveURL(/\/networks$/);
  await elsewhere.goto("/networks");
  await expect(elsewhere).toHaveURL(/\/login/);
  expect(await signInExpectingError(elsewhere, member.username, member.password)).toContain("Wrong username or password");
  await signIn(elsewhere, { username: member.username, password: "a brand new passphrase" }, "/networks");
  await expect(elsewhere).toHaveURL(/\/networks$/);
  const [audit] = await query<{ action: string; details: unknown }>("select action, details from audit_events where action = 'user.password_changed' and subject_id = (select id::text from users where username = $1)", [member.username]);
  expect(audit).toEqual({ action: "user.password_changed", details: { otherSessionsEnded: 1 } });
});
