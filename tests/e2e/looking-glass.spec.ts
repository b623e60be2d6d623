/**
 * The members' looking glass in the browser, against a real BIRD route server holding real
 * routes: the route server and two members run in network namespaces joined by a bridge; the
 * route server gets its config from ztix (`deploy`) and is read by the portal with birdc on this
 * host (a "local" route server; reading over SSH is covered by
 * tests/integration/rs-irr.integration.test.ts with a real sshd). Needs root, iproute2 and bird2.
 */
import { readFileSync } from "node:fs";
import { expect, test } from "@playwright/test";
import { blackholeRoutes, netnsLab } from "../support/netns-lab";
import { cli, createUser, freeAddresses, query, signIn } from "./support";

const lab = netnsLab("l", ["rs", "m1", "m2"]);
// Addresses are picked in beforeAll among those nothing on the shared e2e LAN holds (other specs
// assign and remove connections there, and removed addresses stay in quarantine).
const hosts = { rs: "", m1: "", m2: "" };
const rsName = `lg${process.pid % 10000}${Math.floor(Math.random() * 256).toString(16)}`;
const birdc = lab.birdc;

let connectionA = 0;
let connectionB = 0;
const memberA = { asn: 1000, user: { username: "", password: "" } };
const memberB = { asn: 2000, user: { username: "", password: "" } };

