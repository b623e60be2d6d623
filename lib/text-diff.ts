/** A unified-style line diff for config previews: " " kept, "-" removed, "+" added. */
export type DiffLine = { kind: " " | "-" | "+"; text: string };

export function diffLines(before: string, after: string, context = 3): DiffLine[] {
  const a = before.split("\n");
  const b = after.split("\n");
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const middleA = a.slice(start, endA);
  const middleB = b.slice(start, endB);
  let middle: DiffLine[];
  if (middleA.length * middleB.length > 4_000_000) {
    // Too large for an exact diff: the changed region as a whole.
    middle = [...middleA.map((text) => ({ kind: "-" as const, text })), ...middleB.map((text) => ({ kind: "+" as const, text }))];
  } else {
    // Longest common subsequence, backtracked from the end.
    const rows = middleA.length + 1;
    const cols = middleB.length + 1;
    const table = new Uint32Array(rows * cols);
    for (let i = middleA.length - 1; i >= 0; i--) {
      for (let j = middleB.length - 1; j >= 0; j--) {
        table[i * cols + j] = middleA[i] === middleB[j] ? table[(i + 1) * cols + j + 1]! + 1 : Math.max(table[(i + 1) * cols + j]!, table[i * cols + j + 1]!);
      }
    }
    middle = [];
    let i = 0;
    let j = 0;
    while (i < middleA.length || j < middleB.length) {
      if (i < middleA.length && j < middleB.length && middleA[i] === middleB[j]) {
        middle.push({ kind: " ", text: middleA[i]! });
        i++;
        j++;
      } else if (i < middleA.length && (j >= middleB.length || table[(i + 1) * cols + j]! >= table[i * cols + j + 1]!)) {
        middle.push({ kind: "-", text: middleA[i]! });
        i++;
      } else {
        middle.push({ kind: "+", text: middleB[j]! });
        j++;
      }
    }
  }
  const lines: DiffLine[] = [...a.slice(Math.max(0, start - context), start).map((text) => ({ kind: " " as const, text })), ...middle, ...a.slice(endA, endA + context).map((text) => ({ kind: " " as const, text }))];
  return middle.length === 0 ? [] : lines;
}
