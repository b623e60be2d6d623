import { expect, test } from "@playwright/test";
import { createUser, query, signIn } from "./support";

// Seeded behind the portal's back, straight into the database: a LAN of its own with 2,000
// connections (so other tests' rows do not count), then removed again whatever happened.
const tag = Date.now().toString(36);
const asnBase = 4_200_000_000;
const states = ["requested", "provisioned", "active", "rejected"];
let lanId = 0;
let routeServerId = 0;

/** The node id and IPv4 address of the n-th seeded connection. */
const nodeOf = (n: number) => `f1${n.toString(16).padStart(8, "0")}`;
const ipv4Of = (n: number) => `10.80.${Math.floor((n + 11) / 256)}.${(n + 11) % 256}`;

test.beforeAll(async () => {
  const [lan] = await query<{ id: number }>(
    `insert into lans (name, zt_network_id, ipv4_prefix, ipv6_prefix, rs_asn)
     values ($1, $2, '10.80.0.0/16', '2001:db8:80::/64', 64496) returning id`,
    [`lists-${tag}`, `c771ace7ed${(Date.now() % 0xffffff).toString(16).padStart(6, "0")}`],
  );
  lanId = Number(lan!.id);
  await query(`insert into networks (asn, name) select $1::bigint + n, 'Lists Net ' || n from generate_series(0, 199) n on conflict (asn) do nothing`, [asnBase]);
  await query(
    `insert into connections (lan_id, asn, zt_node_id, state, ipv4_address, ipv6_address)
     select $1, $2::bigint + (n % 200), 'f1' || lpad(to_hex(n), 8, '0'), ($3::text[])[1 + n % 4],
            '10.80.0.0'::inet + (n + 11), '2001:db8:80::'::inet + (n + 11)
       from generate_series(0, 1999) n`,
    [lanId, asnBase, states],
  );
});

test.afterAll(async () => {
  if (routeServerId) {
    await query("delete from bgp_sessions where route_server_id = $1", [routeServerId]);
    await query("delete from deployments where route_server_id = $1", [routeServerId]);
    await query("delete from route_servers where id = $1", [routeServerId]);
  }
  if (lanId) {
    await query("delete from audit_events where subject_type = 'connection' and subject_id in (select id::text from connections where lan_id = $1)", [lanId]);
    await query("delete from address_allocations where lan_id = $1", [lanId]);
    await query("delete from drift_items where lan_id = $1", [lanId]);
    await query("delete from deployments where lan_id = $1", [lanId]);
    await query("delete from bgp_sessions where connection_id in (select id from connections where lan_id = $1)", [lanId]);
    await query("delete from connections where lan_id = $1", [lanId]);
    await query("delete from lans where id = $1", [lanId]);
  }
  await query("delete from networks n where asn between $1 and $1::bigint + 199 and not exists (select 1 from connections c where c.asn = n.asn)", [asnBase]);
});

