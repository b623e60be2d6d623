import { expect, test } from "@playwright/test";
import { cli, query } from "./support";

function createKey(scope: "read" | "admin") {
  const result = cli(["apikeys", "create", "--name", `e2e bgp ${scope} ${Date.now()}`, "--scope", scope]);
  expect(result.status, result.stderr).toBe(0);
  return result.stdout.trim();
}

test("an admin key sets and clears a connection's BGP password, which is stored encrypted", async ({ request }) => {
  const admin = createKey("admin");
  const read = createKey("read");
  const [lan] = await query<{ id: string }>("select id::text from lans order by id limit 1");
  const nodeId = (0xbb00000000 + Math.floor(Math.random() * 0xfffffff)).toString(16);
  const created = await request.post("/api/v1/connections", { headers: { "X-API-Key": admin }, data: { asn: 64599, lan: Number(lan!.id), ztNodeId: nodeId } });
  expect(created.status()).toBe(201);
  const id = ((await created.json()) as { data: { id: number } }).data.id;
  const path = `/api/v1/connections/${id}/bgp-password`;
  const password = `Api-Set-${Date.now()}`;

  expect((await request.post(path, { headers: { "X-API-Key": read }, data: { password } })).status()).toBe(403);
  const invalid = await request.post(path, { headers: { "X-API-Key": admin }, data: { password: 'with "quotes"' } });
  expect(invalid.status()).toBe(400);
  expect(JSON.stringify(await invalid.json())).toContain("printable characters");
  expect((await request.post("/api/v1/connections/999999/bgp-password", { headers: { "X-API-Key": admin }, data: { password } })).status()).toBe(404);

  const set = await request.post(path, { headers: { "X-API-Key": admin }, data: { password } });
  expect(set.status()).toBe(200);
  expect((await set.json()).data).toMatchObject({ connectionId: id, set: true, shownToMember: false });
  const [stored] = await query<{ bgp_password: string }>("select bgp_password from connections where id = $1", [id]);
  expect(stored!.bgp_password).toMatch(/^v1\./);
  expect(stored!.bgp_password).not.toContain(password);

  const cleared = await request.delete(path, { headers: { "X-API-Key": admin } });
  expect(cleared.status()).toBe(200);
  expect((await cleared.json()).data).toMatchObject({ set: false });
});
