export type Tone = "ok" | "warn" | "bad" | "neutral";

/**
 * A state in a coloured pill. Styled by two classes (app/globals.css) rather than a dozen
 * utilities: a list page renders dozens of badges, and their markup was a quarter of its bytes.
 */
export function StatusBadge({ tone, children }: { tone: Tone; children: React.ReactNode }) {
  return <span className={`badge badge-${tone}`}>{children}</span>;
}
