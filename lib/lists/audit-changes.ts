/** One field an audited change touched: its value before and after (absent on one side: added or removed). */
export type FieldChange = { field: string; before?: string; after?: string };

// Long enough for a failure's reason (a controller URL and its answer); a prefix list is still shortened.
const MAX_VALUE_LENGTH = 300;

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);
const isPrimitive = (value: unknown) => value === null || ["string", "number", "boolean"].includes(typeof value);

/** A value as a person reads it: none, a list joined by commas, a flat object as key: value pairs; JSON otherwise. */
function show(value: unknown) {
  const text =
    value === null
      ? "none"
      : typeof value === "string"
        ? value
        : Array.isArray(value) && value.every(isPrimitive)
          ? value.map((item) => (item === null ? "none" : String(item))).join(", ")
          : isRecord(value) && Object.values(value).every(isPrimitive)
            ? Object.entries(value)
                .map(([key, item]) => `${key}: ${item === null ? "none" : String(item)}`)
                .join(", ")
            : JSON.stringify(value);
  return text.length > MAX_VALUE_LENGTH ? `${text.slice(0, MAX_VALUE_LENGTH - 1)}…` : text;
}

/**
 * The audit log's before → after as the fields that changed, in a stable order, instead of two
 * JSON documents to compare by eye. Values that are not objects compare as a whole ("value").
 * Events record the whole object before and only what changed after (a retry: `{ state }`), so a
 * field the after-object leaves out kept its value; a cleared field is recorded as null, and a
 * removed object as no after at all.
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
    if (had && !has && after != null) continue;
    if (had && has && JSON.stringify(from[field]) === JSON.stringify(to[field])) continue;
    changes.push({ field, before: had ? show(from[field]) : undefined, after: has ? show(to[field]) : undefined });
  }
  return changes;
}
