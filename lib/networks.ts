import "server-only";
import type { Db } from "@/db";

/** Networks known to the exchange, with their PeeringDB data and how many live connections they have. */
export async function listNetworks(db: Db) {
  return db
    .selectFrom("networks")
    .select(["asn", "name", "irr_as_set", "info_prefixes4", "info_prefixes6", "known_to_peeringdb", "fetched_at"])
    .select((eb) =>
      eb
        .selectFrom("connections")
        .select((sub) => sub.fn.countAll<number>().as("count"))
        .whereRef("connections.asn", "=", "networks.asn")
        .where("connections.state", "not in", ["rejected", "removed"])
        .as("live_connections"),
    )
    .orderBy("asn")
    .execute();
}

/** Networks known through people's affiliations. */
export async function listAffiliatedNetworks(db: Db) {
  const rows = await db
    .selectFrom("user_networks")
    .select((eb) => ["asn", eb.fn.max("network_name").as("name"), eb.fn.count<number>("user_id").distinct().as("members")])
    .groupBy("asn")
    .orderBy("asn")
    .execute();
  return rows.map((row) => ({ asn: row.asn, name: row.name, members: Number(row.members) }));
}

export async function getAffiliatedNetwork(db: Db, asn: number) {
  const people = await db
    .selectFrom("user_networks")
    .innerJoin("users", "users.id", "user_networks.user_id")
    .select(["users.username", "users.display_name", "user_networks.source", "user_networks.network_name"])
    .where("user_networks.asn", "=", asn)
    .where("users.disabled_at", "is", null)
    .orderBy("users.username")
    .execute();
  const known = await db
    .selectFrom("networks")
    .select(["name", "irr_as_set", "info_prefixes4", "info_prefixes6", "known_to_peeringdb", "fetched_at"])
    .where("asn", "=", asn)
    .executeTakeFirst();
  if (people.length === 0 && !known) return null;
  return {
    asn,
    peeringDb: known ?? null,
    name: known?.name ?? people.find((person) => person.network_name)?.network_name ?? null,
    people: people.map((person) => ({ username: person.username, displayName: person.display_name, source: person.source })),
  };
}
