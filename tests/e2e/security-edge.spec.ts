import { spawn, type ChildProcess } from "node:child_process";
import http from "node:http";
import { expect, test, type APIRequestContext, type APIResponse, type Browser, type Page } from "@playwright/test";
import { cli, createUser, e2eState, query, signIn, simControl } from "./support";

// The throttle test locks 127.0.0.1 for sign-ins until it cleans up: nothing else runs meanwhile.
test.describe.configure({ mode: "serial" });

const port = Number(process.env.E2E_PORT ?? 3100);
// A second app process behind a (pretend) reverse proxy: ZTIX_TRUSTED_PROXIES=1.
const proxiedPort = port + 5;

function createKey(scope: "read" | "admin") {
  const result = cli(["apikeys", "create", "--name", `security ${scope} ${Date.now()}`, "--scope", scope]);
  expect(result.status, result.stderr).toBe(0);
  return result.stdout.trim();
}

async function lanId() {
  const [lan] = await query<{ id: number }>("select id from lans where name = 'e2e-lan'");
  return Number(lan!.id);
}

/** A password sign-in as the login form posts it (next-auth's credentials callback). */
async function passwordSignIn(request: APIRequestContext, username: string, password: string, forwardedFor?: string) {
  const headers: Record<string, string> = forwardedFor ? { "X-Forwarded-For": forwardedFor } : {};
  const { csrfToken } = (await (await request.get("/api/auth/csrf", { headers })).json()) as { csrfToken: string };
  const response = await request.post("/api/auth/callback/credentials", {
    headers,
    form: { csrfToken, username, password, callbackUrl: "/", json: "true" },
    maxRedirects: 0,
  });
  const location = response.headers()["location"] ?? ((await response.json().catch(() => ({}))) as { url?: string }).url ?? "";
  return { ok: !location.includes("error="), error: new URL(location, "http://x").searchParams.get("error") };
}

async function clearAddressThrottles() {
  await query("delete from login_throttle where key like 'ip:%'");
  await query("delete from rate_limit_hits where bucket like 'signin:ip:%'");
}

async function startProxiedServer(): Promise<{ url: string; stop: () => Promise<void> }> {
  const url = `http://127.0.0.1:${proxiedPort}`;
  const child: ChildProcess = spawn(process.execPath, ["--import", "./scripts/socket-address.mjs", "node_modules/next/dist/bin/next", "start", "--port", String(proxiedPort)], {
    env: { ...process.env, DATABASE_URL: e2eState().databaseUrl, NODE_ENV: "production", NEXTAUTH_SECRET: "s".repeat(40), NEXTAUTH_URL: url, ZTIX_TRUSTED_PROXIES: "1" },
    stdio: "ignore",
  });
  await expect
    .poll(async () => (await fetch(`${url}/api/health`).catch(() => null))?.status, { timeout: 90_000, intervals: [500] })
    .toBeGreaterThan(0);
  return {
    url,
    stop: async () => {
      if (child.exitCode !== null) return;
      child.kill("SIGTERM");
      await new Promise((resolve) => child.once("exit", resolve));
    },
  };
}

test("by default a spoofed X-Forwarded-For escapes neither the sign-in throttle nor the API's per-address bucket nor reaches the audit log", async ({ request }) => {
  test.setTimeout(180_000);
  const tag = Date.now().toString(36);
  try {
    // 30 wrong passwords, each for another username and "from" another address.
    for (let i = 0; i < 30; i++) {
      const attempt = await passwordSignIn(request, `nobody-${tag}-${i}`, "wrong password", `10.9.${i}.9`);
      expect(attempt.ok).toBe(false);
    }
    const keys = await query<{ key: string; locked: boolean }>("select key, locked_until > now() as locked from login_throttle where key like 'ip:%'");
    expect(keys).toEqual([{ key: "ip:127.0.0.1", locked: true }]);

    // The locked-out machine cannot sign in by claiming another address, even with the right password.
    const user = createUser("operator", "spoofer");
    const escape = await passwordSignIn(request, user.username, user.password, "10.9.9.9");
    expect(escape.ok).toBe(false);
    expect(escape.error).toContain("Too many failed sign-ins");

    const audited = await query<{ client_ip: string | null }>("select distinct client_ip from audit_events where action in ('auth.login_failed', 'auth.login_throttled') and (details->>'username' = $1 or actor_label like $2)", [
      user.username,
      `login attempt for "nobody-${tag}-%`,
    ]);
    expect(audited).toEqual([{ client_ip: "127.0.0.1" }]);
  } finally {
    await clearAddressThrottles();
  }

  // The API's per-address rate limit counts the socket's address, whatever the header says.
  const key = createKey("read");
  for (let i = 0; i < 3; i++) {
    const response = await request.get("/api/v1/lans", { headers: { "X-API-Key": key, "X-Forwarded-For": `10.8.${i}.8` } });
    expect(response.status()).toBe(200);
  }
  const buckets = await query<{ bucket: string }>("select distinct bucket from rate_limit_hits where bucket like 'api:ip:%'");
  expect(buckets.map((row) => row.bucket)).toContain("api:ip:127.0.0.1");
  expect(buckets.filter((row) => row.bucket.startsWith("api:ip:10."))).toEqual([]);

  // A successful sign-in is audited with the socket's address too.
  const user = createUser("member", "audited");
  expect((await passwordSignIn(request, user.username, user.password, "10.7.7.7")).ok).toBe(true);
  const [login] = await query<{ client_ip: string }>("select client_ip from audit_events where action = 'auth.login' and actor_label = $1", [user.username]);
  expect(login!.client_ip).toBe("127.0.0.1");
});

