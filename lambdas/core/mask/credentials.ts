/**
 * The one list of credentials zoomlake never stores, and the functions that mask them wherever data is kept or
 * shown: typed cells, raw webhook bodies (`webhook_events.raw` and bodies stored by reference), alerts and logs.
 * A masked value becomes MASK; its field stays, so "had a passcode" is still answerable. To cover a new credential,
 * add its field name (or the suffix its family shares) to CREDENTIAL_SUFFIXES, a URL-only parameter name to
 * CREDENTIAL_NAMES, or a name that is a credential only inside one object to CREDENTIAL_FIELDS_IN, and a case to test/unit/mask-credentials.test.ts (docs/credential-masking.md describes them for readers).
 */

/** What a credential's value is replaced with. */
export const MASK = '[redacted]';

/**
 * A field or URL parameter whose name, lower-cased, ends with one of these holds a credential: `password` covers
 * `encrypted_password`, `h323_password` and `pstn_password`; `passcode` covers `recording_play_passcode`; `token`
 * covers `download_token` (recording.completed's bearer credential), `access_token` and `plainToken`.
 */
export const CREDENTIAL_SUFFIXES = [
  'password',
  'passcode',
  'passwd',
  'pwd',
  'token',
  'secret',
  'signature',
  // A live stream's RTMP key lets anyone broadcast into it; a host key claims the host role; a registrant's PIN joins
  // by phone as them; a third-party audio conference's leader PIN runs the call.
  'stream_key',
  'host_key',
  'pin_code',
  'leader_pin',
] as const;

/**
 * Names that are credentials only when whole: `tk` (a registrant's join-link token) and `zak` (the host's start
 * token in `start_url`) would match far too much as suffixes.
 */
export const CREDENTIAL_NAMES = ['tk', 'zak'] as const;

/**
 * Links that are credentials only inside one kind of object, by that object's field name (an array's items take the
 * array's name): a meeting chat file's `download_url` fetches the file itself, and a registrant's `join_url` joins as
 * that registrant (its `tk` is masked anyway; the rest says nothing the event does not). Elsewhere the same names are
 * ordinary links: a recording file's `download_url` needs the download token, which is masked.
 */
export const CREDENTIAL_FIELDS_IN: Readonly<Record<string, readonly string[]>> = {
  chat_message_file: ['download_url'],
  registrant: ['join_url'],
  registrants: ['join_url'],
};

const bare = (name: string) => name.toLowerCase().replace(/[_-]/g, '');
const SUFFIXES = CREDENTIAL_SUFFIXES.map(bare);
const FIELDS_IN = new Map(Object.entries(CREDENTIAL_FIELDS_IN).map(([parent, names]) => [bare(parent), new Set(names.map(bare))]));

/**
 * Whether a JSON field or URL parameter of this name holds a credential. Case, `_` and `-` are ignored, so
 * `streamKey`, `stream_key` and `X-Amz-Signature` are all recognised.
 */
export function isCredentialName(name: string): boolean {
  const n = bare(name);
  return (CREDENTIAL_NAMES as readonly string[]).includes(n) || SUFFIXES.some((s) => n.endsWith(s));
}

/** Whether a JSON field holds a credential: by its own name, or by its name inside its object (`parent`, CREDENTIAL_FIELDS_IN). */
export function isCredentialField(name: string, parent: string | undefined): boolean {
  return isCredentialName(name) || (parent !== undefined && FIELDS_IN.get(bare(parent))?.has(bare(name)) === true);
}

