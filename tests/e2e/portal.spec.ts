import { expect, test } from "@playwright/test";
import { createUser, signIn } from "./support";

test("the operator dashboard shows the health of the database and the worker", async ({ page }) => {
  await signIn(page, createUser("operator"));
  await expect(page).toHaveTitle("Dashboard · ztix");
  await expect(page.getByRole("heading", { name: "Exchange overview" })).toBeVisible();
  const nav = page.getByRole("navigation", { name: "Main" });
  await expect(nav.getByRole("link", { name: "Dashboard" })).toHaveAttribute("aria-current", "page");
  await expect(page.getByRole("listitem").filter({ hasText: "Database" })).toContainText("Reachable");
  await expect(page.getByRole("listitem").filter({ hasText: "Job worker" })).toContainText("1 running");
});

test("the main navigation moves between sections inside the app, and marks where the user is", async ({ page }) => {
  await signIn(page, createUser("operator"));
  const nav = page.getByRole("navigation", { name: "Main" });
  // A full page load would drop this mark; the app's own navigation keeps the document.
  await page.evaluate(() => Object.assign(window, { ztixSameDocument: true }));
  await nav.getByRole("link", { name: "Connections" }).click();
  await expect(page).toHaveURL(/\/connections$/);
  await expect(page.getByRole("heading", { name: "Connections", exact: true })).toBeVisible();
  await expect(nav.getByRole("link", { name: "Connections" })).toHaveAttribute("aria-current", "page");
  await expect(nav.getByRole("link", { name: "Dashboard" })).not.toHaveAttribute("aria-current", "page");
  expect(await page.evaluate(() => (window as unknown as { ztixSameDocument?: boolean }).ztixSameDocument)).toBe(true);
  // A page inside a section marks that section alone.
  await nav.getByRole("link", { name: "Notifications" }).click();
  await expect(page).toHaveURL(/\/account\/notifications$/);
  await expect(nav.locator("[aria-current=page]")).toHaveText(["Notifications"]);
});

test("an anonymous visitor is sent to the sign-in page", async ({ page }) => {
  await page.goto("/networks");
  await expect(page).toHaveURL(/\/login\?callbackUrl=%2Fnetworks$/);
  await expect(page.getByRole("heading", { name: "Sign in to ztix" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Log in with PeeringDB" })).toBeVisible();
});

test("the health endpoint answers JSON with every component, without signing in", async ({ request }) => {
  const response = await request.get("/api/health");
  expect(response.status()).toBe(200);
  expect(response.headers()["cache-control"]).toContain("no-store");
  const body = await response.json();
  expect(body).toMatchObject({ status: "ok", database: { status: "ok" }, worker: { status: "ok" } });
  expect(typeof body.version).toBe("string");
});

test("an unknown page says so", async ({ page }) => {
  const response = await page.goto("/no-such-page");
  expect(response?.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
});
