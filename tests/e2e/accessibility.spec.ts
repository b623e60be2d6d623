import { AxeBuilder } from "@axe-core/playwright";
import { expect, test, type Browser, type Page } from "@playwright/test";
import { cli, createUser, freeAddresses, query, signIn } from "./support";

// WCAG 2.x A and AA as axe checks them (colour contrast among them), in the light and the dark
// colour scheme: users reported grey text too faint to read.
const WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];
const SCHEMES = ["light", "dark"] as const;
// A private 32-bit ASN no other spec uses.
const ASN = 4_201_000_001;

/** axe's findings on the page as it is, one line per element, empty when there are none. */
async function wcagViolations(page: Page) {
  const results = await new AxeBuilder({ page }).withTags(WCAG_TAGS).analyze();
  return results.violations.flatMap((violation) =>
    violation.nodes.map((node) => `${violation.id}: ${node.target.join(" ")} — ${node.failureSummary?.replaceAll("\n", " ") ?? violation.help}`),
  );
}

/**
 * Placeholders whose text is below 4.5:1 against their field (WCAG 1.4.3), which axe does not
 * check. Colours are read back through a canvas: the stylesheet's are oklch.
 */
async function faintPlaceholders(page: Page) {
  return page.evaluate(() => {
    const canvas = document.createElement("canvas");
    canvas.width = canvas.height = 1;
    const context = canvas.getContext("2d", { willReadFrequently: true })!;
    const over = (colour: string, under: number[]) => {
      context.fillStyle = `rgb(${under.join(" ")})`;
      context.fillRect(0, 0, 1, 1);
      context.fillStyle = colour;
      context.fillRect(0, 0, 1, 1);
      return [...context.getImageData(0, 0, 1, 1).data].slice(0, 3);
    };
    const luminance = (rgb: number[]) => {
      const [r, g, b] = rgb.map((value) => (value / 255 <= 0.04045 ? value / 255 / 12.92 : ((value / 255 + 0.055) / 1.055) ** 2.4));
      return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
    };
    return [...document.querySelectorAll<HTMLInputElement | HTMLTextAreaElement>("input[placeholder], textarea[placeholder]")]
      .filter((field) => field.checkVisibility())
      .flatMap((field) => {
        const backgrounds: string[] = [];
        for (let element: Element | null = field; element; element = element.parentElement) backgrounds.unshift(getComputedStyle(element).backgroundColor);
        const background = backgrounds.reduce((under, colour) => over(colour, under), [255, 255, 255]);
        const text = over(getComputedStyle(field, "::placeholder").color, background);
        const [light, dark] = [luminance(background), luminance(text)].sort((a, b) => b - a);
        const ratio = (light! + 0.05) / (dark! + 0.05);
        return ratio < 4.5 ? [`placeholder of ${field.name || field.id}: ${ratio.toFixed(2)}:1`] : [];
      });
  });
}

async function expectAccessible(page: Page, targets: string[]) {
  for (const scheme of SCHEMES) {
    await page.emulateMedia({ colorScheme: scheme });
    for (const target of targets) {
      await page.goto(target);
      await expect(page.locator("main")).toBeVisible();
      expect(await page.evaluate(() => matchMedia("(prefers-color-scheme: dark)").matches)).toBe(scheme === "dark");
      // Soft: one run names every page's findings.
      expect.soft(await wcagViolations(page), `${target} in the ${scheme} colour scheme`).toEqual([]);
      expect.soft(await faintPlaceholders(page), `${target}'s placeholders in the ${scheme} colour scheme`).toEqual([]);
    }
  }
}

async function newUserPage(browser: Browser, role: "member" | "operator" | "admin") {
  const page = await (await browser.newContext()).newPage();
  const user = createUser(role, `a11y-${role}`);
  return { page, user };
}

