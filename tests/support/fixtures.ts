import { cliActor } from "@/lib/audit";
import { createLocalUser, loadSessionUser, type SessionUser } from "@/lib/auth/users";
import { testDb } from "./db";

let sequence = 0;

export async function createLanRow(overrides: Partial<{ name: string; ipv4Prefix: string; ipv6Prefix: string; ipv6Scheme: string; reserved: number; quarantineDays: number; ztNetworkId: string }> = {}) {
  sequence++;
  return testDb()
    .insertInto("lans")
    .values({
      name: overrides.name ?? `lan-${sequence}`,
      zt_network_id: overrides.ztNetworkId ?? `abcdef0123${String(sequence).padStart(6, "0")}`,
      ipv4_prefix: overrides.ipv4Prefix ?? "192.0.2.0/24",
      ipv6_prefix: overrides.ipv6Prefix ?? "2001:db8:ffff::/64",
      ipv6_scheme: overrides.ipv6Scheme ?? "asn",
      reserved_host_count: overrides.reserved ?? 10,
      quarantine_days: overrides.quarantineDays ?? 7,
      rs_asn: 64496,
    })
    .returning(["id", "name", "zt_network_id"])
    .executeTakeFirstOrThrow();
}

export async function createStaffUser(role: "admin" | "operator" = "operator"): Promise<SessionUser> {
  sequence++;
  const created = await createLocalUser(testDb(), { username: `${role}${sequence}`, role, password: "a long enough passphrase" }, cliActor());
  return (await loadSessionUser(testDb(), created.id))!;
}

export async function createMemberUser(asns: number[], perms = 15): Promise<SessionUser> {
  sequence++;
  const created = await createLocalUser(testDb(), { username: `member${sequence}`, role: "member", password: "a long enough passphrase" }, cliActor());
  for (const asn of asns) {
    await testDb().insertInto("user_networks").values({ user_id: created.id, asn, source: "peeringdb", perms, network_name: `Network ${asn}` }).execute();
  }
  return (await loadSessionUser(testDb(), created.id))!;
}

export function nodeId(n: number) {
  return (0xa000000000 + n).toString(16);
}
