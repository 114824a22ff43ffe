/*
 * Finding the webhook bodies in a file without re-serialising them: each body is a byte span of the input, so the
 * stored `raw` and its SHA-256 are the bytes Zoom sent. JSON.parse cannot give the span of an array element, and
 * the npm parsers that report offsets (jsonc-parser and the like) work on decoded strings, accept comments and
 * trailing commas, and build a tree of the whole file; what is needed here is only where each top-level element
 * starts and ends. That takes tracking strings, escapes and nesting depth over the bytes (every JSON structural
 * character is ASCII, and no byte of a multi-byte UTF-8 character is), which the scanner below does. It does not
 * validate: each span is parsed on its own afterwards, so a malformed part is rejected alone.
 */

/** One body in the input: its 1-based position, the line it starts on, and its bytes as `[start, end)`. */
export interface BodySpan {
  readonly item: number;
  readonly line: number;
  readonly start: number;
  readonly end: number;
}

/** How the input was read: a JSON array of bodies, one body (possibly pretty-printed), or one body per line. */
export type InputFormat = 'array' | 'single' | 'ndjson';

/** The bodies of an input, in order. */
export interface SplitInput {
  readonly format: InputFormat;
  readonly bodies: readonly BodySpan[];
}

const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const UTF8_BOM = [0xef, 0xbb, 0xbf];

const isSpace = (c: number | undefined) => c === 0x20 || c === 0x09 || c === LF || c === CR;

function skipSpace(bytes: Uint8Array, from: number, to = bytes.length): number {
  let i = from;
  while (i < to && isSpace(bytes[i])) i++;
  return i;
}

function trimEnd(bytes: Uint8Array, from: number, to: number): number {
  let end = to;
  while (end > from && isSpace(bytes[end - 1])) end--;
  return end;
}

/**
 * Scans the array or object opening at `open`: the index of its closing bracket (-1 when the input ends first) and
 * the indexes of the commas directly inside it. Depth counts brackets of both kinds alike: a mismatch can only
 * misplace a boundary, and the span it yields then fails its own parse.
 */
function scanNested(bytes: Uint8Array, open: number, wantCommas: boolean): { close: number; commas: number[] } {
  const commas: number[] = [];
  let depth = 0;
  let inString = false;
  for (let i = open; i < bytes.length; i++) {
    const c = bytes[i];
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) {
      inString = true;
    } else if (c === OPEN_ARRAY || c === OPEN_OBJECT) {
      depth++;
    } else if (c === CLOSE_ARRAY || c === CLOSE_OBJECT) {
      if (--depth === 0) return { close: i, commas };
    } else if (c === COMMA && depth === 1 && wantCommas) {
      commas.push(i);
    }
  }
  return { close: -1, commas };
}

/** Numbers spans in order and gives each the line it starts on, counting line feeds once over the input. */
function numbered(bytes: Uint8Array, spans: readonly (readonly [number, number])[]): BodySpan[] {
  let line = 1;
  let at = 0;
  return spans.map(([start, end], i) => {
    for (; at < start; at++) if (bytes[at] === LF) line++;
    return { item: i + 1, line, start, end };
  });
}

/** The elements of the array opening at `open`, or undefined when something other than whitespace follows it. */
function arrayElements(bytes: Uint8Array, open: number): [number, number][] | undefined {
  const { close, commas } = scanNested(bytes, open, true);
  if (close >= 0 && skipSpace(bytes, close + 1) < bytes.length) return undefined;
  // A torn file (no closing bracket) keeps its complete elements; the cut one is a span that fails its parse.
  const last = close >= 0 ? close : bytes.length;
  const bounds = [open, ...commas, last];
  const spans: [number, number][] = [];
  for (let k = 0; k + 1 < bounds.length; k++) {
    const start = skipSpace(bytes, bounds[k]! + 1, bounds[k + 1]);
    spans.push([start, trimEnd(bytes, start, bounds[k + 1]!)]);
  }
  // `[]` has no element; `[a,]` keeps its empty last element, which is then rejected.
  if (spans.length === 1 && spans[0]![0] === spans[0]![1]) return [];
  return spans;
}

function lines(bytes: Uint8Array, from: number): [number, number][] {
  const spans: [number, number][] = [];
  let start = from;
  while (start < bytes.length) {
    let end = bytes.indexOf(LF, start);
    if (end < 0) end = bytes.length;
    const first = skipSpace(bytes, start, end);
    const last = trimEnd(bytes, first, end);
    if (last > first) spans.push([first, last]);
    start = end + 1;
  }
  return spans;
}

/**
 * Splits a file of Zoom webhook bodies into byte spans: a JSON array (one body per element), one JSON body
 * (pretty-printed or not), or NDJSON (one body per line; blank lines and CRLF line ends allowed). A leading UTF-8
 * byte order mark is skipped. Nothing is parsed here; a span that is not a body fails when it is parsed.
 */
export function splitBodies(bytes: Uint8Array): SplitInput {
  const bom = UTF8_BOM.every((b, i) => bytes[i] === b) ? UTF8_BOM.length : 0;
  const first = skipSpace(bytes, bom);
  if (bytes[first] === OPEN_ARRAY) {
    const elements = arrayElements(bytes, first);
    if (elements) return { format: 'array', bodies: numbered(bytes, elements) };
  } else if (bytes[first] === OPEN_OBJECT) {
    const { close } = scanNested(bytes, first, false);
    if (close >= 0 && skipSpace(bytes, close + 1) === bytes.length) return { format: 'single', bodies: numbered(bytes, [[first, close + 1]]) };
  }
  return { format: 'ndjson', bodies: numbered(bytes, lines(bytes, bom)) };
}

/** How far into a file binary content is looked for, as git and grep do. */
export const BINARY_SNIFF_BYTES = 8_192;

/**
 * The offset of the first NUL byte in the first BINARY_SNIFF_BYTES, or -1. JSON text never holds a raw NUL, so a
 * NUL there means a binary, compressed or UTF-16 file rather than webhook bodies.
 */
export function binaryOffset(bytes: Uint8Array): number {
  return bytes.subarray(0, BINARY_SNIFF_BYTES).indexOf(0);
}