// A query or fragment parameter, plain (`?pwd=x`) or percent-encoded inside another URL (`%3Fpwd%3Dx`); the value
// runs to the next separator or whitespace. Names are checked against the list in the callback, not in the pattern.
const URL_PARAM = /([?&#;]|%3f|%26|%23)([\w.~-]+)(=|%3d)((?:(?!%26|%23)[^&#\s"'<>])*)/gi;

/** Text with the values of credential URL parameters masked (`?pwd=abc` becomes `?pwd=[redacted]`). */
export function maskUrlParams(text: string): string {
  if (!text.includes('=') && !/%3d/i.test(text)) return text;
  return text.replace(URL_PARAM, (whole, sep: string, name: string, eq: string, value: string) => {
    if (value === '') return whole;
    // Another URL can ride in a parameter's value (`?to=https%3A%2F%2Fzoom.us%2Fj%2F1%3Fpwd%3D...`).
    return `${sep}${name}${eq}${isCredentialName(name) ? MASK : maskUrlParams(value)}`;
  });
}

const looksLikeJson = (s: string) => /^\s*[{[]/.test(s);

/** A string value with credentials masked: URL parameters, and credential fields when the string is itself JSON. */
export function maskString(s: string): string {
  return looksLikeJson(s) ? maskJsonText(s) : maskUrlParams(s);
}

/** The masked form of a leaf value; `credential` says it sits under a credential name. Booleans and null are kept. */
function maskLeaf(value: unknown, credential: boolean): unknown {
  if (typeof value === 'string') return credential ? (value === '' ? value : MASK) : maskString(value);
  if (credential && (typeof value === 'number' || typeof value === 'bigint')) return MASK;
  return value;
}

/** An object or array being walked; `parent` is the field that holds it (an array's items inherit the array's). */
type Frame =
  | { readonly array: false; readonly parent: string | undefined; key: string | undefined; expectKey: boolean }
  | { readonly array: true; readonly parent: string | undefined; readonly credential: boolean };

/** Whether a value starting now is under a credential name: its field's name, or an array such a field holds. */
function underCredential(frame: Frame | undefined): boolean {
  if (frame === undefined) return false;
  return frame.array ? frame.credential : frame.key !== undefined && isCredentialField(frame.key, frame.parent);
}

/** The field name a value starting now sits under: its field's, or for an array item the array's. */
const fieldOf = (frame: Frame | undefined): string | undefined => (frame === undefined ? undefined : frame.array ? frame.parent : frame.key);

/** The index just past the JSON string token that starts at `start` (its opening quote). */
function stringEnd(text: string, start: number): number {
  let at = start + 1;
  for (;;) {
    const quote = text.indexOf('"', at);
    if (quote < 0) throw new SyntaxError('unterminated string');
    let backslashes = 0;
    for (let k = quote - 1; text.charCodeAt(k) === 92; k--) backslashes++;
    if (backslashes % 2 === 0) return quote + 1;
    at = quote + 1;
  }
}

const LITERAL = /[^\s,\]}]*/y;
const JSON_LITERAL = /^(?:true|false|null|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)$/;

/**
 * JSON text with credentials masked in place: every byte outside a masked value is kept, so the formatting, key
 * order and numbers too large for a double survive (a parse and re-serialise would lose them), and a body holding no
 * credential comes back identical. Text that is not JSON gets its URL parameters masked. Hand-written: the npm
 * parsers that give value offsets (jsonc-parser and the like) are not dependencies here, accept comments and
 * trailing commas, and the walk needs only strings, literals and nesting.
 */
export function maskJsonText(text: string): string {
  try {
    return maskJsonTokens(text);
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
    return maskUrlParams(text);
  }
}

function maskJsonTokens(text: string): string {
  // An explicit stack, not recursion: Zoom bodies are shallow, but a hostile one must not overflow the call stack.
  const stack: Frame[] = [];
  const parts: string[] = [];
  let copied = 0;
  const replace = (from: number, to: number, value: unknown) => {
    parts.push(text.slice(copied, from), JSON.stringify(value));
    copied = to;
  };
  for (let i = 0; i < text.length; ) {
    const c = text[i]!;
    const top = stack[stack.length - 1];
    if (c === '"') {
      const end = stringEnd(text, i);
      const token = text.slice(i, end);
      if (top && !top.array && top.expectKey) {
        top.key = JSON.parse(token) as string;
        top.expectKey = false;
      } else if (token.length > 2) {
        const value = JSON.parse(token) as string;
        const out = maskLeaf(value, underCredential(top));
        if (out !== value) replace(i, end, out);
      }
      i = end;
    } else if (c === '{' || c === '[') {
      const parent = fieldOf(top);
      stack.push(c === '{' ? { array: false, parent, key: undefined, expectKey: true } : { array: true, parent, credential: underCredential(top) });
      i++;
    } else if (c === '}' || c === ']') {
      if (stack.pop() === undefined) throw new SyntaxError('unbalanced');
      i++;
    } else if (c === ',') {
      if (top && !top.array) top.expectKey = true;
      i++;
    } else if (c === ':' || c === ' ' || c === '\n' || c === '\r' || c === '\t') {
      i++;
    } else {
      LITERAL.lastIndex = i;
      const literal = LITERAL.exec(text)![0];
      if (!JSON_LITERAL.test(literal)) throw new SyntaxError('unexpected literal');
      const end = i + literal.length;
      if (literal !== 'true' && literal !== 'false' && literal !== 'null' && underCredential(top)) replace(i, end, MASK);
      i = end;
    }
  }
  if (stack.length > 0) throw new SyntaxError('unbalanced');
  parts.push(text.slice(copied));
  return parts.join('');
}

/**
 * A copy of a JS value (an evidence row, a log record) with credentials masked by the same rules as maskJsonText;
 * values nested deeper than `depth` are masked whole rather than walked.
 */
export function maskValue(value: unknown, credential = false, depth = 32): unknown {
  return maskUnder(value, credential, depth, undefined);
}

/** maskValue for a value held by the field `field` (an array's items are held by the array's field). */
function maskUnder(value: unknown, credential: boolean, depth: number, field: string | undefined): unknown {
  if (Array.isArray(value)) return depth <= 0 ? MASK : value.map((v) => maskUnder(v, credential, depth - 1, field));
  if (typeof value === 'object' && value !== null && [Object.prototype, null].includes(Object.getPrototypeOf(value) as object | null)) {
    if (depth <= 0) return MASK;
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskUnder(v, isCredentialField(k, field), depth - 1, k)]));
  }
  return maskLeaf(value, credential);
}

/** A row (alert evidence, a log record) with credentials masked: credential columns, URL parameters, JSON text. */
export function maskRow<T extends Readonly<Record<string, unknown>>>(row: T): T {
  return maskValue(row) as T;
}

/** A log line with credentials masked: a JSON line by field name and URL parameter, any other line by URL parameter. */
export const maskLogLine = (line: string): string => maskJsonText(line);
