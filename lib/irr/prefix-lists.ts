import "server-only";
import { sql } from "kysely";
import type { Db } from "@/db";
import { enqueueJob } from "@/jobs/enqueue";
import { recordAudit, type Actor } from "@/lib/audit";
import { getConfig } from "@/lib/config";
import { enqueueLanDeployment } from "@/lib/connections/service";
import { DomainError, NotFoundError } from "@/lib/errors";
import { IrrFetchError, parseIrrObjects, runBgpq4 } from "./bgpq4";
import { refreshIrrJobKey } from "@/jobs/keys";

/** Past this many entries in one family a member's list is refused (bgpq4 -A aggregates first). */
export const MAX_IRR_ENTRIES = 100_000;
const BGPQ4_TIMEOUT_MS = 120_000;

/**
 * The as-set a network's prefix lists come from: the operator's override, else PeeringDB's
 * irr_as_set, else the ASN alone (its own route objects). Never null.
 */
export function effectiveAsSet(network: { asn: number; irr_as_set: string | null; irr_as_set_override: string | null }) {
  if (network.irr_as_set_override) return { value: network.irr_as_set_override, origin: "operator" as const };
  if (network.irr_as_set?.trim()) return { value: network.irr_as_set.trim(), origin: "PeeringDB" as const };
  return { value: `AS${network.asn}`, origin: "ASN only: no as-set in PeeringDB" as const };
}

export type IrrRefreshOptions = { server?: string; sources?: string; bgpq4Path?: string; maxEntries?: number; timeoutMs?: number };

export type IrrFamilyOutcome = { family: 4 | 6; status: "updated" | "unchanged" | "failed"; count: number; error: string | null };

/**
 * Fetches a network's IPv4 and IPv6 prefix lists with bgpq4 and stores them. A failed or empty
 * fetch never replaces a good list: the previous list stays and the failure is recorded next to
 * it. A changed list queues one deployment per LAN that filters by IRR and where the network
 * peers with the route servers (same transaction as the write).
 */
export async function refreshIrrPrefixLists(db: Db, asn: number, options: IrrRefreshOptions = {}): Promise<{ asSet: string; outcomes: IrrFamilyOutcome[] }> {
  const config = getConfig();
  const server = options.server ?? config.ZTIX_IRR_SERVER;
  const sources = options.sources ?? config.ZTIX_IRR_SOURCES ?? "";
  const network = await db.selectFrom("networks").select(["asn", "irr_as_set", "irr_as_set_override"]).where("asn", "=", asn).executeTakeFirst();
  if (!network) throw new NotFoundError(`AS${asn} is not a known network (refresh its PeeringDB data first)`);
  const asSet = effectiveAsSet(network).value;
  const parsed = parseIrrObjects(asSet);

  const fetched: { family: 4 | 6; prefixes: string[] | null; error: string | null }[] = [];
  for (const family of [4, 6] as const) {
    if ("error" in parsed) {
      fetched.push({ family, prefixes: null, error: `as-set ${JSON.stringify(asSet.slice(0, 60))} not used: ${parsed.error}` });
      continue;
    }
    try {
      const prefixes = await runBgpq4(parsed.objects, family, {
        bgpq4Path: options.bgpq4Path ?? config.BGPQ4_PATH,
        server,
        sources,
        timeoutMs: options.timeoutMs ?? BGPQ4_TIMEOUT_MS,
        maxEntries: options.maxEntries ?? MAX_IRR_ENTRIES,
      });
      fetched.push(prefixes.length > 0 ? { family, prefixes, error: null } : { family, prefixes: null, error: `no IPv${family} route objects for ${asSet} at ${server}` });
    } catch (error) {
      if (!(error instanceof IrrFetchError)) throw error;
      fetched.push({ family, prefixes: null, error: error.message });
    }
  }

  return db.transaction().execute(async (trx) => {
    // One refresh of a network at a time decides what is "changed".
    await trx.selectFrom("networks").select("asn").where("asn", "=", asn).forUpdate().executeTakeFirst();
    const before = await trx.selectFrom("irr_prefix_lists").select(["family", "prefixes", "as_set"]).where("asn", "=", asn).execute();
    const outcomes: IrrFamilyOutcome[] = [];
    for (const result of fetched) {
      const previous = before.find((row) => row.family === result.family);
      if (!result.prefixes) {
        // Keep the good list (if any); only the attempt and its error are recorded.
        await trx
          .insertInto("irr_prefix_lists")
          .values({ asn, family: result.family, as_set: asSet, irr_server: server, irr_sources: sources, error: result.error, attempted_at: sql<Date>`now()` })
          .onConflict((oc) => oc.columns(["asn", "family"]).doUpdateSet({ error: result.error, attempted_at: sql<Date>`now()` }))
          .execute();
        outcomes.push({ family: result.family, status: "failed", count: Array.isArray(previous?.prefixes) ? previous.prefixes.length : 0, error: result.error });
        continue;
      }
      const changed = JSON.stringify(previous?.prefixes ?? null) !== JSON.stringify(result.prefixes);
      const row = { as_set: asSet, prefixes: JSON.stringify(result.prefixes), prefix_count: result.prefixes.length, irr_server: server, irr_sources: sources, fetched_at: sql<Date>`now()`, attempted_at: sql<Date>`now()`, error: null };
      await trx
        .insertInto("irr_prefix_lists")
        .values({ asn, family: result.family, ...row })
        .onConflict((oc) => oc.columns(["asn", "family"]).doUpdateSet(row))
        .execute();
      outcomes.push({ family: result.family, status: changed ? "updated" : "unchanged", count: result.prefixes.length, error: null });
    }
    if (outcomes.some((outcome) => outcome.status === "updated")) {
      await recordAudit(trx, { actor: { type: "job", label: "refresh_irr" }, action: "network.irr_updated", subject: { type: "network", id: asn }, details: { asSet, server, sources, outcomes } });
      await enqueueIrrDeployments(trx, asn, `IRR prefix list of AS${asn} changed`);
    }
    return { asSet, outcomes };
  });
}