test("with ZTIX_TRUSTED_PROXIES=1 the address the proxy saw (rightmost X-Forwarded-For entry) is used everywhere", async ({ playwright }) => {
  test.setTimeout(180_000);
  const server = await startProxiedServer();
  const proxied = await playwright.request.newContext({ baseURL: server.url });
  try {
    // The proxy appends what it saw (198.51.100.x); whatever the client claimed stays to the left.
    const key = createKey("read");
    expect((await proxied.get("/api/v1/lans", { headers: { "X-API-Key": key, "X-Forwarded-For": "10.9.9.9, 198.51.100.7" } })).status()).toBe(200);
    const buckets = await query<{ bucket: string }>("select distinct bucket from rate_limit_hits where bucket in ('api:ip:198.51.100.7', 'api:ip:10.9.9.9')");
    expect(buckets).toEqual([{ bucket: "api:ip:198.51.100.7" }]);

    const tag = Date.now().toString(36);
    const failed = await passwordSignIn(proxied, `nobody-${tag}`, "wrong password", "10.9.9.9, 198.51.100.8");
    expect(failed.ok).toBe(false);
    expect(await query("select key from login_throttle where key in ('ip:198.51.100.8', 'ip:10.9.9.9')")).toEqual([{ key: "ip:198.51.100.8" }]);

    const user = createUser("member", "proxied");
    expect((await passwordSignIn(proxied, user.username, user.password, "10.9.9.9, 198.51.100.9")).ok).toBe(true);
    const [login] = await query<{ client_ip: string }>("select client_ip from audit_events where action = 'auth.login' and actor_label = $1", [user.username]);
    expect(login!.client_ip).toBe("198.51.100.9");
  } finally {
    await proxied.dispose();
    await server.stop();
    await clearAddressThrottles();
  }
});

type Violation = { page: string; text: string };

/** Collects CSP violations (DOM events and console reports) of every page opened in the context. */
async function watchedPage(browser: Browser, violations: Violation[]) {
  const context = await browser.newContext();
  await context.exposeBinding("reportCspViolation", ({ page }, text: string) => void violations.push({ page: page.url(), text }));
  await context.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (event) => {
      void (window as unknown as { reportCspViolation(text: string): Promise<void> }).reportCspViolation(`${event.violatedDirective} blocked ${event.blockedURI} (${event.sourceFile}:${event.lineNumber})`);
    });
  });
  const page = await context.newPage();
  page.on("console", (message) => {
    if (/Content Security Policy|Refused to (load|execute|apply|connect|frame)|Permissions-Policy|Permissions policy/i.test(message.text())) violations.push({ page: page.url(), text: message.text() });
  });
  return page;
}