test("the connections list with 2,000 connections sorts, searches by node id and by address, filters by state and pages, all in the URL", async ({ page }) => {
  test.setTimeout(180_000);
  await signIn(page, createUser("operator"), "/");
  await page.goto(`/connections?lan=${lanId}`);
  const range = page.getByTestId("list-range");
  const rows = page.locator("tbody tr");
  await expect(range).toHaveText("1–50 of 2,000 connections");
  await expect(rows).toHaveCount(50);

  // Sorting by router (node id): ascending, then descending; the URL carries it.
  await page.getByRole("link", { name: "Sort by Router" }).click();
  await expect(page).toHaveURL(/sort=node&dir=asc/);
  await expect(rows.first()).toContainText(nodeOf(0));
  await expect(page.getByRole("columnheader", { name: /Router/ })).toHaveAttribute("aria-sort", "ascending");
  await page.getByRole("link", { name: /Sort by Router/ }).click();
  await expect(page).toHaveURL(/sort=node&dir=desc/);
  await expect(rows.first()).toContainText(nodeOf(1999));
  await expect(range).toHaveText("1–50 of 2,000 connections");

  // Searching by node id finds exactly that router; by IPv4 address exactly that address.
  await page.getByLabel("Search", { exact: true }).fill(nodeOf(1234));
  await page.getByRole("button", { name: "Search" }).click();
  await expect(range).toHaveText("1–1 of 1 connection");
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText(nodeOf(1234));
  await expect(rows.first()).toContainText(ipv4Of(1234));

  await page.getByLabel("Search", { exact: true }).fill(ipv4Of(777));
  await page.getByRole("button", { name: "Search" }).click();
  await expect(range).toHaveText("1–1 of 1 connection");
  await expect(rows.first()).toContainText(nodeOf(777));
  await expect(page).toHaveURL(new RegExp(`q=${ipv4Of(777).replaceAll(".", "\\.")}`));

  // A state filter: a quarter of them are active; every row shown is.
  await page.getByLabel("Search", { exact: true }).fill("");
  await page.getByLabel("State", { exact: true }).selectOption("active");
  await page.getByRole("button", { name: "Search" }).click();
  await expect(range).toHaveText("1–50 of 500 connections");
  await expect(rows.filter({ hasText: "active" })).toHaveCount(50);
  // The sort order chosen before is kept by the search form.
  await expect(page).toHaveURL(/state=active.*sort=node&dir=desc/);
  await expect(rows.first()).toContainText(nodeOf(1998));

  // Paging: last, a page number, first, and the page size.
  await page.getByRole("link", { name: "Last page" }).click();
  await expect(range).toHaveText("451–500 of 500 connections");
  await expect(rows).toHaveCount(50);
  await expect(rows.last()).toContainText(nodeOf(2));
  await page.getByRole("link", { name: "Page 8" }).click();
  await expect(range).toHaveText("351–400 of 500 connections");
  await expect(page.getByRole("navigation", { name: "Pages" }).locator("[aria-current=page]")).toHaveText("8");
  await page.getByRole("link", { name: "First page" }).click();
  await expect(range).toHaveText("1–50 of 500 connections");
  await page.getByRole("navigation", { name: "Pages" }).getByRole("link", { name: "200", exact: true }).click();
  await expect(range).toHaveText("1–200 of 500 connections");
  await expect(rows).toHaveCount(200);

  // The view is shareable: the same URL in a fresh page shows the same rows.
  const shared = page.url();
  const other = await page.context().newPage();
  await other.goto(shared);
  await expect(other.getByTestId("list-range")).toHaveText("1–200 of 500 connections");
  await expect(other.locator("tbody tr").first()).toContainText(nodeOf(1998));

  // Nonsense in the URL falls back to the defaults instead of failing.
  await page.goto(`/connections?lan=${lanId}&sort=id;drop table connections&dir=sideways&page=-3&size=7`);
  await expect(range).toHaveText("1–50 of 2,000 connections");
});

test("the participants list sorts, searches by ASN, name and address and pages, all in the URL; only provisioned and active connections", async ({ page }) => {
  test.setTimeout(120_000);
  // Of the seeded connections, network n (AS base + n) has state states[n % 4]: networks 1, 2, 5,
  // 6, … are provisioned or active, 10 connections each; the others are never listed.
  const asnOf = (network: number) => `AS${asnBase + network}`;
  await signIn(page, createUser("member", "participants"), "/");
  await page.goto(`/participants?lan=${lanId}`);
  const range = page.getByTestId("list-range");
  const rows = page.getByTestId("participant");
  await expect(range).toHaveText("1–50 of 1,000 connections");
  await expect(rows).toHaveCount(50);
  await expect(page.getByLabel("Peering LAN", { exact: true })).toHaveValue(String(lanId));
  await expect(rows.first()).toContainText(asnOf(1));

  // Sorting by ASN, descending: the last listed network first.
  await page.getByRole("link", { name: /Sort by ASN/ }).click();
  await expect(page).toHaveURL(/sort=asn&dir=desc/);
  await expect(rows.first()).toContainText(asnOf(198));
  await expect(page.getByRole("columnheader", { name: /ASN/ })).toHaveAttribute("aria-sort", "descending");
  // By IPv4 address, ascending: the first listed connection (n = 1) first.
  await page.getByRole("link", { name: "Sort by IPv4" }).click();
  await expect(page).toHaveURL(/sort=address&dir=asc/);
  await expect(rows.first().getByRole("cell", { name: ipv4Of(1), exact: true })).toBeVisible();

  const search = async (text: string) => {
    await page.getByLabel("Search", { exact: true }).fill(text);
    await page.getByRole("button", { name: "Search" }).click();
  };
  // By ASN: a listed network's 10 connections; a network whose connections are only requested: none.
  await search(asnOf(5));
  await expect(range).toHaveText("1–10 of 10 connections");
  await expect(rows.filter({ hasText: "Lists Net 5" })).toHaveCount(10);
  await search(String(asnBase + 4));
  await expect(page.getByText("No participants match.")).toBeVisible();
  // By name, and by address (exactly that one).
  await search("Lists Net 42");
  await expect(range).toHaveText("1–10 of 10 connections");
  await expect(rows.first()).toContainText(asnOf(42));
  await search(ipv4Of(1234));
  await expect(range).toHaveText("1–1 of 1 connection");
  await expect(rows.first()).toContainText("Lists Net 34");
  await expect(page).toHaveURL(new RegExp(`q=${ipv4Of(1234).replaceAll(".", "\\.")}.*lan=${lanId}.*sort=address&dir=asc`));

  // Paging, with the sort kept.
  await search("");
  await expect(range).toHaveText("1–50 of 1,000 connections");
  await page.getByRole("link", { name: "Last page" }).click();
  await expect(range).toHaveText("951–1,000 of 1,000 connections");
  await expect(rows.last().getByRole("cell", { name: ipv4Of(1998), exact: true })).toBeVisible();
  const shared = page.url();
  const other = await page.context().newPage();
  await other.goto(shared);
  await expect(other.getByTestId("list-range")).toHaveText("951–1,000 of 1,000 connections");
});

