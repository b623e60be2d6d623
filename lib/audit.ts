import "server-only";
import type { Db } from "@/db";

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