function expectSecurityHeaders(headers: Record<string, string>, where: string) {
  const csp = headers["content-security-policy"] ?? "";
  expect(csp, where).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]{16,}' 'strict-dynamic'/);
  expect(csp, where).toMatch(/style-src 'self' 'nonce-/);
  expect(csp, where).not.toContain("unsafe-inline");
  expect(csp, where).not.toContain("unsafe-eval");
  expect(csp, where).toContain("frame-ancestors 'none'");
  expect(csp, where).toContain("object-src 'none'");
  expect(headers["x-frame-options"], where).toBe("DENY");
  expect(headers["x-content-type-options"], where).toBe("nosniff");
  expect(headers["referrer-policy"], where).toBe("strict-origin-when-cross-origin");
  expect(headers["permissions-policy"], where).toContain("camera=()");
  expect(headers["permissions-policy"], where).toContain("geolocation=()");
  // NEXTAUTH_URL is http:// here: no HSTS (tests/unit/security-headers.test.ts covers https).
  expect(headers["strict-transport-security"], where).toBeUndefined();
}

async function visit(page: Page, path: string) {
  const response = await page.goto(path);
  expect(response, path).toBeTruthy();
  // Let the page hydrate and load its chunks and styles: violations happen then.
  await page.waitForLoadState("networkidle", { timeout: 15_000 }).catch(() => undefined);
  return response!;
}

test("every page, as every role, carries the security headers and triggers no CSP violation", async ({ browser, request }) => {
  test.setTimeout(600_000);
  const asn = 64517;
  await query("insert into networks (asn, name) values ($1, 'Header Check Networks') on conflict (asn) do nothing", [asn]);
  const admin = createKey("admin");
  const created = await request.post("/api/v1/connections", { headers: { "X-API-Key": admin }, data: { asn, lan: await lanId(), ztNodeId: (0xe100000000 + Math.floor(Math.random() * 0xfffffff)).toString(16) } });
  expect(created.status()).toBe(201);
  const connectionId = (await created.json()).data.id as number;
  // Disabled and pointed at a scratch path: it is only here so its page exists.
  const [routeServer] = await query<{ id: string }>(
    "insert into route_servers (lan_id, name, transport, router_id, ipv4_address, config_path, enabled) values ($1, $2, 'local', '192.0.2.9', '192.0.2.9', '/tmp/ztix-e2e-headers/bird.conf', false) returning id::text",
    [await lanId(), `rs-headers-${Date.now()}`],
  );
  const member = createUser("member", "headers");
  expect(cli(["users", "affiliate", "--username", member.username, "--asn", String(asn)]).status).toBe(0);

  const pages = [
    "/",
    "/login",
    "/connections",
    "/connections/new",
    `/connections/${connectionId}`,
    `/connections/${connectionId}/routes`,
    "/requests",
    "/lans",
    `/lans/${await lanId()}`,
    "/participants",
    "/account",
    "/account/two-factor",
    "/account/notifications",
    "/welcome/not-a-real-token",
    "/networks",
    `/networks/${asn}`,
    "/route-servers",
    `/route-servers/${routeServer!.id}`,
    "/jobs",
    "/policy",
    "/api-docs",
    "/admin/users",
    "/admin/api-keys",
    "/admin/audit",
    "/no-such-page",
  ];
  const violations: Violation[] = [];
  try {
    for (const role of ["anonymous", "member", "operator", "admin"] as const) {
      const page = await watchedPage(browser, violations);
      if (role === "member") await signIn(page, member);
      else if (role !== "anonymous") await signIn(page, createUser(role, `headers-${role}`));
      const nonces = new Set<string>();
      for (const path of pages) {
        const response = await visit(page, path);
        const headers = await response.allHeaders();
        expectSecurityHeaders(headers, `${role} ${path}`);
        nonces.add(/'nonce-([^']+)'/.exec(headers["content-security-policy"]!)![1]!);
      }
      // A fresh nonce per response.
      expect(nonces.size).toBe(pages.length);
      await page.context().close();
    }
    expect(violations).toEqual([]);

    // The watch sees what the policy blocks: an inline style attribute set on a page is one.
    const probe = await watchedPage(browser, violations);
    await visit(probe, "/login");
    await probe.evaluate(() => document.body.setAttribute("style", "outline: 1px solid red"));
    await expect.poll(() => violations.length).toBeGreaterThan(0);
    expect(violations.map((violation) => violation.text).join("\n")).toContain("style-src");
    await probe.context().close();

    // API responses and static files carry the headers too (the API's CSP allows nothing to load).
    const api = await request.get("/api/v1/lans", { headers: { "X-API-Key": admin } });
    expect(api.headers()["content-security-policy"]).toBe("default-src 'none'; frame-ancestors 'none'");
    expect(api.headers()["x-frame-options"]).toBe("DENY");
    expect(api.headers()["x-content-type-options"]).toBe("nosniff");
    const health = await request.get("/api/health");
    expectSecurityHeaders(health.headers(), "/api/health");
  } finally {
    await query("delete from route_servers where id = $1", [routeServer!.id]);
  }
});

