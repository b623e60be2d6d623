import { auditChanges } from "@/lib/lists/audit-changes";

/** An audited change as the fields it touched, before → after; long values wrap with the page (overflow-wrap on the body). */
export function AuditChangeList({ before, after }: { before: unknown; after: unknown }) {
  const changes = auditChanges(before, after);
  if (changes.length === 0) return null;
  return (
    <dl className="grid grid-cols-[auto_minmax(0,1fr)] gap-x-2 text-xs">
      {changes.map((change) => (
        <div key={change.field} className="contents">
          <dt className="font-mono text-slate-500">{change.field}</dt>
          <dd className="font-mono">
            {change.before !== undefined ? <del className="text-red-700">{change.before}</del> : null}
            {change.before !== undefined && change.after !== undefined ? " → " : null}
            {change.after !== undefined ? <ins className="text-emerald-800 no-underline">{change.after}</ins> : null}
          </dd>
        </div>
      ))}
    </dl>
  );
}
