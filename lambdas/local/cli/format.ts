import { printable } from '../terminal/escape.ts';

/** Renders rows as an aligned text table; cells are stringified, NULL shown as `NULL`, long cells cut. */
export function formatTable(columns: readonly string[], rows: readonly Record<string, unknown>[], maxWidth = 60): string {
  const cell = (v: unknown) => {
    const s = v === null || v === undefined ? 'NULL' : typeof v === 'object' ? JSON.stringify(v) : String(v);
    const flat = printable(s.replace(/[ \t\n\r]+/g, ' '));
    return flat.length > maxWidth ? `${flat.slice(0, maxWidth - 1)}…` : flat;
  };
  const header = columns.map((c) => printable(c));
  const body = rows.map((r) => columns.map((c) => cell(r[c])));
  const widths = header.map((c, i) => Math.max(c.length, ...body.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}