// ---- strict input and the error shape -------------------------------------------------------

async function expectFieldError(response: APIResponse, field: string) {
  expect(response.status(), field).toBe(400);
  const body = await response.json();
  expect(body.error.code).toBe("validation_failed");
  expect(Object.keys(body.error.details.fieldErrors), JSON.stringify(body)).toContain(field);
}

test("coerced JSON types and unknown fields are refused with field details, and create nothing", async ({ request }) => {
  const admin = createKey("admin");
  const lan = await lanId();
  const post = (data: unknown) => request.post("/api/v1/connections", { headers: { "X-API-Key": admin }, data });
  const node = "e2e0000001";
  await expectFieldError(await post({ asn: true, lan, ztNodeId: node }), "asn");
  await expectFieldError(await post({ asn: [64519], lan, ztNodeId: node }), "asn");
  await expectFieldError(await post({ asn: "0x1f4", lan, ztNodeId: node }), "asn");
  await expectFieldError(await post({ asn: "64519", lan, ztNodeId: node }), "asn");
  await expectFieldError(await post({ asn: 64519.5, lan, ztNodeId: node }), "asn");
  await expectFieldError(await post({ asn: 64519, lan: true, ztNodeId: node }), "lan");
  await expectFieldError(await post({ asn: 64519, lan: [lan], ztNodeId: node }), "lan");
  await expectFieldError(await post({ asn: 64519, lan, ztNodeId: 1234567890 }), "ztNodeId");
  await expectFieldError(await post({ asn: 64519, lan, ztNodeId: node, routeServerPeering: "yes" }), "routeServerPeering");
  await expectFieldError(await post({ asn: 64519, lan, ztNodeId: node, isAdmin: true }), "isAdmin");
  // Text in paths and queries: decimal digits only.
  await expectFieldError(await request.get("/api/v1/connections?asn=0x1f4", { headers: { "X-API-Key": admin } }), "asn");
  await expectFieldError(await request.get("/api/v1/connections/1e3", { headers: { "X-API-Key": admin } }), "id");
  expect(await query("select id from connections where asn in (1, 500, 64519)")).toEqual([]);
});

/** Sends a POST by hand, to control how much of the body goes out before the answer. */
function rawPost(path: string, key: string, options: { declaredLength?: number; chunk: Buffer; maxBytes: number }) {
  return new Promise<{ status: number; body: string; sent: number }>((resolve, reject) => {
    let sent = 0;
    let answered = false;
    const request = http.request(
      { host: "127.0.0.1", port, path, method: "POST", headers: { "X-API-Key": key, "Content-Type": "application/json", ...(options.declaredLength ? { "Content-Length": String(options.declaredLength) } : {}) } },
      (response) => {
        answered = true;
        let body = "";
        response.setEncoding("utf8");
        response.on("data", (text: string) => (body += text));
        response.on("end", () => {
          request.destroy();
          resolve({ status: response.statusCode ?? 0, body, sent });
        });
      },
    );
    request.on("error", (error) => (answered ? undefined : reject(error)));
    const pump = () => {
      while (!answered && sent < options.maxBytes) {
        sent += options.chunk.length;
        if (!request.write(options.chunk)) return void request.once("drain", pump);
      }
    };
    pump();
  });
}

test("a body over the limit is refused with 413 before it is read whole", async () => {
  test.setTimeout(120_000);
  const admin = createKey("admin");
  const chunk = Buffer.alloc(16 * 1024, " ");
  // Announced as 50 MB, with only 16 KiB sent: the answer comes without waiting for the rest.
  const declared = await rawPost("/api/v1/connections", admin, { declaredLength: 50 * 1024 * 1024, chunk, maxBytes: chunk.length });
  expect(declared.status).toBe(413);
  expect(JSON.parse(declared.body)).toEqual({ error: { code: "payload_too_large", message: "The request body is larger than 65536 bytes.", details: { maxBytes: 65536 } } });

  // Chunked, no length: counted while streaming, answered long before 50 MB went out.
  const streamed = await rawPost("/api/v1/connections", admin, { chunk, maxBytes: 50 * 1024 * 1024 });
  expect(streamed.status).toBe(413);
  expect(JSON.parse(streamed.body).error.code).toBe("payload_too_large");
  expect(streamed.sent).toBeLessThan(50 * 1024 * 1024);
});