test.describe("WCAG 2.1 A and AA (axe), light and dark", () => {
  let connectionId = 0;
  let lanId = 0;
  let routeServerId = 0;

  test.beforeAll(async () => {
    // A member's network with a live connection and a request, and a route server that is
    // disabled and drained (its badges are on the pages too), set up behind the portal's back:
    // nothing is deployed. Once per run (a worker that starts again after a failure finds them).
    const [lan] = await query<{ id: number }>("select id from lans where name = 'e2e-lan'");
    lanId = lan!.id;
    await query("insert into networks (asn, name, irr_as_set, info_prefixes4, info_prefixes6) values ($1, 'Contrast Net', 'AS-CONTRAST', 10, 5) on conflict (asn) do nothing", [ASN]);
    const [connectionAddress, serverAddress] = await freeAddresses(2);
    await query(
      `insert into connections (lan_id, asn, zt_node_id, state, ipv4_address, ipv6_address, provisioned_at)
       select $1, $2, 'a110000201', 'provisioned', $3::inet, $4::inet, now()
        where not exists (select 1 from connections where zt_node_id = 'a110000201')`,
      [lanId, ASN, connectionAddress!.ipv4, connectionAddress!.ipv6],
    );
    await query(
      "insert into connections (lan_id, asn, zt_node_id, state) select $1, $2, 'a110000202', 'requested' where not exists (select 1 from connections where zt_node_id = 'a110000202')",
      [lanId, ASN],
    );
    const [connection] = await query<{ id: number }>("select id from connections where zt_node_id = 'a110000201'");
    connectionId = connection!.id;
    await query(
      `insert into route_servers (lan_id, name, transport, ipv4_address, router_id, enabled, drained, config_path, control_socket)
       select $1, 'rs-a11y', 'local', $2::inet, $2::inet, false, true, '/nonexistent/a11y.conf', '/nonexistent/a11y.ctl'
        where not exists (select 1 from route_servers where name = 'rs-a11y')`,
      [lanId, serverAddress!.ipv4],
    );
    const [server] = await query<{ id: number }>("select id from route_servers where name = 'rs-a11y'");
    routeServerId = server!.id;
  });

  test("the sign-in page, with and without its error", async ({ page }) => {
    await expectAccessible(page, ["/login"]);
    for (const scheme of SCHEMES) {
      await page.emulateMedia({ colorScheme: scheme });
      await page.goto("/login");
      await page.getByLabel("Username").fill("nobody-at-all");
      await page.getByLabel("Password").fill("not the password");
      await page.getByRole("button", { name: "Sign in", exact: true }).click();
      await expect(page.locator("#login-error")).toHaveText("Wrong username or password.");
      expect.soft(await wcagViolations(page), `/login with its error in the ${scheme} colour scheme`).toEqual([]);
    }
  });

  test("a member's pages", async ({ browser }) => {
    test.setTimeout(180_000);
    const { page, user } = await newUserPage(browser, "member");
    expect(cli(["users", "affiliate", "--username", user.username, "--asn", String(ASN)]).status).toBe(0);
    await signIn(page, user, "/");
    await expectAccessible(page, ["/", "/connections", `/connections/${connectionId}`, "/connections/new", "/networks", `/networks/${ASN}`, "/participants", "/policy", "/account", "/account/notifications", "/account/two-factor"]);
  });

  test("an operator's pages", async ({ browser }) => {
    test.setTimeout(240_000);
    const { page, user } = await newUserPage(browser, "operator");
    await signIn(page, user, "/");
    await expectAccessible(page, [
      "/",
      "/requests",
      "/connections",
      `/connections/${connectionId}`,
      "/networks",
      `/networks/${ASN}`,
      "/participants",
      "/lans",
      `/lans/${lanId}`,
      "/route-servers",
      `/route-servers/${routeServerId}`,
      "/jobs",
      "/policy",
      "/admin/audit",
      "/api-docs",
      "/account",
    ]);
  });

  test("an admin's pages", async ({ browser }) => {
    test.setTimeout(120_000);
    const { page, user } = await newUserPage(browser, "admin");
    await signIn(page, user, "/");
    await expectAccessible(page, ["/admin/users", "/admin/api-keys"]);
  });
});
