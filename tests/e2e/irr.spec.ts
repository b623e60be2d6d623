import { expect, test } from "@playwright/test";
import { createUser, query, signIn } from "./support";

const asn = 4200100000 + (process.pid % 100_000);

test("a failed IRR fetch shows on the network's page and the dashboard, with the previous list still in use; a bad as-set is refused in place", async ({ page }) => {
  await query("insert into networks (asn, name, irr_as_set) values ($1, 'IRR Example', 'RIPE::AS-EXAMPLE') on conflict (asn) do nothing", [asn]);
  await query(
    `insert into irr_prefix_lists (asn, family, as_set, prefixes, prefix_count, irr_server, irr_sources, fetched_at, attempted_at, error)
     values ($1, 4, 'RIPE::AS-EXAMPLE', '["11.1.0.0/24","11.3.0.0/24"]', 2, 'rr.example.net', 'RIPE', now() - interval '1 day', now(), 'bgpq4 timed out after 120 s asking rr.example.net for RIPE::AS-EXAMPLE (IPv4)'),
            ($1, 6, 'RIPE::AS-EXAMPLE', '[]', 0, 'rr.example.net', 'RIPE', null, now(), 'no IPv6 route objects for RIPE::AS-EXAMPLE at rr.example.net')`,
    [asn],
  );
  try {
    await signIn(page, createUser("operator"));
    const irr = page.getByRole("region", { name: "IRR prefix lists" });
    await expect(irr).toContainText(`AS${asn} IPv4: bgpq4 timed out after 120 s`);
    await expect(irr).toContainText("stays in use");
    await expect(irr).toContainText(`AS${asn} IPv6: no IPv6 route objects`);
    await expect(irr).toContainText("no list yet: its routes are filtered where IRR filtering is on");

    await page.goto(`/networks/${asn}`);
    await expect(page.getByText("As-set in use:")).toContainText("RIPE::AS-EXAMPLE (PeeringDB)");
    await expect(page.getByTestId("irr-v4")).toContainText("2 entries from RIPE::AS-EXAMPLE at rr.example.net (RIPE)");
    await expect(page.getByTestId("irr-v4")).toContainText("Last fetch failed");
    await expect(page.getByTestId("irr-v4")).toContainText("the previous list stays in use");
    await expect(page.getByTestId("irr-v6")).toContainText("no list yet");

    await page.getByLabel("This as-set:").check();
    await page.getByLabel("As-set", { exact: true }).fill("AS-FOO; reboot");
    await page.getByRole("button", { name: "Save as-set" }).click();
    await expect(page.locator("#asSet-errors")).toContainText("is not an as-set");
    expect((await query<{ irr_as_set_override: string | null }>("select irr_as_set_override from networks where asn = $1", [asn]))[0]?.irr_as_set_override).toBeNull();
  } finally {
    await query("delete from irr_prefix_lists where asn = $1", [asn]);
  }
});
