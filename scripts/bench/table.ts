// Plain-text tables: a title, a header row, the first column left-aligned and every other one right-aligned.

export type Row = readonly string[];

export function table(title: string, header: Row, rows: readonly Row[], notes: readonly string[] = []): string {
  const widths = header.map((_, column) => Math.max(...[header, ...rows].map((row) => (row[column] ?? "").length)));
  const line = (row: Row) =>
    row
      .map((cell, column) => (column === 0 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0)))
      .join("   ")
      .trimEnd();
  const rule = "-".repeat(widths.reduce((sum, width) => sum + width, 0) + 3 * (widths.length - 1));
  return [title, rule, line(header), rule, ...rows.map(line), rule, ...notes.map((note) => `  ${note}`)].join("\n");
}
