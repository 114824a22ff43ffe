/*
 * What local code writes to a terminal: control characters escaped, JSON kept valid. Shared by the CLI, the local
 * pipeline's alert lines and the CLI's error lines.
 */

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

// What JSON.stringify leaves raw: it escapes the C0 controls but not DEL, C1, the bidi controls or the line separators.
const RAW_IN_JSON = /[\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2028\u2029\u2066-\u2069]/gu;

/**
 * JSON text (as JSON.stringify writes it) safe to write to a terminal and still the same JSON: the control characters
 * JSON.stringify leaves raw become `\uXXXX` escapes, which a JSON parser reads back as the very characters (valid JSON
 * holds them only inside strings).
 */
export function safeJson(json: string): string {
  return json.replace(RAW_IN_JSON, (c) => `\\u${c.codePointAt(0)!.toString(16).padStart(4, '0')}`);
}

/** One JSON value as one terminal-safe line (no newline): JSON.stringify, then `safeJson`. */
export function jsonLine(value: unknown): string {
  return safeJson(JSON.stringify(value));
}

/**
 * A writer that makes whatever goes through it safe for a terminal: JSON lines stay valid JSON (`safeJson`) and any
 * other control character but tab and newline is made visible (`printable`). The CLI's stdout and stderr go through
 * one, so no command can print a value from Zoom raw, whatever it forgot to escape.
 */
export function terminalWriter(write: (text: string) => void): (text: string) => void {
  return (text) => write(printable(safeJson(text), { multiline: true }));
}
