import { expect, test } from "@playwright/test";
import { createUser, e2eState, query, signIn, simControl } from "./support";

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
  // Decided requests leave the list.
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
});