test("a route server's page with 500 sessions shows its deployments first and pages its sessions", async ({ page }) => {
  test.setTimeout(120_000);
  // Disabled: nothing deploys it; the page is what is under test.
  const [server] = await query<{ id: number }>(
    `insert into route_servers (lan_id, name, transport, ipv4_address, ipv6_address, router_id, enabled, config_path, control_socket)
     values ($1, $2, 'local', '10.80.0.2', '2001:db8:80::2', '10.80.0.2', false, $3, $4) returning id`,
    [lanId, `rs-lists-${tag}`, `/nonexistent/rs-lists-${tag}.conf`, `/nonexistent/rs-lists-${tag}.ctl`],
  );
  routeServerId = Number(server!.id);
  await query(
    `insert into deployments (route_server_id, lan_id, status, trigger, sha256, config, started_at, finished_at)
     select $1, $2, 'succeeded', 'e2e ' || n, md5(n::text) || md5(n::text), '# config ' || n, now() - n * interval '1 hour', now() - n * interval '1 hour'
       from generate_series(1, 3) n`,
    [routeServerId, lanId],
  );
  await query(
    `insert into bgp_sessions (route_server_id, connection_id, family, state, info)
     select $1, c.id, f, case when c.id % 5 = 0 then 'start' else 'up' end, case when c.id % 5 = 0 then 'Idle' else 'Established' end
       from (select id from connections where lan_id = $2 order by id limit 250) c, (values (4), (6)) families(f)`,
    [routeServerId, lanId],
  );

  await signIn(page, createUser("operator"), "/");
  await page.goto(`/route-servers/${routeServerId}`);
  const headings = await page.getByRole("heading", { level: 2 }).allTextContents();
  expect(headings.indexOf("Deployments")).toBeGreaterThanOrEqual(0);
  expect(headings.indexOf("Deployments")).toBeLessThan(headings.indexOf("BGP sessions"));
  // The deployments table comes before any session row in the document.
  const deployments = page.getByRole("region", { name: "Deployments" });
  await expect(deployments.getByText("e2e 1", { exact: true })).toBeVisible();
  const sessionRows = page.getByTestId("bgp-session");
  const sessionList = page.getByRole("region", { name: "BGP sessions" });
  await expect(sessionRows).toHaveCount(50);
  await expect(sessionList.getByTestId("list-range")).toHaveText("1–50 of 500 sessions");
  await expect(deployments.getByTestId("list-range")).toHaveText("1–3 of 3 deployments");
  const order = await page.evaluate(() => {
    const table = document.querySelector("#deployments-heading");
    const firstSession = document.querySelector("[data-testid=bgp-session]");
    return table && firstSession ? table.compareDocumentPosition(firstSession) & Node.DOCUMENT_POSITION_FOLLOWING : 0;
  });
  expect(order).toBeTruthy();

  await sessionList.getByRole("link", { name: "Last page" }).click();
  await expect(sessionList.getByTestId("list-range")).toHaveText("451–500 of 500 sessions");
  await sessionList.getByLabel("State", { exact: true }).selectOption("down");
  await sessionList.getByRole("button", { name: "Search" }).click();
  await expect(sessionList.getByTestId("list-range")).toHaveText("1–50 of 100 sessions");
  // The deployments list keeps its own state beside the sessions'.
  await deployments.getByLabel("Outcome", { exact: true }).selectOption("failed");
  await deployments.getByRole("button", { name: "Search" }).click();
  await expect(deployments.getByTestId("list-range")).toHaveText("No deployments");
  await expect(sessionList.getByTestId("list-range")).toHaveText("1–50 of 100 sessions");
  await expect(sessionRows.filter({ hasText: "Idle" })).toHaveCount(50);
});
