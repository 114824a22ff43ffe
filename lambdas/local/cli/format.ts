/**
 * Control characters (C0 but tab and newline, DEL, C1) and the Unicode bidirectional controls, which can retitle a
 * terminal, erase or rewrite the line that reports them, or make text display in another order than it is stored.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu;
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_OR_LINE_BREAK = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2028\u2029\u2066-\u2069]/gu;

const escaped = (c: string) => {
  const code = c.codePointAt(0)!;
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
};

/**
 * Text safe to write to a terminal: every control character is shown as a visible escape (`\x1b`, `\u202e`), so a
 * participant name or topic from Zoom cannot act on the terminal. One line unless `multiline` (tabs and newlines
 * are then kept; otherwise they are escaped too).
 */
export function printable(text: string, options: { readonly multiline?: boolean } = {}): string {
  return text.replace(options.multiline ? CONTROL : CONTROL_OR_LINE_BREAK, escaped);
}

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
  const line = (cells: readonly string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}
