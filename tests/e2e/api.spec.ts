import { spawn, type ChildProcess } from "node:child_process";
import { expect, test, type APIRequestContext } from "@playwright/test";
import { cli, e2eState, query } from "./support";

// The rate-limit test exhausts the budget of 127.0.0.1: it runs last, and gives it back at its end.
test.describe.configure({ mode: "serial" });

function createKey(scope: "read" | "admin", extra: string[] = []) {
  const result = cli(["apikeys", "create", "--name", `e2e ${scope} ${Date.now()}`, "--scope", scope, ...extra]);
  expect(result.status, result.stderr).toBe(0);
  return result.stdout.trim();
}

async function lanId() {
  const [lan] = await query<{ id: number }>("select id from lans order by id limit 1");
  return Number(lan!.id);
}

const readEndpoints = ["/api/v1/lans", "/api/v1/networks", "/api/v1/networks/64500", "/api/v1/connections", "/api/v1/connections/1", "/api/v1/route-servers", "/api/v1/route-servers/1/config", "/api/v1/deployments", "/api/v1/openapi.json", "/api/v1/drift", "/api/v1/route-servers/1", "/api/v1/connections/1/router-config"];
const adminEndpoints: { method: "post" | "delete" | "patch"; path: string; data?: unknown }[] = [
  { method: "post", path: "/api/v1/connections", data: { asn: 64500, lan: 1, ztNodeId: "aaaaaaaaaa" } },
  { method: "post", path: "/api/v1/connections/1/approve", data: {} },
  { method: "post", path: "/api/v1/connections/1/reject", data: { reason: "test" } },
  { method: "delete", path: "/api/v1/connections/1" },
  { method: "post", path: "/api/v1/lans/1/deploy" },
  { method: "patch", path: "/api/v1/route-servers/1", data: { enabled: false } },
];

async function call(request: APIRequestContext, method: string, path: string, key?: string, data?: unknown) {
  return request.fetch(path, { method, headers: key ? { "X-API-Key": key } : {}, data });
}

function expectError(body: { error?: { code?: string; message?: string } }, code: string) {
  expect(body.error?.code).toBe(code);
  expect(typeof body.error?.message).toBe("string");
}

test("every endpoint refuses a missing key with 401 and the error shape", async ({ request }) => {
  for (const path of readEndpoints) {
    const response = await call(request, "GET", path);
    expect(response.status(), path).toBe(401);
    expectError(await response.json(), "missing_api_key");
  }
  for (const endpoint of adminEndpoints) {
    const response = await call(request, endpoint.method, endpoint.path, undefined, endpoint.data);
    expect(response.status(), endpoint.path).toBe(401);
  }
});

test("a read key is refused on every admin endpoint with 403", async ({ request }) => {
  const readKey = createKey("read");
  for (const endpoint of adminEndpoints) {
    const response = await call(request, endpoint.method, endpoint.path, readKey, endpoint.data);
    expect(response.status(), endpoint.path).toBe(403);
    expectError(await response.json(), "insufficient_scope");
  }
  expect((await call(request, "GET", "/api/v1/lans", readKey)).status()).toBe(200);
});

test("a revoked or expired key is refused with 401", async ({ request }) => {
  const revoked = createKey("admin");
  expect((await call(request, "GET", "/api/v1/lans", revoked)).status()).toBe(200);
  expect(cli(["apikeys", "revoke", "--key", revoked.split("_").slice(0, 2).join("_")]).status).toBe(0);
  const afterRevoke = await call(request, "GET", "/api/v1/lans", revoked);
  expect(afterRevoke.status()).toBe(401);
  expectError(await afterRevoke.json(), "invalid_api_key");

  const expiring = createKey("read", ["--expires", "2099-01-01"]);
  await query("update api_keys set expires_at = now() - interval '1 minute' where prefix = $1", [expiring.split("_").slice(0, 2).join("_")]);
  expect((await call(request, "GET", "/api/v1/lans", expiring)).status()).toBe(401);
});