test("every 4xx of the API has code, message and details; unknown ids and endpoints answer 404", async ({ request }) => {
  const admin = createKey("admin");
  const read = createKey("read");
  const responses: [string, APIResponse][] = [
    ["401 missing key", await request.get("/api/v1/lans")],
    ["401 unknown key", await request.get("/api/v1/lans", { headers: { "X-API-Key": "ztix_nope_nope" } })],
    ["403 scope", await request.post("/api/v1/lans/1/deploy", { headers: { "X-API-Key": read } })],
    ["400 validation", await request.get("/api/v1/connections/abc", { headers: { "X-API-Key": admin } })],
    ["400 json", await request.post("/api/v1/connections", { headers: { "X-API-Key": admin, "Content-Type": "application/json" }, data: Buffer.from("{nope") })],
    ["404 id", await request.get("/api/v1/connections/999999999", { headers: { "X-API-Key": admin } })],
    ["404 endpoint", await request.get("/api/v1/no-such-thing", { headers: { "X-API-Key": admin } })],
    ["404 approve", await request.post("/api/v1/connections/999999999/approve", { headers: { "X-API-Key": admin }, data: {} })],
  ];
  const created = await request.post("/api/v1/connections", { headers: { "X-API-Key": admin }, data: { asn: 64518, lan: await lanId(), ztNodeId: (0xe200000000 + Math.floor(Math.random() * 0xfffffff)).toString(16) } });
  const id = (await created.json()).data.id as number;
  expect((await request.post(`/api/v1/connections/${id}/reject`, { headers: { "X-API-Key": admin }, data: { reason: "not yet" } })).status()).toBe(200);
  responses.push(["409 conflict", await request.post(`/api/v1/connections/${id}/approve`, { headers: { "X-API-Key": admin }, data: {} })]);

  for (const [label, response] of responses) {
    expect(response.status(), label).toBe(Number(label.slice(0, 3)));
    const body = await response.json();
    expect(typeof body.error.code, label).toBe("string");
    expect(typeof body.error.message, label).toBe("string");
    expect("details" in body.error, label).toBe(true);
    expect(body.error.details === null || typeof body.error.details === "object", label).toBe(true);
  }
});

test("another network's connection answers exactly like a missing one", async ({ browser, request }) => {
  const admin = createKey("admin");
  const created = await request.post("/api/v1/connections", { headers: { "X-API-Key": admin }, data: { asn: 64516, lan: await lanId(), ztNodeId: (0xe300000000 + Math.floor(Math.random() * 0xfffffff)).toString(16) } });
  const foreignId = (await created.json()).data.id as number;
  const stranger = createUser("member", "oracle");
  expect(cli(["users", "affiliate", "--username", stranger.username, "--asn", "64515"]).status).toBe(0);
  const page = await (await browser.newContext()).newPage();
  await signIn(page, stranger);

  const foreign = await page.goto(`/connections/${foreignId}`);
  const foreignText = await page.locator("main").innerText();
  const missing = await page.goto("/connections/999999999");
  const missingText = await page.locator("main").innerText();
  expect(foreign!.status()).toBe(404);
  expect(missing!.status()).toBe(404);
  expect(foreignText).toBe(missingText);

  // The API's keys see the whole exchange; a missing id there is a plain 404 with the error shape.
  const apiMissing = await request.get("/api/v1/connections/999999999", { headers: { "X-API-Key": admin } });
  expect(apiMissing.status()).toBe(404);
  expect(await apiMissing.json()).toEqual({ error: { code: "not_found", message: "connection 999999999 does not exist", details: null } });
  await page.context().close();
});

