import "server-only";
import { sql } from "kysely";
import { z } from "zod";
import type { Db } from "@/db";
import { likePattern, offsetOf, type ListParams } from "@/lib/lists/list-params";
import { direction } from "@/lib/lists/order";
import { pagedQuery } from "@/lib/lists/paged-query";

export type Actor =
  | { type: "user"; id: number; label: string }
  | { type: "api_key"; id: number; label: string }
  | { type: "job"; label: string }
  | { type: "cli"; label: string }
  | { type: "system"; label: string }
  | { type: "anonymous"; label: string };

export const cliActor = (): Actor => ({ type: "cli", label: `cli (${process.env.USER ?? "unknown"})` });
export const systemActor: Actor = { type: "system", label: "system" };

export type AuditInput = {
  actor: Actor;
  action: string;
  subject?: { type: string; id: string | number };
  before?: unknown;
  after?: unknown;
  details?: unknown;
  clientIp?: string | null;
};

const json = (value: unknown) => (value === undefined ? null : JSON.stringify(value));

/** Appends one audit event; call it on the same transaction as the change it records. */
export async function recordAudit(db: Db, event: AuditInput) {
  await db
    .insertInto("audit_events")
    .values({
      actor_type: event.actor.type,
      actor_id: "id" in event.actor ? String(event.actor.id) : null,
      actor_label: event.actor.label,
      action: event.action,
      subject_type: event.subject?.type ?? null,
      subject_id: event.subject ? String(event.subject.id) : null,
      before: json(event.before),
      after: json(event.after),
      details: json(event.details),
      client_ip: event.clientIp ?? null,
    })
    .execute();
}

export type AuditFilters = { action?: string; actor?: string; subjectType?: string; subjectId?: string };

export async function listAuditEvents(db: Db, filters: AuditFilters, page: { limit: number; offset: number }) {
  let query = db.selectFrom("audit_events");
  if (filters.action) query = query.where("action", "like", `${filters.action.replace(/[%_\\]/g, "\\$&")}%`);
  if (filters.actor) query = query.where("actor_label", "ilike", `%${filters.actor.replace(/[%_\\]/g, "\\$&")}%`);
  if (filters.subjectType) query = query.where("subject_type", "=", filters.subjectType);
  if (filters.subjectId) query = query.where("subject_id", "=", filters.subjectId);
  return query
    .select(["id", "at", "actor_type", "actor_id", "actor_label", "action", "subject_type", "subject_id", "before", "after", "details", "client_ip"])
    .orderBy("id", "desc")
    .limit(page.limit)
    .offset(page.offset)
    .execute();
}

/** The audit page's own filters beside the list's search: who, what, on what, and when. */
const ZAuditQuery = z.object({
  actor: z.string().trim().max(100).catch(""),
  action: z.string().trim().max(100).catch(""),
  // "connection" or "connection 12"
  target: z.string().trim().max(100).catch(""),
  from: z.iso.date().or(z.iso.datetime({ local: true })).optional().catch(undefined),
  to: z.iso.date().or(z.iso.datetime({ local: true })).optional().catch(undefined),
});
export type AuditQuery = z.output<typeof ZAuditQuery>;

export function parseAuditQuery(raw: Record<string, string | string[] | undefined>): AuditQuery {
  const first = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);
  return ZAuditQuery.parse({ actor: first(raw.actor) ?? "", action: first(raw.action) ?? "", target: first(raw.target) ?? "", from: first(raw.from) || undefined, to: first(raw.to) || undefined });
}

export const AUDIT_SORTS = ["at", "actor", "action", "target"] as const;
const AUDIT_SORT_COLUMNS = { at: "id", actor: "actor_label", action: "action", target: "subject_type" } as const;
export const auditListSpec = { sorts: AUDIT_SORTS, defaultSort: "at", defaultDir: "desc", pageSizes: [25, 50, 100, 200] } as const;

/** One page of the audit log with its total; times are UTC ("to" a date includes that whole day). */
export async function pageAuditEvents(db: Db, filters: AuditQuery, params: ListParams<(typeof AUDIT_SORTS)[number]>) {
  let query = db.selectFrom("audit_events");
  if (filters.action) query = query.where("action", "like", `${filters.action.replace(/[%_\\]/g, "\\$&")}%`);
  if (filters.actor) query = query.where("actor_label", "ilike", likePattern(filters.actor));
  if (filters.target) {
    const [type, id] = filters.target.split(/\s+/, 2);
    query = query.where("subject_type", "=", type!);
    if (id) query = query.where("subject_id", "=", id.replace(/^#/, ""));
  }
  if (filters.from) query = query.where("at", ">=", sql<Date>`${filters.from}::timestamp at time zone 'UTC'`);
  if (filters.to) {
    query = filters.to.length === 10 ? query.where("at", "<", sql<Date>`(${filters.to}::date + 1)::timestamp at time zone 'UTC'`) : query.where("at", "<=", sql<Date>`${filters.to}::timestamp at time zone 'UTC'`);
  }
  if (params.q) {
    const pattern = likePattern(params.q);
    query = query.where((eb) => eb.or([eb("actor_label", "ilike", pattern), eb("action", "ilike", pattern), eb("subject_id", "=", params.q), eb(sql<string>`before::text`, "ilike", pattern), eb(sql<string>`after::text`, "ilike", pattern)]));
  }
  return pagedQuery(
    query,
    (filtered) =>
      filtered
        .select(["id", "at", "actor_type", "actor_id", "actor_label", "action", "subject_type", "subject_id", "before", "after", "details", "client_ip"])
        .orderBy(AUDIT_SORT_COLUMNS[params.sort], direction(params.dir, params.sort === "target"))
        .orderBy("id", params.dir),
    { limit: params.size, offset: offsetOf(params) },
  );
}