test.describe("members' looking glass", () => {
  test.describe.configure({ timeout: 180_000 });

  test.beforeAll(async () => {
    test.setTimeout(180_000);
    const free = (await freeAddresses(3)).map((pair) => pair.ipv4);
    [hosts.rs, hosts.m1, hosts.m2] = [free[0]!, free[1]!, free[2]!];
    lab.bridge();
    for (const host of ["rs", "m1", "m2"] as const) lab.attach(host, hosts[host]);
    // The route server starts empty; ztix deploys its real config below.
    lab.startBird("rs", `router id ${hosts.rs};\nprotocol device {}\n`);

    const [lan] = await query<{ id: number }>("select id from lans where name = 'e2e-lan'");
    for (const [member, ip, n] of [[memberA, hosts.m1, 1], [memberB, hosts.m2, 2]] as const) {
      await query("insert into networks (asn, name) values ($1, $2) on conflict (asn) do nothing", [member.asn, `Looking Glass ${member.asn}`]);
      const [row] = await query<{ id: number }>(
        "insert into connections (lan_id, asn, zt_node_id, state, ipv4_address, route_server_peering) values ($1, $2, $3, 'provisioned', $4, true) returning id",
        [lan!.id, member.asn, (0xe1a0000000 + (process.pid % 100_000) * 4 + n).toString(16), ip],
      );
      if (member === memberA) connectionA = row!.id;
      else connectionB = row!.id;
      member.user = createUser("member", `lg${member.asn}`);
      expect(cli(["users", "affiliate", "--username", member.user.username, "--asn", String(member.asn)]).status).toBe(0);
    }
    const added = cli(["route-servers", "add", "--lan", "e2e-lan", "--name", rsName, "--local", "--ipv4", hosts.rs, "--router-id", hosts.rs, "--config-path", lab.file("rs", "conf"), "--control-socket", lab.file("rs", "ctl")]);
    // Only the reminder that a route server without a ZeroTier node is not authorized by ztix.
    expect(added.stderr).toMatch(/^(warning: no --zt-node[^\n]*\n)?$/);
    // Adding it queued the LAN's deployment, which the worker may be running: deploy waits for it.
    const deployed = cli(["deploy", "--lan", "e2e-lan"]);
    expect(deployed.stderr).toMatch(/^(ztix: another deployment of LAN e2e-lan is running; waiting up to 300 s for it to finish\n)?$/);
    expect(deployed.status).toBe(0);
    expect(readFileSync(lab.file("rs", "conf"), "utf8")).toContain(`pb_c${connectionA}_v4`);

    // Member A: one valid prefix and one bogon (filtered, reason 3); member B: one valid prefix.
    lab.startBird("m1", lab.memberConfig("m1", { address: hosts.m1, asn: memberA.asn, routeServer: hosts.rs, statics: blackholeRoutes(["11.1.0.0/24", "10.1.0.0/24"]) }));
    lab.startBird("m2", lab.memberConfig("m2", { address: hosts.m2, asn: memberB.asn, routeServer: hosts.rs, statics: blackholeRoutes(["12.2.0.0/24"]) }));
    await expect.poll(() => birdc("m2", "show", "route", "protocol", "to_rs"), { timeout: 90_000 }).toContain("11.1.0.0/24");
    await expect.poll(() => birdc("m1", "show", "route", "protocol", "to_rs"), { timeout: 60_000 }).toContain("12.2.0.0/24");
    await expect.poll(() => birdc("rs", "show", "route", "filtered", "protocol", `pb_c${connectionA}_v4`), { timeout: 60_000 }).toContain("10.1.0.0/24");
  });

  test.afterAll(async () => {
    // Nothing of this lab may outlive the test: later tests must not deploy to a route server that is gone.
    await query("update route_servers set enabled = false where name = $1", [rsName]).catch(() => undefined);
    await query("update connections set state = 'removed' where id = any($1::bigint[])", [[connectionA, connectionB]]).catch(() => undefined);
    lab.teardown();
  });

  test("a member sees its accepted and filtered routes with the reason and the routes it receives, and not another member's", async ({ page }) => {
    await signIn(page, memberA.user, `/connections/${connectionA}`);
    await page.getByRole("link", { name: /looking glass/ }).click();
    await expect(page.getByRole("heading", { name: `Routes of AS${memberA.asn} on the route servers` })).toBeVisible();

    const rows = page.getByTestId("route-row");
    await expect(page.getByTestId("route-count")).toHaveText("1 route");
    await expect(rows).toHaveCount(1);
    await expect(rows.first()).toContainText("11.1.0.0/24");
    await expect(rows.first()).toContainText(hosts.m1);

    await page.getByRole("link", { name: "Filtered", exact: true }).click();
    await expect(rows).toHaveCount(1);
    await expect(rows.first()).toContainText("10.1.0.0/24");
    await expect(rows.first()).toContainText("bogon prefix (reserved, private or documentation space) (reason 3)");

    await page.getByRole("link", { name: "Sent to you", exact: true }).click();
    await expect(rows).toHaveCount(1);
    await expect(rows.first()).toContainText("12.2.0.0/24");
    await expect(rows.first()).toContainText(String(memberB.asn));

    // Search narrows the list (an address inside the prefix finds it).
    await page.getByLabel("Search").fill("10.9.9.9");
    await page.getByRole("button", { name: "Search" }).click();
    await expect(page.getByTestId("route-count")).toHaveText("1 route, 0 matching");
    await page.getByLabel("Search").fill("12.2.0.1");
    await page.getByRole("button", { name: "Search" }).click();
    await expect(rows).toHaveCount(1);

    // Member B's connection, by id: not found for member A (page and the raw URL alike).
    const response = await page.goto(`/connections/${connectionB}/routes?kind=accepted`);
    expect(response?.status()).toBe(404);
    await expect(page.getByText("12.2.0.0/24")).toHaveCount(0);
  });

  test("an operator sees any member's routes", async ({ page }) => {
    await signIn(page, createUser("operator"), `/connections/${connectionB}/routes`);
    const rows = page.getByTestId("route-row");
    await expect(rows).toHaveCount(1);
    await expect(rows.first()).toContainText("12.2.0.0/24");
    await page.goto(`/connections/${connectionA}/routes?kind=filtered`);
    await expect(rows.first()).toContainText("10.1.0.0/24");
    await expect(rows.first()).toContainText("(reason 3)");
  });
});