test("while the controller is down a member reads a plain reason, never its URL or the internal error; operators see the detail", async ({ browser, request }) => {
  test.setTimeout(120_000);
  const asn = 64514;
  const admin = createKey("admin");
  const member = createUser("member", "plain");
  expect(cli(["users", "affiliate", "--username", member.username, "--asn", String(asn)]).status).toBe(0);
  const created = await request.post("/api/v1/connections", { headers: { "X-API-Key": admin }, data: { asn, lan: await lanId(), ztNodeId: (0xe400000000 + Math.floor(Math.random() * 0xfffffff)).toString(16) } });
  const id = (await created.json()).data.id as number;

  const controller = new URL(e2eState().zerotierUrl);
  // Long enough for both pages below: a look at the routers after it would clear the recorded error.
  await simControl("zerotier", "down", { ms: 30_000 });
  expect((await request.post(`/api/v1/connections/${id}/approve`, { headers: { "X-API-Key": admin }, data: {} })).status()).toBe(200);
  await expect.poll(async () => (await query<{ reason: string | null }>("select reason from connections where id = $1", [id]))[0]?.reason ?? null, { timeout: 30_000 }).not.toBeNull();

  // The router's last known state, with the error the minute's look records while the controller is
  // away (the worker's own look may record its own first: the same kind of text).
  await query(
    "insert into router_states (connection_id, member_found, joined, online, version, checked_at, error) values ($1, true, true, true, '1.14.1', now() - interval '3 minutes', $2)",
    [id, `ZeroTier controller at ${e2eState().zerotierUrl} is unreachable (GET /peer/e400000001): connection refused: is zerotier-one running and listening there? (ECONNREFUSED)`],
  );

  const memberPage = await (await browser.newContext()).newPage();
  await signIn(memberPage, member, `/connections/${id}`);
  await expect(memberPage.getByTestId("connection-reason")).toHaveText("The exchange's controller is unavailable; we retry automatically.");
  await expect(memberPage.getByTestId("router-state-checked")).toContainText("the exchange's controller cannot be asked at the moment, so this may be out of date");
  for (const path of [`/connections/${id}`, "/", "/connections"]) {
    await memberPage.goto(path);
    const html = await memberPage.content();
    expect(html, path).not.toContain(controller.host);
    expect(html, path).not.toMatch(/ZeroTier controller not ready|ECONNREFUSED|fetch failed/);
  }

  const operatorPage = await (await browser.newContext()).newPage();
  await signIn(operatorPage, createUser("operator", "detail"), `/connections/${id}`);
  await expect(operatorPage.getByTestId("connection-reason")).toContainText("ZeroTier controller not ready");
  await expect(operatorPage.getByTestId("router-state-checked")).toContainText(`could not be asked since then: ZeroTier controller at ${e2eState().zerotierUrl}`);
  await memberPage.context().close();
  await operatorPage.context().close();
});

test("the API refuses a hand-set address that a route server holds or that is a reserved host", async ({ request }) => {
  const admin = createKey("admin");
  const lan = await lanId();
  const name = `rs-api-${Date.now()}`;
  const [routeServer] = await query<{ id: string }>(
    "insert into route_servers (lan_id, name, transport, router_id, ipv4_address, config_path, enabled) values ($1, $2, 'local', '192.0.2.8', '192.0.2.8', '/tmp/ztix-e2e-api/bird.conf', false) returning id::text",
    [lan, name],
  );
  try {
    const created = await request.post("/api/v1/connections", { headers: { "X-API-Key": admin }, data: { asn: 64513, lan, ztNodeId: (0xe500000000 + Math.floor(Math.random() * 0xfffffff)).toString(16) } });
    const id = (await created.json()).data.id as number;
    const taken = await request.post(`/api/v1/connections/${id}/approve`, { headers: { "X-API-Key": admin }, data: { ipv4: "192.0.2.8" } });
    expect(taken.status()).toBe(400);
    expect((await taken.json()).error.details.fieldErrors).toEqual({ ipv4: [`192.0.2.8 is already in use on this LAN (route server ${name})`] });
    // A reserved host nothing else on the shared e2e LAN holds (other specs add route servers there).
    const inUse = new Set((await query<{ address: string }>("select host(address) as address from address_allocations where lan_id = $1 and state in ('assigned', 'reserved', 'quarantined')", [lan])).map((row) => row.address));
    const reservedHost = ["192.0.2.2", "192.0.2.3", "192.0.2.4", "192.0.2.5", "192.0.2.6", "192.0.2.7", "192.0.2.9", "192.0.2.10"].find((address) => !inUse.has(address))!;
    const reserved = await request.post(`/api/v1/connections/${id}/approve`, { headers: { "X-API-Key": admin }, data: { ipv4: reservedHost } });
    expect(reserved.status()).toBe(400);
    expect((await reserved.json()).error.details.fieldErrors.ipv4[0]).toContain("is one of the first 10 hosts of 192.0.2.0/24");
    expect((await query<{ state: string }>("select state from connections where id = $1", [id]))[0]!.state).toBe("requested");
  } finally {
    await query("delete from route_servers where id = $1", [routeServer!.id]);
  }
});
