import { expect, test } from "@playwright/test";
import { createUser, e2eState, expectNoHorizontalScroll, freeAddresses, query, signIn, simControl } from "./support";

async function controllerNetwork(networkId: string) {
  const response = await fetch(`${e2eState().zerotierUrl}/controller/network/${networkId}`, { headers: { "X-ZT1-Auth": e2eState().zerotierToken } });
  return response.status === 200 ? ((await response.json()) as { mtu: number; private: boolean; routes: { target: string }[] }) : null;
}

test("an operator creates a LAN and a route server, drains and undrains it, all in the UI", async ({ page }) => {
  test.setTimeout(180_000);
  const suffix = Date.now().toString(36);
  const lanName = `ui-lan-${suffix}`;
  const rsName = `ui-rs-${suffix}`;
  await signIn(page, createUser("operator"), "/lans");

  // Bad input: the field's error in place, nothing created.
  const create = page.getByRole("form", { name: "New peering LAN" });
  await create.getByLabel("Name").fill(lanName);
  await create.getByLabel("Route-server ASN").fill("64497");
  await create.getByLabel("IPv4 prefix").fill("198.51.100.1/24");
  await create.getByLabel("IPv6 prefix").fill("2001:db8:aaaa::/64");
  await create.getByRole("button", { name: "Create LAN" }).click();
  await expect(create.locator("#ipv4-errors")).toContainText("198.51.100.1/24 is not an IPv4 prefix");
  expect(await query("select id from lans where name = $1", [lanName])).toHaveLength(0);

  await create.getByLabel("IPv4 prefix").fill("198.51.100.0/24");
  await create.getByRole("button", { name: "Create LAN" }).click();
  await expect(create.getByRole("status")).toContainText(`Created LAN ${lanName} on ZeroTier network`);
  const [lan] = await query<{ id: number; zt_network_id: string }>("select id, zt_network_id from lans where name = $1", [lanName]);
  expect(await controllerNetwork(lan!.zt_network_id)).toMatchObject({ private: true, mtu: 2800 });

  // Edit: a new MTU reaches the ZeroTier network.
  await page.goto(`/lans/${lan!.id}`);
  const settings = page.getByRole("form", { name: "LAN settings" });
  await settings.getByLabel("MTU").fill("2700");
  await settings.getByRole("button", { name: "Save settings" }).click();
  await expect(settings.getByRole("status")).toContainText("the new MTU is set on its ZeroTier network");
  expect(await controllerNetwork(lan!.zt_network_id)).toMatchObject({ mtu: 2700 });

  // A route server "on this host" whose config path does not exist: the deployments its changes
  // queue fail harmlessly, never touching this host's BIRD or leaving files behind.
  const scratch = `/nonexistent/${rsName}`;
  await page.goto("/route-servers");
  const add = page.getByRole("form", { name: "Add a route server" });
  await add.getByLabel("LAN", { exact: true }).selectOption({ label: lanName });
  await add.getByLabel("Name").fill(rsName);
  await add.getByLabel("Reached over").selectOption("local");
  await add.getByLabel("ZeroTier node id").fill("e1e2e3e4e5");
  await add.getByLabel("LAN address, IPv4").fill("198.51.100.2");
  await add.getByLabel("LAN address, IPv6").fill("2001:db8:aaaa::2");
  await add.getByLabel("Router id").fill("198.51.100.2");
  await add.getByLabel("Config path").fill(`${scratch}.conf`);
  await add.getByLabel("BIRD control socket").fill(`${scratch}.ctl`);
  await add.getByRole("button", { name: "Add route server" }).click();
  await expect(add.getByRole("status")).toContainText(`Added ${rsName} to ${lanName}`);
  const [server] = await query<{ id: number; drained: boolean }>("select id, drained from route_servers where name = $1", [rsName]);
  expect(server!.drained).toBe(false);

  await page.getByRole("link", { name: rsName }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(`Route server ${rsName}`);
  await page.getByRole("button", { name: "Drain for maintenance" }).click();
  await expect(page.getByTestId("drain-form").getByRole("status")).toContainText("GRACEFUL_SHUTDOWN (65535:0)");
  await page.reload();
  const badges = page.getByTestId("route-server-state");
  await expect(badges.getByText("drained", { exact: true })).toBeVisible();
  await expect(badges.getByText("enabled", { exact: true })).toBeVisible();
  // What the next deployment sends: every route with the graceful-shutdown community.
  await expect(page.getByTestId("config-diff")).toContainText("bgp_community.add((65535, 0));");
  expect((await query<{ drained: boolean }>("select drained from route_servers where id = $1", [server!.id]))[0]!.drained).toBe(true);
  // The list says so too, beside the other route servers.
  await page.goto("/route-servers");
  const listed = page.locator(`tr[data-route-server="${rsName}"]`).getByTestId("route-server-state");
  await expect(listed.getByText("drained", { exact: true })).toBeVisible();
  await expect(listed.getByText("enabled", { exact: true })).toBeVisible();
  await page.getByRole("link", { name: rsName }).click();

  await page.getByRole("button", { name: "Undrain" }).click();
  await expect(page.getByTestId("drain-form").getByRole("status")).toContainText("Undrained");
  await page.reload();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(`Route server ${rsName}`);
  await expect(page.getByTestId("drain-state")).toContainText("In service");
  await expect(badges.getByText("drained", { exact: true })).toHaveCount(0);
  const audit = await query<{ action: string }>("select action from audit_events where subject_type = 'route_server' and subject_id = $1 and action like '%drained' order by id", [String(server!.id)]);
  expect(audit.map((row) => row.action)).toEqual(["route_server.drained", "route_server.undrained"]);

  // Disabled: the badge says so here and in the list.
  await page.getByRole("button", { name: "Disable", exact: true }).click();
  await expect(page.getByText("Disabled; the LAN's deployment is queued.")).toBeVisible();
  await page.reload();
  await expect(badges.getByText("disabled", { exact: true })).toBeVisible();
  await page.goto("/route-servers");
  await expect(listed.getByText("disabled", { exact: true })).toBeVisible();
  await expect(listed.getByText("drained", { exact: true })).toHaveCount(0);
});

test("an admin creates an account with a one-time sign-in link; the link sets a password once", async ({ page, browser }) => {
  test.setTimeout(120_000);
  const username = `invited-${Date.now().toString(36)}`;
  await signIn(page, createUser("admin"), "/admin/users");
  const form = page.getByRole("form", { name: "New account" });
  await form.getByLabel("Username").fill(username);
  await form.getByLabel("Role").selectOption("member");
  await form.getByLabel("Networks (ASNs)").fill("AS64511, 64512");
  await form.getByRole("button", { name: "Create account" }).click();
  await expect(form.getByRole("status")).toContainText(`Created member ${username} with AS64511, AS64512`);
  const link = (await form.getByTestId("sign-in-link").textContent())!;
  expect(link).toMatch(/\/welcome\/[A-Za-z0-9_-]{43}$/);
  await expect(form.getByRole("button", { name: "Copy link" })).toBeVisible();
  const [stored] = await query<{ token_hash: string }>("select token_hash from user_sign_in_tokens t join users u on u.id = t.user_id where u.username = $1", [username]);
  expect(stored!.token_hash).not.toContain(link.split("/").pop());

  const invited = await (await browser.newContext()).newPage();
  await invited.goto(new URL(link).pathname);
  await invited.getByLabel("New password").fill("a fine long passphrase 7");
  await invited.getByLabel("The same again").fill("a fine long passphrase 7");
  await invited.getByRole("button", { name: "Set password" }).click();
  await expect(invited.getByRole("status")).toContainText(`Password set for ${username}`);
  await signIn(invited, { username, password: "a fine long passphrase 7" }, "/");
  // Used once: the link is spent.
  await invited.goto(new URL(link).pathname);
  await expect(invited.getByText("This sign-in link is invalid, used or expired")).toBeVisible();

  // With a password instead; a bad one is answered in place.
  const second = `direct-${Date.now().toString(36)}`;
  await page.reload();
  await form.getByLabel("Username").fill(second);
  await form.getByLabel("Role").selectOption("operator");
  await form.getByLabel("A password I set").check();
  await form.getByLabel("Password", { exact: true }).fill("short");
  await form.getByRole("button", { name: "Create account" }).click();
  await expect(form.locator("#password-errors")).toContainText("password must be at least 12 characters");
  await form.getByLabel("Password", { exact: true }).fill("another long passphrase 9");
  await form.getByRole("button", { name: "Create account" }).click();
  await expect(form.getByRole("status")).toContainText(`Created operator ${second}.`);
  await expect(page.locator(`tr[data-username="${second}"]`)).toBeVisible();
});

test("the Requests page shows each network's PeeringDB record and warnings, and approves ticked requests in bulk with a result per request", async ({ page }) => {
  test.setTimeout(120_000);
  const base = 64600 + Math.floor(Math.random() * 300);
  await query("insert into networks (asn, name, irr_as_set, info_prefixes4, info_prefixes6, peeringdb_id, known_to_peeringdb) values ($1, 'Bulk Example', 'AS-BULK', 12, 3, 4242, true) on conflict (asn) do update set irr_as_set = 'AS-BULK', info_prefixes4 = 12, info_prefixes6 = 3, peeringdb_id = 4242, known_to_peeringdb = true", [base]);
  await query("insert into networks (asn, known_to_peeringdb) values ($1, false) on conflict (asn) do update set known_to_peeringdb = false", [base + 1]);
  const ids: number[] = [];
  for (const asn of [base, base + 1]) {
    const [row] = await query<{ id: number }>(
      "insert into connections (lan_id, asn, zt_node_id, state) select id, $1, $2, 'requested' from lans where name = 'e2e-lan' returning id",
      [asn, (0xc000000000 + asn).toString(16)],
    );
    ids.push(row!.id);
  }
  await signIn(page, createUser("operator"), "/requests");
  const first = page.locator(`li[data-connection-id="${ids[0]}"]`);
  await expect(first.getByTestId("request-facts")).toContainText("Bulk Example");
  await expect(first.getByTestId("request-facts")).toContainText("AS-BULK");
  await expect(first.getByTestId("request-facts")).toContainText("prefixes 12 IPv4, 3 IPv6");
  await expect(first.getByRole("link", { name: "Bulk Example" })).toHaveAttribute("href", "https://www.peeringdb.com/net/4242");
  // Both are in the RFC 6996 private range; the second has no PeeringDB record at all.
  await expect(first.getByRole("list", { name: "Warnings" })).toContainText("private (RFC 6996) ASN");
  const second = page.locator(`li[data-connection-id="${ids[1]}"]`);
  await expect(second.getByRole("list", { name: "Warnings" })).toContainText(`AS${base + 1} has no PeeringDB record`);

  // A single decision stays in its place with its outcome; the rest of the list does not move.
  const [rejectedRow] = await query<{ id: number }>(
    "insert into connections (lan_id, asn, zt_node_id, state) select id, $1, $2, 'requested' from lans where name = 'e2e-lan' returning id",
    [base, (0xc100000000 + base).toString(16)],
  );
  await page.reload();
  const toReject = page.locator(`li[data-connection-id="${rejectedRow!.id}"]`);
  await toReject.getByLabel("Reason (shown to the network)").fill("no contract signed yet");
  await toReject.getByRole("button", { name: "Reject", exact: true }).click();
  // Where the next requests are on the page (not in the viewport, which a click may scroll).
  const topOf = (locator: typeof first) => locator.evaluate((element) => element.getBoundingClientRect().top + window.scrollY);
  const firstTop = await topOf(first);
  await toReject.getByRole("button", { name: "Reject the request" }).click();
  await expect(toReject.getByRole("status")).toContainText(`Connection ${rejectedRow!.id} rejected; the network sees the reason`);
  await expect(toReject.getByRole("button", { name: "Reject", exact: true })).toHaveCount(0);
  expect(await topOf(first)).toBe(firstTop);
  const [rejected] = await query<{ state: string; reason: string }>("select state, reason from connections where id = $1", [rejectedRow!.id]);
  expect(rejected).toEqual({ state: "rejected", reason: "no contract signed yet" });

  await page.getByRole("button", { name: "Approve the ticked requests" }).click();
  await expect(page.getByRole("form", { name: "Approve several requests" }).getByRole("alert")).toContainText("Tick the requests to approve first.");
  for (const id of ids) await page.getByLabel(new RegExp(`^Tick connection ${id} `)).check();
  await page.getByRole("button", { name: "Approve the ticked requests" }).click();
  const result = page.getByRole("form", { name: "Approve several requests" }).getByRole("status");
  await expect(result).toContainText("2 of 2 approved");
  await expect(result).toContainText(`Connection ${ids[0]}: approved with 192.0.2.`);
  await expect(result).toContainText(`Connection ${ids[1]}: approved with 192.0.2.`);
  const states = await query<{ state: string }>("select state from connections where id = any($1::int[])", [ids]);
  expect(states.map((row) => row.state).every((state) => state !== "requested")).toBe(true);
});

test("no horizontal scroll at 390 px on the main pages; copy buttons on snippets and keys", async ({ browser }) => {
  test.setTimeout(180_000);
  const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const page = await context.newPage();
  const admin = createUser("admin");
  const asn = 64530 + Math.floor(Math.random() * 40);
  await query("insert into networks (asn, name) values ($1, 'Narrow Example') on conflict do nothing", [asn]);
  const [connection] = await query<{ id: number }>(
    `insert into connections (lan_id, asn, zt_node_id, state, ipv4_address, ipv6_address)
     select id, $1, $2, 'provisioned', '192.0.2.88', '2001:db8:ffff::88' from lans where name = 'e2e-lan' returning id`,
    [asn, (0xd000000000 + asn).toString(16)],
  );
  // A failed one whose reason quotes the controller's URL: one long word.
  const [failed] = await query<{ id: number }>(
    `insert into connections (lan_id, asn, zt_node_id, state, reason)
     select id, $1, $2, 'failed', $3 from lans where name = 'e2e-lan' returning id`,
    [asn, (0xd100000000 + asn).toString(16), `ZeroTier controller at http://127.0.0.1:9993/controller/network/c771ace7ed2ad4ea/member/${(0xd100000000 + asn).toString(16)} rejected POST (HTTP 400)`],
  );
  // Its history as the audit log keeps it: one long JSON line must wrap, and read as fields.
  await query(
    `insert into audit_events (actor_type, actor_label, action, subject_type, subject_id, before, after)
     values ('job', 'provision_connection', 'connection.provisioned', 'connection', $1, $2, $3)`,
    [String(connection!.id), JSON.stringify({ state: "provisioning", reason: null }), JSON.stringify({ ipv4: "192.0.2.88", ipv6: "2001:db8:ffff:0:a500:6:4500:1", state: "provisioned", reason: null, routeServerPeering: true, ztNodeId: (0xd000000000 + asn).toString(16) })],
  );
  // A route server on the LAN, so the connection page has a router configuration (set up behind
  // the portal's back: no deployment runs).
  await query(
    `insert into route_servers (lan_id, name, transport, ipv4_address, router_id, config_path, control_socket)
     select id, $1, 'local', '192.0.2.5', '192.0.2.5', '/nonexistent/bird.conf', '/nonexistent/bird.ctl' from lans where name = 'e2e-lan'`,
    [`rs-narrow-${Date.now().toString(36)}`],
  );
  await signIn(page, admin, "/");
  const [lan] = await query<{ id: number }>("select id from lans where name = 'e2e-lan'");
  const [server] = await query<{ id: number }>("select id from route_servers order by id limit 1");
  for (const target of ["/", "/lans", `/lans/${lan!.id}`, "/route-servers", ...(server ? [`/route-servers/${server.id}`] : []), "/requests", "/connections", `/connections/${connection!.id}`, `/connections/${failed!.id}`, "/networks", "/participants", "/jobs", "/admin/users", "/admin/api-keys", "/admin/audit", "/api-docs"]) {
    await expectNoHorizontalScroll(page, target);
  }
  await page.goto(`/connections/${connection!.id}`);
  await expect(page.getByTestId("connection-history")).toContainText("stateprovisioning → provisioned");
  await expect(page.getByTestId("router-config").getByRole("button", { name: "Copy" })).toBeVisible();
  // The snippet starts at its first line, scrolled to the top (nothing cut off above).
  const snippet = page.getByTestId("router-config-bird");
  const expected = await (await page.request.get(`/api/v1/connections/${connection!.id}/router-config?flavor=bird`)).text();
  expect((await snippet.innerText()).split("\n")[0]).toBe(expected.split("\n")[0]);
  expect(await snippet.evaluate((element) => element.scrollTop)).toBe(0);
  await expect(page.getByTestId("api-example")).toHaveCount(0);
  await page.goto("/api-docs");
  await expect(page.getByTestId("api-example")).toBeVisible();
  await expect(page.getByTestId("copy-button").first()).toBeVisible();
  await expect(page.getByTestId("api-operation").filter({ hasText: "/api/v1/connections/{id}/approve" })).toContainText("Request body (application/json)");

  await page.goto("/admin/api-keys");
  await page.getByLabel("Name", { exact: true }).fill(`narrow-${Date.now().toString(36)}`);
  await page.getByRole("button", { name: "Create key" }).click();
  await expect(page.getByTestId("new-api-key")).toBeVisible();
  await expect(page.getByRole("button", { name: "Copy key" })).toBeVisible();

  // Dark mode follows the system setting.
  await page.goto("/lans");
  const colours = () => page.evaluate(() => [getComputedStyle(document.body).backgroundColor, getComputedStyle(document.querySelector("header")!).backgroundColor, getComputedStyle(document.querySelector("form")!).backgroundColor]);
  const light = await colours();
  await page.emulateMedia({ colorScheme: "dark" });
  const dark = await colours();
  for (const [index, colour] of dark.entries()) expect(colour, `element ${index} keeps its light background in dark mode`).not.toBe(light[index]);
  await context.close();
});

test("retrying a failed connection answers in place, and the answer stays while the retry runs and fails again", async ({ page }) => {
  const asn = 64580 + Math.floor(Math.random() * 15);
  const node = (0xd200000000 + asn).toString(16);
  await query("insert into networks (asn, name) values ($1, 'Retry Example') on conflict do nothing", [asn]);
  const [address] = await freeAddresses(1);
  const [failed] = await query<{ id: number }>(
    `insert into connections (lan_id, asn, zt_node_id, state, reason, failed_operation, ipv4_address, ipv6_address)
     select id, $1, $2, 'failed', 'the controller refused the router', 'provision', $3, $4 from lans where name = 'e2e-lan' returning id`,
    [asn, node, address!.ipv4, address!.ipv6],
  );
  // The controller still refuses this router: the retry fails again.
  await simControl("zerotier", "faults", { refuseMember: node });
  try {
    await signIn(page, createUser("operator"), `/connections/${failed!.id}`);
    await page.getByRole("button", { name: "Retry" }).click();
    const answer = page.getByRole("status").filter({ hasText: "Queued at" });
    await expect(answer).toContainText(/Queued at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC; this page follows what happens\./);
    await expect
      .poll(async () => (await query("select 1 from audit_events where action = 'connection.failed' and subject_id = $1", [String(failed!.id)])).length, { timeout: 60_000 })
      .toBeGreaterThan(0);
    await expect(page.getByTestId("connection-state")).toHaveText("failed", { timeout: 10_000 });
    await expect(answer).toBeVisible();
  } finally {
    await simControl("zerotier", "faults", { refuseMember: "" });
  }
});
