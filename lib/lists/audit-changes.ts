/** One field an audited change touched: its value before and after (absent on one side: added or removed). */
export type FieldChange = { field: string; before?: string; after?: string };

const MAX_VALUE_LENGTH = 120;

function show(value: unknown) {
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return text.length > MAX_VALUE_LENGTH ? `${text.slice(0, MAX_VALUE_LENGTH - 1)}…` : text;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * The audit log's before → after as the fields that changed, in a stable order, instead of two
 * JSON documents to compare by eye. Values that are not objects compare as a whole ("value").
 */
export function auditChanges(before: unknown, after: unknown): FieldChange[] {
  if (before == null && after == null) return [];
  if (!isRecord(before ?? {}) || !isRecord(after ?? {})) {
    return JSON.stringify(before) === JSON.stringify(after) ? [] : [{ field: "value", before: before == null ? undefined : show(before), after: after == null ? undefined : show(after) }];
  }
  const from = (before ?? {}) as Record<string, unknown>;
  const to = (after ?? {}) as Record<string, unknown>;
  const fields = [...new Set([...Object.keys(from), ...Object.keys(to)])].sort();
  const changes: FieldChange[] = [];
  for (const field of fields) {
    const had = field in from && from[field] !== undefined;
    const has = field in to && to[field] !== undefined;
    if (had && has && JSON.stringify(from[field]) === JSON.stringify(to[field])) continue;
    changes.push({ field, before: had ? show(from[field]) : undefined, after: has ? show(to[field]) : undefined });
  }
  return changes;
}
