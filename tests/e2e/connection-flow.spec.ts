import { expect, test } from "@playwright/test";
import { cli, createUser, e2eState, query, signIn, simControl } from "./support";

test("a PeeringDB member requests a connection, an operator approves, the member sees it provisioned without reloading", async ({ browser }) => {
  test.setTimeout(120_000);
  const peeringDbId = 90_000 + Math.floor(Math.random() * 9_000);
  const asn = 64500;
  const nodeId = (0xd000000000 + Math.floor(Math.random() * 0xfffffff)).toString(16);
  await simControl("peeringdb", "reset");
  await simControl("peeringdb", "user", {
    id: peeringDbId,
    given_name: "Mia",
    family_name: "Member",
    email: `mia${peeringDbId}@example.net`,
    verified_user: true,
    verified_email: true,
    networks: [{ id: 20, name: "Example Transit", asn, perms: 15 }],
  });

  // The member asks.
  const member = await (await browser.newContext()).newPage();
  await member.goto("/login");
  await member.getByRole("button", { name: "Log in with PeeringDB" }).click();
  await expect(member.getByTestId("signed-in-as")).toContainText(`AS${asn}`);
  await member.goto("/connections/new");
  await member.getByLabel("Router's ZeroTier node id").fill("not-hex");
  await member.getByRole("button", { name: "Request connection" }).click();
  await expect(member.getByText("a ZeroTier node id is 10 hexadecimal digits")).toBeVisible();
  await expect(member.getByLabel("Router's ZeroTier node id")).toHaveValue("not-hex");
  await member.getByLabel("Router's ZeroTier node id").fill(nodeId.toUpperCase());
  await member.getByRole("button", { name: "Request connection" }).click();
  await expect(member).toHaveURL(/\/connections\/\d+$/);
  const connectionId = Number(member.url().split("/").pop());
  await expect(member.getByTestId("connection-state")).toHaveText("requested");

  // An operator (local account) approves.
  const operator = await (await browser.newContext()).newPage();
  await signIn(operator, createUser("operator"), "/requests");
  const request = operator.locator(`li[data-connection-id="${connectionId}"]`);
  await expect(request).toContainText(nodeId);
  await request.getByRole("button", { name: "Approve" }).click();
  // The decided request keeps its place and says what was done (nothing slides under the pointer)…
  await expect(request.getByRole("status")).toContainText(`Connection ${connectionId} approved with 192.0.2.`);
  await expect(request.getByRole("button", { name: "Approve" })).toHaveCount(0);
  await expect(request.getByRole("link", { name: `Open connection ${connectionId}` })).toHaveAttribute("href", `/connections/${connectionId}`);
  // …and leaves the list once it is read again.
  await operator.reload();
  await expect(request).toHaveCount(0);

  // Without reloading, the member's page turns "provisioned" with its addresses.
  await expect(member.getByTestId("connection-state")).toHaveText("provisioned", { timeout: 60_000 });
  const ipv4 = (await member.getByTestId("ipv4-address").textContent())!.trim();
  const ipv6 = (await member.getByTestId("ipv6-address").textContent())!.trim();
  expect(ipv4).toMatch(/^192\.0\.2\.\d+$/);
  expect(ipv6).toMatch(/^2001:db8:ffff:0:a500:6:4500:\d+$/);

  // The controller holds the router authorized with exactly those addresses.
  const [lan] = await query<{ zt_network_id: string }>("select zt_network_id from lans where name = 'e2e-lan'");
  const response = await fetch(`${e2eState().zerotierUrl}/controller/network/${lan!.zt_network_id}/member/${nodeId}`, { headers: { "X-ZT1-Auth": e2eState().zerotierToken } });
  const stored = (await response.json()) as { authorized: boolean; ipAssignments: string[]; id: string };
  expect(stored.id).toBe(nodeId);
  expect(stored.authorized).toBe(true);
  expect(stored.ipAssignments.sort()).toEqual([ipv4, ipv6].sort());

  // The member's home page shows it at a glance.
  await member.goto("/");
  const mine = member.getByTestId("member-connections");
  await expect(mine).toContainText(`AS${asn} on e2e-lan`);
  await expect(mine).toContainText("provisioned");
  await expect(mine).toContainText(ipv4);
});

test("a member cannot act on another network's connection by posting the action with another id; the attempt is audited", async ({ browser }) => {
  const owner = createUser("member", "owner");
  const stranger = createUser("member", "stranger");
  expect(cli(["users", "affiliate", "--username", owner.username, "--asn", "64502"]).status).toBe(0);
  expect(cli(["users", "affiliate", "--username", stranger.username, "--asn", "64503"]).status).toBe(0);

  const request = async (user: { username: string; password: string }, asn: number) => {
    const page = await (await browser.newContext()).newPage();
    await signIn(page, user, "/connections/new");
    await page.getByLabel("Network").selectOption(String(asn));
    await page.getByLabel("Router's ZeroTier node id").fill((0xc000000000 + Math.floor(Math.random() * 0xfffffff)).toString(16));
    await page.getByRole("button", { name: "Request connection" }).click();
    await expect(page).toHaveURL(/\/connections\/\d+$/);
    return { page, id: Number(page.url().split("/").pop()) };
  };
  const victim = await request(owner, 64502);
  const attacker = await request(stranger, 64503);

  // The stranger cannot even look at it: 404, as for an id that does not exist.
  expect((await attacker.page.goto(`/connections/${victim.id}`))?.status()).toBe(404);
  await attacker.page.goto(`/connections/${attacker.id}`);

  // Capture the stranger's own "withdraw" POST, then replay it with the victim's id.
  let captured: { url: string; headers: Record<string, string>; body: Buffer } | undefined;
  await attacker.page.route("**/*", async (route) => {
    if (route.request().method() === "POST" && route.request().headers()["next-action"]) {
      captured = { url: route.request().url(), headers: route.request().headers(), body: route.request().postDataBuffer()! };
      await route.abort();
    } else {
      await route.continue();
    }
  });
  await attacker.page.getByRole("button", { name: "Withdraw request" }).click();
  await attacker.page.getByRole("button", { name: "Withdraw the request" }).click();
  await expect.poll(() => captured).toBeTruthy();
  const forged = Buffer.from(captured!.body.toString("latin1").replace(new RegExp(`(name="[^"]*id"\\r\\n\\r\\n)${attacker.id}\\r\\n`), `$1${victim.id}\r\n`), "latin1");
  expect(forged.equals(captured!.body)).toBe(false);
  const response = await attacker.page.request.fetch(captured!.url, { method: "POST", headers: captured!.headers, data: forged });
  expect(await response.text()).toContain(`connection ${victim.id} does not exist`);

  const [row] = await query<{ state: string }>("select state from connections where id = $1", [victim.id]);
  expect(row!.state).toBe("requested");
  const denied = await query<{ details: { action: string; input: Record<string, string> } }>(
    "select details from audit_events where action = 'authorization.denied' and actor_label = $1",
    [stranger.username],
  );
  expect(denied.map((entry) => entry.details.action)).toEqual(["removeConnection"]);
  expect(denied[0]!.details.input).toMatchObject({ id: String(victim.id) });
});
