import { expect, test, type Page } from "@playwright/test";
import { query, simControl } from "./support";

async function logInWithPeeringDb(page: Page) {
  await page.goto("/login");
  await page.getByRole("button", { name: "Log in with PeeringDB" }).click();
  await expect(page.getByTestId("signed-in-as")).toBeVisible();
}

test("Log in with PeeringDB runs the whole redirect flow; a dropped ASN is gone at the next login", async ({ page }) => {
  const peeringDbId = 50_000 + Math.floor(Math.random() * 40_000);
  await simControl("peeringdb", "reset");
  await simControl("peeringdb", "user", {
    id: peeringDbId,
    given_name: "Pat",
    family_name: "Peering",
    email: `pat${peeringDbId}@example.net`,
    verified_user: true,
    verified_email: true,
    networks: [
      { id: 20, name: "Example Transit", asn: 64500, perms: 15 },
      { id: 7889, name: "Example Content", asn: 64501, perms: 1 },
    ],
  });

  await logInWithPeeringDb(page);
  const header = page.getByTestId("signed-in-as");
  await expect(header).toContainText("Pat Peering");
  await expect(header).toContainText("member");
  await expect(header).toContainText("AS64500 · AS64501");
  expect((await page.goto("/networks/64500"))?.status()).toBe(200);
  await expect(page.getByRole("heading", { name: "AS64500" })).toBeVisible();

  await simControl("peeringdb", "networks/remove", { asn: 64500 });
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/login/);
  await logInWithPeeringDb(page);
  await expect(header).toContainText("AS64501");
  await expect(header).not.toContainText("AS64500");

  // Another network's page answers like an unknown one: 404, no existence oracle.
  const forbidden = await page.goto("/networks/64500");
  expect(forbidden?.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();

  const synced = await query<{ action: string }>(
    "select a.action from audit_events a join users u on u.id::text = a.subject_id where u.peeringdb_id = $1 and a.action in ('auth.login', 'user.affiliations_synced') order by a.id",
    [peeringDbId],
  );
  expect(synced.map((row) => row.action)).toEqual(["user.affiliations_synced", "auth.login", "user.affiliations_synced", "auth.login"]);
});

test("a PeeringDB login with an invalid ID token is refused with a clear message", async ({ page }) => {
  await simControl("peeringdb", "reset");
  await simControl("peeringdb", "faults", { idToken: "bad_signature" });
  try {
    await page.goto("/login");
    await page.getByRole("button", { name: "Log in with PeeringDB" }).click();
    await expect(page).toHaveURL(/\/login\?error=pdb_id_token/);
    await expect(page.getByTestId("login-failure")).toHaveText("PeeringDB's identity token could not be verified, so the login was refused.");
  } finally {
    await simControl("peeringdb", "faults", { idToken: "none" });
  }
});

test("an unverified PeeringDB account is told what to do", async ({ page }) => {
  await simControl("peeringdb", "reset");
  await simControl("peeringdb", "faults", { profile: "unverified_user" });
  try {
    await page.goto("/login");
    await page.getByRole("button", { name: "Log in with PeeringDB" }).click();
    await expect(page.getByTestId("login-failure")).toContainText("not verified");
  } finally {
    await simControl("peeringdb", "faults", { profile: "none" });
  }
});