/** One deployment per LAN that filters by IRR and where the network peers with the route servers. */
async function enqueueIrrDeployments(db: Db, asn: number, reason: string) {
  const lans = await db
    .selectFrom("connections")
    .innerJoin("lans", "lans.id", "connections.lan_id")
    .select("connections.lan_id")
    .distinct()
    .where("connections.asn", "=", asn)
    .where("connections.state", "in", ["provisioned", "active"])
    .where("connections.route_server_peering", "=", true)
    .where("lans.irr_filtering", "=", true)
    .execute();
  for (const lan of lans) await enqueueLanDeployment(db, lan.lan_id, reason);
}

/** An operator sets (or clears, with null) a network's as-set in place of PeeringDB's; "asn-only" means AS<asn>. */
export async function setIrrAsSetOverride(db: Db, asn: number, value: string | null, actor: Actor) {
  let override = value?.trim() || null;
  if (override?.toLowerCase() === "asn-only") override = `AS${asn}`;
  if (override) {
    const parsed = parseIrrObjects(override);
    if ("error" in parsed) throw new DomainError(parsed.error, { asSet: [parsed.error] });
    override = parsed.objects.join(" ");
  }
  return db.transaction().execute(async (trx) => {
    const network = await trx.selectFrom("networks").select(["asn", "irr_as_set_override"]).where("asn", "=", asn).forUpdate().executeTakeFirst();
    if (!network) throw new NotFoundError(`AS${asn} is not a known network`);
    if (network.irr_as_set_override === override) return { changed: false, override };
    await trx.updateTable("networks").set({ irr_as_set_override: override }).where("asn", "=", asn).execute();
    await recordAudit(trx, { actor, action: "network.irr_as_set_overridden", subject: { type: "network", id: asn }, before: network.irr_as_set_override, after: override });
    await enqueueIrrRefresh(trx, asn);
    return { changed: true, override };
  });
}

