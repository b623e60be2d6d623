import "server-only";
import type { Db } from "@/db";

export async function listLans(db: Db) {
  return db
    .selectFrom("lans")
    .select(["id", "name", "zt_network_id", "ipv4_prefix", "ipv6_prefix", "mtu", "rs_asn", "ipv6_scheme", "reserved_host_count", "quarantine_days", "description"])
    .select((eb) =>
      eb
        .selectFrom("connections")
        .select((sub) => sub.fn.countAll<number>().as("count"))
        .whereRef("connections.lan_id", "=", "lans.id")
        .where("connections.state", "in", ["approved", "provisioning", "provisioned", "active", "failed", "removing"])
        .as("live_connections"),
    )
    .orderBy("name")
    .execute();
}
