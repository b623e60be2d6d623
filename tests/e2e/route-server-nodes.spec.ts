import { rmSync } from "node:fs";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { createUser, e2eState, query, signIn } from "./support";

const scratchFiles: string[] = [];
test.afterAll(() => {
  for (const file of scratchFiles) for (const suffix of ["", ".ztix-new", ".ztix-prev"]) rmSync(`${file}${suffix}`, { force: true });
});

test("an operator sees a route server without a ZeroTier node on the dashboard, sets it on its page, and ztix authorizes it with its addresses", async ({ page }) => {
  test.setTimeout(120_000);
  const name = `rs-e2e-${Date.now().toString(36)}`;
  const nodeId = (0xe000000000 + Math.floor(Math.random() * 0xfffffff)).toString(16);
  // A route server from before route servers had nodes (set up behind the portal's back). Its
  // config goes to a scratch file: the deployment a change queues must not touch this host's BIRD.
  const scratch = path.resolve(".data", "e2e", name);
  scratchFiles.push(`${scratch}.conf`);
  const [server] = await query<{ id: number }>(
    `insert into route_servers (lan_id, name, transport, ipv4_address, ipv6_address, router_id, config_path, control_socket)
     select id, $1, 'local', '192.0.2.3', '2001:db8:ffff::3', '192.0.2.3', $2, $3 from lans where name = 'e2e-lan' returning id`,
    [name, `${scratch}.conf`, `${scratch}.ctl`],
  );
  await signIn(page, createUser("operator"), "/");
  const card = page.locator("li", { hasText: name });
  await expect(card.getByTestId("rs-without-node")).toContainText(`route-servers set-node --name ${name} --zt-node NODEID`);

  await page.goto(`/route-servers/${server!.id}`);
  await page.getByLabel("ZeroTier node id").fill("not-a-node");
  await page.getByRole("button", { name: "Set node" }).click();
  await expect(page.getByText("a ZeroTier node id is 10 hexadecimal digits")).toBeVisible();
  await page.getByLabel("ZeroTier node id").fill(nodeId.toUpperCase());
  await page.getByRole("button", { name: "Set node" }).click();
  await expect(page.getByText(`Node ${nodeId} recorded`)).toBeVisible();

  const [lan] = await query<{ zt_network_id: string }>("select zt_network_id from lans where name = 'e2e-lan'");
  await expect
    .poll(async () => {
      const response = await fetch(`${e2eState().zerotierUrl}/controller/network/${lan!.zt_network_id}/member/${nodeId}`, { headers: { "X-ZT1-Auth": e2eState().zerotierToken } });
      return response.status === 200 ? ((await response.json()) as { authorized: boolean; ipAssignments: string[] }) : null;
    }, { timeout: 60_000 })
    .toMatchObject({ authorized: true, ipAssignments: ["192.0.2.3", "2001:db8:ffff::3"] });
  await page.goto("/");
  await expect(page.locator("li", { hasText: name }).getByTestId("rs-without-node")).toHaveCount(0);
});

test("a member copies and downloads its router configuration from the connection page", async ({ browser }) => {
  const asn = 64510 + Math.floor(Math.random() * 80);
  const member = createUser("member");
  const [user] = await query<{ id: number }>("select id from users where username = $1", [member.username]);
  await query("insert into networks (asn, name) values ($1, 'Example') on conflict do nothing", [asn]);
  await query("insert into user_networks (user_id, asn, source, perms, network_name) values ($1, $2, 'peeringdb', 15, 'Example')", [user!.id, asn]);
  const [connection] = await query<{ id: number }>(
    `insert into connections (lan_id, asn, zt_node_id, state, ipv4_address, ipv6_address)
     select id, $1, $2, 'provisioned', '192.0.2.77', '2001:db8:ffff::77' from lans where name = 'e2e-lan' returning id`,
    [asn, (0xf000000000 + asn).toString(16)],
  );
  const [lan] = await query<{ zt_network_id: string }>("select zt_network_id from lans where name = 'e2e-lan'");
  // Its own route server (no deployment runs: set up behind the portal's back).
  await query(
    `insert into route_servers (lan_id, name, transport, ipv4_address, router_id, config_path, control_socket)
     select id, $1, 'local', '192.0.2.4', '192.0.2.4', '/nonexistent/bird.conf', '/nonexistent/bird.ctl' from lans where name = 'e2e-lan'`,
    [`rs-cfg-${Date.now().toString(36)}`],
  );
  const context = await browser.newContext();
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  const page = await context.newPage();
  await signIn(page, member, `/connections/${connection!.id}`);
  const section = page.getByTestId("router-config");
  await expect(section.getByTestId("router-config-bird")).toContainText(`zerotier-cli set ${lan!.zt_network_id} allowGlobal=1`);
  await expect(section.getByTestId("router-config-bird")).toContainText(`local 192.0.2.77 as ${asn};`);
  await section.getByRole("tab", { name: "FRR" }).click();
  await expect(section.getByTestId("router-config-frr")).toContainText(`router bgp ${asn}`);
  await section.getByRole("button", { name: "Copy" }).click();
  await expect(section.getByText("Copied.")).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toContain(`router bgp ${asn}`);
  const download = page.waitForEvent("download");
  await section.getByRole("link", { name: "Download" }).click();
  const file = await (await download).path();
  const { readFileSync } = await import("node:fs");
  expect(readFileSync(file, "utf8")).toContain("neighbor 192.0.2.4 remote-as 64496");

  // Another member asking for this connection's configuration gets the same 404 as for a missing one.
  const stranger = await (await browser.newContext()).newPage();
  await signIn(stranger, createUser("member"), "/");
  const foreign = await stranger.request.get(`/api/v1/connections/${connection!.id}/router-config`);
  const missing = await stranger.request.get("/api/v1/connections/99999999/router-config");
  expect(foreign.status()).toBe(404);
  expect(missing.status()).toBe(404);
});
