/** Aligned columns for list commands: a header row, then one row per item. */
export function formatTable(header: string[], rows: string[][]) {
  const widths = header.map((title, index) => Math.max(title.length, ...rows.map((row) => (row[index] ?? "").length)));
  return `${[header, ...rows].map((row) => row.map((cell, index) => cell.padEnd(widths[index]!)).join("  ").trimEnd()).join("\n")}\n`;
}