test("malformed parameters and bodies answer 400 with field details; unknown ids 404; illegal changes 409", async ({ request }) => {
  const admin = createKey("admin");
  const badId = await call(request, "GET", "/api/v1/connections/not-a-number", admin);
  expect(badId.status()).toBe(400);
  const badIdBody = await badId.json();
  expectError(badIdBody, "validation_failed");
  expect(badIdBody.error.details.fieldErrors.id).toBeTruthy();

  const badQuery = await call(request, "GET", "/api/v1/connections?state=sleeping", admin);
  expect(badQuery.status()).toBe(400);
  expect((await badQuery.json()).error.details.fieldErrors.state).toBeTruthy();

  const badBody = await call(request, "POST", "/api/v1/connections", admin, { asn: "sixty-four", lan: 1, ztNodeId: "xyz" });
  expect(badBody.status()).toBe(400);
  const badBodyJson = await badBody.json();
  expect(Object.keys(badBodyJson.error.details.fieldErrors).sort()).toEqual(["asn", "ztNodeId"]);

  const notJson = await request.fetch("/api/v1/connections", { method: "POST", headers: { "X-API-Key": admin, "Content-Type": "application/json" }, data: Buffer.from("{nope") });
  expect(notJson.status()).toBe(400);
  expectError(await notJson.json(), "invalid_json");

  const unknown = await call(request, "GET", "/api/v1/connections/999999", admin);
  expect(unknown.status()).toBe(404);
  expectError(await unknown.json(), "not_found");
  expect((await call(request, "GET", "/api/v1/networks/4200000999", admin)).status()).toBe(404);
  expect((await call(request, "POST", "/api/v1/lans/999999/deploy", admin)).status()).toBe(404);
  expect((await call(request, "GET", "/api/v1/route-servers/999999/config", admin)).status()).toBe(404);

  const created = await call(request, "POST", "/api/v1/connections", admin, { asn: 64501, lan: await lanId(), ztNodeId: "BBBBBBBBBB" });
  expect(created.status()).toBe(201);
  const connection = (await created.json()).data;
  expect(connection).toMatchObject({ asn: 64501, state: "requested", ztNodeId: "bbbbbbbbbb" });
  const rejected = await call(request, "POST", `/api/v1/connections/${connection.id}/reject`, admin, { reason: "not a member yet" });
  expect(rejected.status()).toBe(200);
  const approveRejected = await call(request, "POST", `/api/v1/connections/${connection.id}/approve`, admin, {});
  expect(approveRejected.status()).toBe(409);
  expectError(await approveRejected.json(), "conflict");
  expect((await call(request, "DELETE", `/api/v1/connections/${connection.id}`, admin)).status()).toBe(409);
});

test("approving through the API runs the portal's provisioning, and the audit log names the key", async ({ request }) => {
  const name = `automation ${Date.now()}`;
  const created = cli(["apikeys", "create", "--name", name, "--scope", "admin"]);
  const admin = created.stdout.trim();
  const prefix = admin.split("_").slice(0, 2).join("_");
  const nodeId = (0xf000000000 + Math.floor(Math.random() * 0xfffffff)).toString(16);
  const connection = (await (await call(request, "POST", "/api/v1/connections", admin, { asn: 64504, lan: await lanId(), ztNodeId: nodeId })).json()).data;
  const approved = await call(request, "POST", `/api/v1/connections/${connection.id}/approve`, admin, {});
  expect(approved.status()).toBe(200);
  const body = (await approved.json()).data;
  expect(body.state).toBe("approved");
  await expect
    .poll(async () => (await (await call(request, "GET", `/api/v1/connections/${connection.id}`, admin)).json()).data.state, { timeout: 30_000 })
    .toBe("provisioned");

  const [lan] = await query<{ zt_network_id: string }>("select zt_network_id from lans where id = $1", [await lanId()]);
  const member = await fetch(`${e2eState().zerotierUrl}/controller/network/${lan!.zt_network_id}/member/${nodeId}`, { headers: { "X-ZT1-Auth": e2eState().zerotierToken } });
  expect(await member.json()).toMatchObject({ authorized: true, ipAssignments: expect.arrayContaining([body.ipv4Address, body.ipv6Address]) });

  const audit = await query<{ action: string; actor_type: string; actor_label: string }>(
    "select action, actor_type, actor_label from audit_events where subject_type = 'connection' and subject_id = $1 order by id",
    [String(connection.id)],
  );
  expect(audit.slice(0, 2)).toEqual([
    { action: "connection.requested", actor_type: "api_key", actor_label: `API key ${name} (${prefix})` },
    { action: "connection.approved", actor_type: "api_key", actor_label: `API key ${name} (${prefix})` },
  ]);
});

