import "server-only";
import { sql } from "kysely";
import type { Db } from "@/db";
import { recordAudit } from "@/lib/audit";
import { enqueueLanDeployment } from "@/lib/connections/service";
import { getConfig } from "@/lib/config";
import { enqueueIrrRefresh, networkNeedsIrr } from "@/lib/irr/prefix-lists";
import { fetchNetworkByAsn } from "@/lib/peeringdb/rest";

/**
 * Refreshes a network's PeeringDB data (name, IRR as-set, prefix counts) into `networks`.
 * An ASN PeeringDB does not know is recorded as such (not an error). Returns what changed.
 */
export async function refreshNetwork(db: Db, asn: number, options: { sleep?: (ms: number) => Promise<void>; apiUrl?: string } = {}) {
  const config = getConfig();
  const fetched = await fetchNetworkByAsn(asn, {
    apiUrl: options.apiUrl ?? config.PEERINGDB_API_URL,
    apiKey: config.PEERINGDB_API_KEY,
    timeoutMs: 15_000,
    maxRetries: 4,
    maxTotalMs: 120_000,
    sleep: options.sleep,
  });
  return db.transaction().execute(async (trx) => {
    const before = await trx
      .selectFrom("networks")
      .select(["name", "irr_as_set", "info_prefixes4", "info_prefixes6", "peeringdb_id", "known_to_peeringdb"])
      .where("asn", "=", asn)
      .forUpdate()
      .executeTakeFirst();
    const after = fetched
      ? {
          name: fetched.name,
          irr_as_set: fetched.irrAsSet ?? null,
          info_prefixes4: fetched.infoPrefixes4 ?? null,
          info_prefixes6: fetched.infoPrefixes6 ?? null,
          peeringdb_id: fetched.peeringDbId ?? null,
          known_to_peeringdb: true,
        }
      : { known_to_peeringdb: false };
    await trx
      .insertInto("networks")
      .values({ asn, ...after, fetched_at: sql<Date>`now()` })
      .onConflict((oc) => oc.column("asn").doUpdateSet({ ...after, fetched_at: sql<Date>`now()` }))
      .execute();
    const changed = Object.entries(after).some(([key, value]) => (before as Record<string, unknown> | undefined)?.[key] !== value);
    if (changed) {
      await recordAudit(trx, { actor: { type: "job", label: "refresh_network" }, action: "network.refreshed", subject: { type: "network", id: asn }, before, after });
      // Name, as-set and prefix counts are in the route servers' config: redeploy the LANs this
      // network peers on (debounced per LAN, so a burst of refreshes makes one deployment).
      const routing = ["name", "irr_as_set", "info_prefixes4", "info_prefixes6"].some((key) => (before as Record<string, unknown> | undefined)?.[key] !== (after as Record<string, unknown>)[key]);
      if (routing) {
        const lans = await trx
          .selectFrom("connections")
          .select("lan_id")
          .distinct()
          .where("asn", "=", asn)
          .where("state", "in", ["provisioned", "active"])
          .where("route_server_peering", "=", true)
          .execute();
        for (const lan of lans) await enqueueLanDeployment(trx, lan.lan_id, `PeeringDB data of AS${asn} changed`);
      }
    }
    // On a LAN that filters by IRR, a new as-set (or a network never fetched, e.g. a new member)
    // gets its IRR prefix lists now, not at the next daily run.
    if (await networkNeedsIrr(trx, asn)) {
      const asSetChanged = (before?.irr_as_set ?? null) !== ((after as Record<string, unknown>).irr_as_set ?? null);
      const neverFetched = !(await trx.selectFrom("irr_prefix_lists").select("asn").where("asn", "=", asn).executeTakeFirst());
      if (asSetChanged || neverFetched) await enqueueIrrRefresh(trx, asn);
    }
    return !fetched ? ("unknown to PeeringDB" as const) : changed ? ("updated" as const) : ("unchanged" as const);
  });
}
