import { sql } from "kysely";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { runCli } from "@/cli/main";
import { cliActor } from "@/lib/audit";
import { revealBgpPasswordOnce } from "@/lib/connections/bgp-password";
import { deployLan } from "@/lib/routeserver/deploy";
import { renderCurrentConfig } from "@/lib/routeserver/input";
import { decryptSecret, encryptSecret, forgetSecretKey, generateSecretKeyText, loadSecretKey, secretContexts, secretKeyFrom, SecretKeyError } from "@/lib/secrets";
import { closeDb, resetDatabase, testDb } from "../support/db";
import { createLanRow } from "../support/fixtures";

const PASSWORD = "Zq7-unusual-BGP-passphrase-42";

function capture(stdin = "") {
  const out = { stdout: "", stderr: "" };
  return { out, io: { stdout: (text: string) => void (out.stdout += text), stderr: (text: string) => void (out.stderr += text), stdin: async () => stdin } };
}

function useKey(text: string) {
  process.env.ZTIX_SECRET_KEY = text;
  forgetSecretKey();
}

/** Every table of the database as text, the way a stolen backup would read. */
/**
 * Every row of every table (ours and the job queue's) as text: what a dump or backup would hold.
 * Read with SQL rather than pg_dump, whose version must match the server's (the embedded one is newer).
 */
async function dumpDatabase() {
  const tables = await sql<{ schema: string; name: string }>`
    select schemaname as schema, tablename as name from pg_tables where schemaname in ('public', 'graphile_worker') order by 1, 2`.execute(testDb());
  const parts: string[] = [];
  for (const table of tables.rows) {
    const rows = await sql<{ row: string }>`select t::text as row from ${sql.table(`${table.schema}.${table.name}`)} t`.execute(testDb());
    parts.push(`-- ${table.schema}.${table.name}`, ...rows.rows.map((row) => row.row));
  }
  return parts.join("\n");
}

async function exchangeWithOneMember() {
  const lan = await createLanRow();
  const server = await testDb()
    .insertInto("route_servers")
    .values({ lan_id: lan.id, name: "rs1", transport: "local", router_id: "192.0.2.1", ipv4_address: "192.0.2.1", ipv6_address: "2001:db8:ffff::1" })
    .returning("id")
    .executeTakeFirstOrThrow();
  await testDb().insertInto("networks").values({ asn: 64510, name: "Example" }).execute();
  const connection = await testDb()
    .insertInto("connections")
    .values({ lan_id: lan.id, asn: 64510, zt_node_id: "e100000001", state: "provisioned", ipv4_address: "192.0.2.20", ipv6_address: "2001:db8:ffff::20" })
    .returning("id")
    .executeTakeFirstOrThrow();
  return { lanId: lan.id, routeServerId: server.id, connectionId: connection.id };
}