test("metrics need a read key and answer in Prometheus format", async ({ request }) => {
  const anonymous = await request.get("/api/metrics");
  expect(anonymous.status()).toBe(401);
  expectError(await anonymous.json(), "missing_api_key");
  const response = await request.get("/api/metrics", { headers: { "X-API-Key": createKey("read") } });
  expect(response.status()).toBe(200);
  expect(response.headers()["content-type"]).toContain("text/plain");
  const body = await response.text();
  expect(body).toContain("# TYPE ztix_connections gauge");
  expect(body).toContain("ztix_controller_ready 1");
});

test("the OpenAPI document is served to a read key", async ({ request }) => {
  const response = await call(request, "GET", "/api/v1/openapi.json", createKey("read"));
  expect(response.status()).toBe(200);
  const document = await response.json();
  expect(document.openapi).toBe("3.1.0");
  expect(Object.keys(document.paths)).toContain("/connections/{id}/approve");
});

test("past the limit the API answers 429 with Retry-After, and two app processes share the limit", async ({ request, playwright }) => {
  test.setTimeout(120_000);
  const second = await startSecondServer();
  try {
    const key = createKey("read");
    const limit = Number(process.env.E2E_API_RATE_LIMIT ?? 100);
    const other = await playwright.request.newContext({ baseURL: second.url });
    // Alternate between the two processes: one shared counter in PostgreSQL, not one each.
    const statuses: number[] = [];
    let limited: Awaited<ReturnType<typeof call>> | undefined;
    for (let i = 0; i < limit * 2 && !limited; i++) {
      const response = await call(i % 2 === 0 ? request : other, "GET", "/api/v1/lans", key);
      statuses.push(response.status());
      if (response.status() === 429) limited = response;
    }
    expect(limited, "no 429 before twice the limit").toBeTruthy();
    expect(statuses.filter((status) => status === 200).length).toBeLessThanOrEqual(limit);
    expect(Number(limited!.headers()["retry-after"])).toBeGreaterThan(0);
    expect(limited!.headers()["ratelimit-limit"]).toBe(String(limit));
    expectError(await limited!.json(), "rate_limited");
    await other.dispose();
  } finally {
    await second.stop();
    // The spec files after this one call the API from the same address within the minute.
    await query("delete from rate_limit_hits where bucket like 'api:ip:%'");
  }
});

async function startSecondServer(): Promise<{ url: string; stop: () => Promise<void> }> {
  // Inside the run's own port range (E2E_PORT .. +9), so parallel runs do not collide.
  const port = Number(process.env.E2E_PORT ?? 3100) + 6;
  const child: ChildProcess = spawn(process.execPath, ["--import", "./scripts/socket-address.mjs", "node_modules/next/dist/bin/next", "start", "--port", String(port)], {
    env: { ...process.env, DATABASE_URL: e2eState().databaseUrl, NODE_ENV: "production", NEXTAUTH_SECRET: "x".repeat(40), ZTIX_API_RATE_LIMIT: process.env.E2E_API_RATE_LIMIT ?? "100" },
    stdio: "ignore",
  });
  const url = `http://127.0.0.1:${port}`;
  await expect
    .poll(async () => (await fetch(`${url}/api/health`).catch(() => null))?.status, { timeout: 60_000, intervals: [500] })
    .toBeGreaterThan(0);
  return {
    url,
    stop: async () => {
      child.kill("SIGTERM");
      await new Promise((resolve) => child.once("exit", resolve));
    },
  };
}
