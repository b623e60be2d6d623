import "server-only";
import type { Db } from "@/db";

/** Networks known through people's affiliations (PeeringDB data arrives with connections). */
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
  if (people.length === 0) return null;
  return {
    asn,
    name: people.find((person) => person.network_name)?.network_name ?? null,
    people: people.map((person) => ({ username: person.username, displayName: person.display_name, source: person.source })),
  };
}