/** Queues a fetch of a network's prefix lists (debounced per network). */
export async function enqueueIrrRefresh(db: Db, asn: number, runAt?: Date) {
  await enqueueJob(db, "refresh_irr", { asn }, { jobKey: refreshIrrJobKey(asn), jobKeyMode: "replace", maxAttempts: 3, runAt });
}

/** Whether a network is (or asks to be) on a LAN that filters by IRR: only then are its lists fetched by themselves. */
export async function networkNeedsIrr(db: Db, asn: number) {
  const row = await db
    .selectFrom("connections")
    .innerJoin("lans", "lans.id", "connections.lan_id")
    .select("connections.id")
    .where("connections.asn", "=", asn)
    .where("connections.state", "not in", ["rejected", "removed"])
    .where("lans.irr_filtering", "=", true)
    .executeTakeFirst();
  return Boolean(row);
}

/** Networks whose lists the route servers need: those with a live route-server connection on a LAN that filters by IRR. */
export async function networksNeedingIrr(db: Db) {
  return (await needingIrr(db).execute()).map((row) => row.asn);
}

function needingIrr(db: Db) {
  return db
    .selectFrom("connections")
    .innerJoin("networks", "networks.asn", "connections.asn")
    .innerJoin("lans", "lans.id", "connections.lan_id")
    .select("connections.asn")
    .where("lans.irr_filtering", "=", true)
    .distinct()
    .where("connections.state", "in", ["provisioned", "active"])
    .where("connections.route_server_peering", "=", true)
    .orderBy("connections.asn");
}

export type IrrStatus = {
  asSet: string;
  asSetOrigin: string;
  lists: { family: 4 | 6; asSet: string; count: number; server: string; sources: string; fetchedAt: Date | null; attemptedAt: Date; error: string | null }[];
};

/** What the network page shows: the as-set in use and each family's list state. */
export async function irrStatusOf(db: Db, asn: number): Promise<IrrStatus | null> {
  const network = await db.selectFrom("networks").select(["asn", "irr_as_set", "irr_as_set_override"]).where("asn", "=", asn).executeTakeFirst();
  if (!network) return null;
  const effective = effectiveAsSet(network);
  const lists = await db.selectFrom("irr_prefix_lists").selectAll().where("asn", "=", asn).orderBy("family").execute();
  return {
    asSet: effective.value,
    asSetOrigin: effective.origin,
    lists: lists.map((row) => ({ family: row.family as 4 | 6, asSet: row.as_set, count: row.prefix_count, server: row.irr_server, sources: row.irr_sources, fetchedAt: row.fetched_at, attemptedAt: row.attempted_at, error: row.error })),
  };
}

/**
 * Networks the route servers need lists for whose lists were never fetched, for the dashboard (at
 * most 50): until a first fetch their routes are filtered.
 */
export async function irrNeverFetched(db: Db) {
  const rows = await needingIrr(db)
    .where((eb) => eb.not(eb.exists(eb.selectFrom("irr_prefix_lists").select(sql<number>`1`.as("one")).whereRef("irr_prefix_lists.asn", "=", "connections.asn"))))
    .limit(50)
    .execute();
  return rows.map((row) => row.asn);
}

/** Failed last fetches, for the dashboard. */
export async function irrFailures(db: Db) {
  return db.selectFrom("irr_prefix_lists").select(["asn", "family", "error", "attempted_at", "fetched_at"]).where("error", "is not", null).orderBy("asn").orderBy("family").limit(50).execute();
}

/** Stored prefix lists per ASN and family, for the render input (good lists only). */
export async function storedPrefixLists(db: Db, asns: number[]) {
  const byAsn = new Map<number, { 4: string[] | null; 6: string[] | null }>();
  if (asns.length === 0) return byAsn;
  const rows = await db.selectFrom("irr_prefix_lists").select(["asn", "family", "prefixes", "fetched_at"]).where("asn", "in", asns).where("fetched_at", "is not", null).execute();
  for (const row of rows) {
    const entry = byAsn.get(row.asn) ?? { 4: null, 6: null };
    entry[row.family as 4 | 6] = row.prefixes as string[];
    byAsn.set(row.asn, entry);
  }
  return byAsn;
}
