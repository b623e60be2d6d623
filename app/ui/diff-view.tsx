import type { DiffLine } from "@/lib/text-diff";

export function DiffView({ lines }: { lines: DiffLine[] }) {
  if (lines.length === 0) return <p className="text-sm text-slate-600">No differences.</p>;
  return (
    <pre className="max-h-[32rem] overflow-auto rounded-lg border border-slate-200 bg-white p-3 font-mono text-xs leading-5" data-testid="config-diff">
      {lines.map((line, index) => (
        <div key={index} className={line.kind === "+" ? "bg-emerald-50 text-emerald-900" : line.kind === "-" ? "bg-red-50 text-red-900" : "text-slate-600"}>
          {line.kind} {line.text}
        </div>
      ))}
    </pre>
  );
}
