import "server-only";
import { sql, type ExpressionBuilder } from "kysely";
import type { Db } from "@/db";
import type { DB } from "@/db/schema.generated";
import { likePattern, offsetOf, type ListParams } from "@/lib/lists/list-params";
import { direction } from "@/lib/lists/order";
import { pagedQuery } from "@/lib/lists/paged-query";

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

/** The networks list: sort names mapped to columns, search by ASN, name or as-set, PeeringDB filter. */
export const NETWORK_SORTS = ["asn", "name", "as_set", "prefixes4", "prefixes6", "live", "fetched"] as const;
const NETWORK_SORT_COLUMNS = {
  asn: "asn",
  name: "name",
  as_set: "irr_as_set",
  prefixes4: "info_prefixes4",
  prefixes6: "info_prefixes6",
  live: "live_connections",
  fetched: "fetched_at",
} as const;
export const networkListSpec = { sorts: NETWORK_SORTS, defaultSort: "asn", defaultDir: "asc", filters: { peeringdb: ["known", "unknown", "not-fetched"], live: ["yes", "no"] } } as const;

export async function pageNetworks(db: Db, params: ListParams<(typeof NETWORK_SORTS)[number], "peeringdb" | "live">) {
  const live = (eb: ExpressionBuilder<DB, "networks">) =>
    eb.selectFrom("connections").select((sub) => sub.fn.countAll<number>().as("count")).whereRef("connections.asn", "=", "networks.asn").where("connections.state", "not in", ["rejected", "removed"]);
  let query = db.selectFrom("networks");
  if (params.filters.peeringdb === "known") query = query.where("known_to_peeringdb", "=", true);
  if (params.filters.peeringdb === "unknown") query = query.where("known_to_peeringdb", "=", false);
  if (params.filters.peeringdb === "not-fetched") query = query.where("known_to_peeringdb", "is", null);
  if (params.filters.live === "yes") query = query.where((eb) => eb(live(eb), ">", 0));
  if (params.filters.live === "no") query = query.where((eb) => eb(live(eb), "=", 0));
  if (params.q) {
    const asn = /^(as)?\d{1,10}$/i.test(params.q) ? Number(params.q.replace(/^as/i, "")) : null;
    query = query.where((eb) => eb.or([eb("name", "ilike", likePattern(params.q)), eb("irr_as_set", "ilike", likePattern(params.q)), ...(asn !== null && asn <= 4294967295 ? [eb("asn", "=", asn)] : [])]));
  }
  return pagedQuery(
    query,
    (filtered) =>
      filtered
        .select(["asn", "name", "irr_as_set", "info_prefixes4", "info_prefixes6", "known_to_peeringdb", "fetched_at"])
        .select((eb) => live(eb).as("live_connections"))
        .orderBy(sql.ref(NETWORK_SORT_COLUMNS[params.sort]), direction(params.dir, params.sort !== "asn" && params.sort !== "live"))
        .orderBy("asn", params.dir),
    { limit: params.size, offset: offsetOf(params) },
  );
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
