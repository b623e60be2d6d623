import { expect, test } from "@playwright/test";
import { cli, createUser, query, signIn } from "./support";

test("a member sets its e-mail address and switches a kind of mail off; bad input keeps what was typed", async ({ page }) => {
  const member = createUser("member", "mail");
  await signIn(page, member, "/account/notifications");
  await expect(page.getByRole("heading", { name: "Notifications" })).toBeVisible();
  // Members see their kinds only.
  await expect(page.getByText("A route-server deployment failed")).toHaveCount(0);
  const approved = page.getByLabel("My connection request was approved (with the addresses)");
  await expect(approved).toBeChecked();

  await page.getByLabel("E-mail address").fill("not an address");
  await approved.uncheck();
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByText("enter an e-mail address, or leave it empty for no mail")).toBeVisible();
  await expect(page.getByLabel("E-mail address")).toHaveValue("not an address");
  await expect(page.getByLabel("My connection request was approved (with the addresses)")).not.toBeChecked();

  await page.getByLabel("E-mail address").fill("noc@member.example");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByText("Saved. Mail goes to noc@member.example.")).toBeVisible();
  await page.reload();
  await expect(page.getByLabel("E-mail address")).toHaveValue("noc@member.example");
  await expect(page.getByLabel("My connection request was approved (with the addresses)")).not.toBeChecked();
  await expect(page.getByLabel("My connection request was rejected (with the reason)")).toBeChecked();
  const [stored] = await query<{ email: string; kinds: string[] }>(
    "select u.email, array(select kind from notification_opt_outs o where o.user_id = u.id order by kind) as kinds from users u where u.username = $1",
    [member.username],
  );
  expect(stored).toEqual({ email: "noc@member.example", kinds: ["request_approved"] });
});

test("signed-in members see the exchange's participants: provisioned and active connections only", async ({ page }) => {
  const [lan] = await query<{ id: number }>("select id from lans where name = 'e2e-lan'");
  await query("insert into networks (asn, name, peeringdb_id) values (64540, 'Listed Net', 4540), (64541, 'Waiting Net', null) on conflict (asn) do nothing");
  await query(
    "insert into connections (lan_id, asn, zt_node_id, state, ipv4_address, ipv6_address, route_server_peering, provisioned_at) values ($1, 64540, 'e4e4e4e4e4', 'active', '192.0.2.240', '2001:db8:ffff::240', false, now()), ($1, 64541, 'e4e4e4e4e5', 'requested', null, null, true, null)",
    [lan!.id],
  );
  const member = createUser("member", "participants");
  expect(cli(["users", "affiliate", "--username", member.username, "--asn", "64542"]).status).toBe(0);
  await signIn(page, member, "/participants");
  const listed = page.locator('tr[data-testid="participant"][data-asn="64540"]');
  await expect(listed).toContainText("Listed Net");
  await expect(listed).toContainText("bilateral only");
  await expect(listed).toContainText("192.0.2.240");
  await expect(listed.getByRole("link", { name: "PeeringDB" })).toHaveAttribute("href", "https://www.peeringdb.com/net/4540");
  await expect(page.locator('tr[data-testid="participant"][data-asn="64541"]')).toHaveCount(0);
});