describe("BGP session passwords encrypted at rest", () => {
  const savedKey = process.env.ZTIX_SECRET_KEY;
  const keyA = generateSecretKeyText();
  const keyB = generateSecretKeyText();

  beforeEach(async () => {
    await resetDatabase();
    useKey(keyA);
  });
  afterAll(async () => {
    if (savedKey === undefined) delete process.env.ZTIX_SECRET_KEY;
    else process.env.ZTIX_SECRET_KEY = savedKey;
    forgetSecretKey();
    await closeDb();
  });

  it("renders the password into the config while no table holds its plaintext, and rotation keeps configs identical", async () => {
    const { routeServerId, connectionId } = await exchangeWithOneMember();
    const set = capture(`${PASSWORD}\n`);
    expect(await runCli(["connections", "set-password", "--id", String(connectionId), "--password-stdin"], set.io)).toBe(0);
    expect(set.out.stdout).not.toContain(PASSWORD);

    const before = await renderCurrentConfig(testDb(), routeServerId);
    expect(before).toContain(`password "${PASSWORD}";`);

    const dump = await dumpDatabase();
    expect(dump).toContain("connection.bgp_password_set"); // the dump is real: it holds the audit event
    expect(dump).not.toContain(PASSWORD);
    const stored = await testDb().selectFrom("connections").select("bgp_password").where("id", "=", connectionId).executeTakeFirstOrThrow();
    expect(stored.bgp_password).toMatch(new RegExp(`^v1\\.${secretKeyFrom(keyA).id}\\.`));

    // A two-factor secret moves with the rotation too.
    const user = await testDb().insertInto("users").values({ username: "totp-user", role: "operator" }).returning("id").executeTakeFirstOrThrow();
    await testDb().updateTable("users").set({ totp_secret: encryptSecret("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", secretContexts.totpSecret(user.id)) }).where("id", "=", user.id).execute();

    const rotate = capture(keyB);
    expect(await runCli(["secrets", "rotate-key", "--new-key-stdin"], rotate.io)).toBe(0);
    expect(rotate.out.stderr).toContain("re-encrypted 1 BGP password(s) and 1 account(s)' two-factor secrets");
    const totp = await testDb().selectFrom("users").select("totp_secret").where("id", "=", user.id).executeTakeFirstOrThrow();
    expect(decryptSecret(totp.totp_secret!, secretContexts.totpSecret(user.id), secretKeyFrom(keyB))).toBe("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP");
    const rotated = await testDb().selectFrom("connections").select("bgp_password").where("id", "=", connectionId).executeTakeFirstOrThrow();
    expect(rotated.bgp_password).toMatch(new RegExp(`^v1\\.${secretKeyFrom(keyB).id}\\.`));
    expect(await dumpDatabase()).not.toContain(PASSWORD);

    useKey(keyB);
    expect(await renderCurrentConfig(testDb(), routeServerId)).toBe(before);
  });

  it("fails the deployment with one clear error under a wrong key, before any route server is touched", async () => {
    const { lanId, routeServerId, connectionId } = await exchangeWithOneMember();
    expect(await runCli(["connections", "set-password", "--id", String(connectionId), "--password-stdin"], capture(PASSWORD).io)).toBe(0);

    useKey(keyB);
    await expect(renderCurrentConfig(testDb(), routeServerId)).rejects.toThrow(SecretKeyError);
    await expect(renderCurrentConfig(testDb(), routeServerId)).rejects.toThrow(`was encrypted with secret key ${secretKeyFrom(keyA).id}, but the configured ZTIX_SECRET_KEY is key ${secretKeyFrom(keyB).id}: wrong key`);
    const connected: string[] = [];
    await expect(
      deployLan(testDb(), lanId, "test", async (server) => {
        connected.push(server.name);
        throw new Error("must not be reached");
      }),
    ).rejects.toThrow(/wrong key/);
    expect(connected).toEqual([]);
    expect(await testDb().selectFrom("deployments").select("id").execute()).toEqual([]);

    // The rotation command refuses too, and changes nothing.
    const rotate = capture(generateSecretKeyText());
    expect(await runCli(["secrets", "rotate-key", "--new-key-stdin"], rotate.io)).toBe(1);
    expect(rotate.out.stderr.trim().split("\n")).toHaveLength(1);
    expect(rotate.out.stderr).toContain("wrong key");
  });

  it("shows the password to the member once; a new one can be shown again", async () => {
    const { connectionId } = await exchangeWithOneMember();
    expect(await runCli(["connections", "set-password", "--id", String(connectionId), "--password-stdin"], capture(PASSWORD).io)).toBe(0);
    expect(await revealBgpPasswordOnce(testDb(), cliActor(), connectionId)).toBe(PASSWORD);
    expect(await revealBgpPasswordOnce(testDb(), cliActor(), connectionId)).toBeNull();
    expect(await runCli(["connections", "set-password", "--id", String(connectionId), "--generate"], capture().io)).toBe(0);
    const generated = await revealBgpPasswordOnce(testDb(), cliActor(), connectionId);
    expect(generated).toMatch(/^[A-Za-z0-9]{24}$/);
    expect(generated).not.toBe(PASSWORD);
  });

  it("refuses a malformed key, and requires a key in production", async () => {
    expect(() => loadSecretKey({ ZTIX_SECRET_KEY: "too-short" })).toThrow("ZTIX_SECRET_KEY must be 32 random bytes");
    expect(() => loadSecretKey({ NODE_ENV: "production" })).toThrow("ZTIX_SECRET_KEY is required when NODE_ENV=production");
  });

  it("refuses passwords BIRD could not take, and a connection that is gone", async () => {
    const { connectionId } = await exchangeWithOneMember();
    const bad = capture('with "quotes"');
    expect(await runCli(["connections", "set-password", "--id", String(connectionId), "--password-stdin"], bad.io)).toBe(1);
    expect(bad.out.stderr).toContain("printable characters");
    const missing = capture(PASSWORD);
    expect(await runCli(["connections", "set-password", "--id", "999999", "--password-stdin"], missing.io)).toBe(1);
    expect(missing.out.stderr).toContain("connection 999999 does not exist");
  });
});
