import { expect, test } from "@playwright/test";
import { cli, createUser, query, signIn, simControl } from "./support";

const randomNode = (prefix: number) => (prefix * 0x100000000 + Math.floor(Math.random() * 0xffffffff)).toString(16).padStart(10, "0");

test("a member sees its joined router online with version and path from the controller; a router that has not joined gets the join commands with the LAN's network id", async ({ browser }) => {
  test.setTimeout(180_000);
  const [lan] = await query<{ zt_network_id: string }>("select zt_network_id from lans where name = 'e2e-lan'");
  const networkId = lan!.zt_network_id;
  const member = createUser("member", "router");
  expect(cli(["users", "affiliate", "--username", member.username, "--asn", "64510"]).status).toBe(0);
  const joinedNode = randomNode(0xe1);
  const absentNode = randomNode(0xe2);

  // The member's first router runs and joins the LAN; the second never does.
  await simControl("zerotier", "peer", { mid: joinedNode, nwid: networkId, version: "1.14.1", physicalAddress: "203.0.113.5/9993", latency: 9 });

  const page = await (await browser.newContext()).newPage();
  await signIn(page, member, "/connections/new");
  // The request page's join help names the real network id.
  await expect(page.getByTestId(`join-${networkId}`)).toContainText(`zerotier-cli join ${networkId}`);
  const request = async (node: string) => {
    await page.goto("/connections/new");
    await page.getByLabel("Network").selectOption("64510");
    await page.getByLabel("Router's ZeroTier node id").fill(node);
    await page.getByRole("button", { name: "Request connection" }).click();
    await expect(page).toHaveURL(/\/connections\/\d+$/);
    return Number(page.url().split("/").pop());
  };
  const joinedId = await request(joinedNode);
  const absentId = await request(absentNode);

  // Not seen yet: the commands to run, with the LAN's network id and allowGlobal.
  await page.goto(`/connections/${absentId}`);
  await expect(page.getByTestId("router-state")).toContainText("not seen yet");
  await expect(page.getByTestId("join-commands")).toHaveText(`zerotier-cli join ${networkId}\nzerotier-cli set ${networkId} allowGlobal=1`);

  // An operator approves the first; the Requests page shows what the controller knows of each router.
  const operator = await (await browser.newContext()).newPage();
  await signIn(operator, createUser("operator"), "/requests");
  await expect(operator.locator(`li[data-connection-id="${absentId}"]`).getByTestId("router-state")).toContainText("not seen yet");
  const joinedRequest = operator.locator(`li[data-connection-id="${joinedId}"]`);
  await joinedRequest.getByRole("button", { name: "Approve" }).click();
  await expect(joinedRequest.getByRole("status")).toContainText(`Connection ${joinedId} approved with`);

  // Polled after the approval (and every minute): online, with the version and the physical path.
  await page.goto(`/connections/${joinedId}`);
  await expect(async () => {
    await page.reload();
    await expect(page.getByTestId("router-state")).toContainText("joined, online via 203.0.113.5, ZeroTier 1.14.1", { timeout: 1_000 });
  }).toPass({ timeout: 120_000, intervals: [2_000] });
  await expect(page.getByTestId("join-commands")).toHaveCount(0);

  // The operator's view of the same connection says the same.
  await operator.goto(`/connections/${joinedId}`);
  await expect(operator.getByTestId("router-state")).toContainText("joined, online via 203.0.113.5, ZeroTier 1.14.1");
});
