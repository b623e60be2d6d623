import { expect, test } from "@playwright/test";
import { captureActionRequest, cli, createUser, freeAddresses, query, signIn } from "./support";

/** The multipart body with one field's value replaced (or the field dropped when `value` is null). */
function withField(body: Buffer, name: string, value: string | null) {
  const text = body.toString("latin1");
  const field = new RegExp(`(-{2}[^\\r\\n]+\\r\\nContent-Disposition: form-data; name="[^"]*${name}"\\r\\n\\r\\n)[^\\r]*\\r\\n`);
  expect(text).toMatch(field);
  const changed = value === null ? text.replace(field, "") : text.replace(field, `$1${value}\r\n`);
  return Buffer.from(changed, "latin1");
}

test("removing a live connection takes its ASN typed; without it, also as a crafted post, nothing is removed", async ({ page }) => {
  // Clear of the ASNs other specs seed (the participants spec's 64540–64542).
  const asn = 64550 + Math.floor(Math.random() * 40);
  const member = createUser("member", "remover");
  expect(cli(["users", "affiliate", "--username", member.username, "--asn", String(asn)]).status).toBe(0);
  await signIn(page, member, "/connections/new");
  await page.getByLabel("Network").selectOption(String(asn));
  await page.getByLabel("Router's ZeroTier node id").fill((0xb000000000 + Math.floor(Math.random() * 0xfffffff)).toString(16));
  await page.getByRole("button", { name: "Request connection" }).click();
  await expect(page).toHaveURL(/\/connections\/\d+$/);
  const id = Number(page.url().split("/").pop());
  // As if approved and provisioned: the exchange is not what this test is about.
  const [address] = await freeAddresses(1);
  await query("update connections set state = 'provisioned', ipv4_address = $2, ipv6_address = $3 where id = $1", [id, address!.ipv4, address!.ipv6]);
  await page.reload();
  const state = async () => (await query<{ state: string }>("select state from connections where id = $1", [id]))[0]!.state;

  // One click only opens the confirmation; a wrong ASN is refused in place.
  await page.getByRole("button", { name: "Remove connection" }).click();
  await page.getByLabel(`Type AS${asn} to confirm`).fill("AS1");
  await page.getByRole("button", { name: `Remove AS${asn}'s connection` }).click();
  await expect(page.getByText(`type the ASN AS${asn} to confirm`)).toBeVisible();
  expect(await state()).toBe("provisioned");

  // Crafted posts: the real request with the confirmation dropped, or emptied.
  await page.getByLabel(`Type AS${asn} to confirm`).fill(`AS${asn}`);
  const real = await captureActionRequest(page, () => page.getByRole("button", { name: `Remove AS${asn}'s connection` }).click());
  for (const body of [withField(real.body, "confirm", null), withField(real.body, "confirm", "")]) {
    const response = await page.request.fetch(real.url, { method: "POST", headers: real.headers, data: body });
    expect(response.status()).toBe(200);
    expect(await response.text()).toContain(`type the ASN AS${asn} to confirm`);
  }
  expect(await state()).toBe("provisioned");

  // Typed right, it goes ahead.
  await page.reload();
  await page.getByRole("button", { name: "Remove connection" }).click();
  await page.getByLabel(`Type AS${asn} to confirm`).fill(`as${asn}`);
  await page.getByRole("button", { name: `Remove AS${asn}'s connection` }).click();
  // The removal form leaves the page with the live state.
  await expect(page.getByTestId("connection-state")).toHaveText(/removing|removed/);
  expect(["removing", "removed"]).toContain(await state());
});

test("disabling an account takes its username typed, also against a crafted post", async ({ page }) => {
  const admin = createUser("admin");
  const target = createUser("member", "keep");
  await signIn(page, admin, "/admin/users");
  const row = page.locator(`tr[data-username="${target.username}"]`);
  await row.getByRole("button", { name: "Disable", exact: true }).click();
  await row.getByLabel(`Type ${target.username} to confirm`).fill(target.username);
  const real = await captureActionRequest(page, () => row.getByRole("button", { name: "Disable account" }).click());
  const response = await page.request.fetch(real.url, { method: "POST", headers: real.headers, data: withField(real.body, "confirm", null) });
  expect(await response.text()).toContain(`type the username ${target.username} to confirm`);
  const [user] = await query<{ disabled_at: Date | null }>("select disabled_at from users where username = $1", [target.username]);
  expect(user!.disabled_at).toBeNull();
});
