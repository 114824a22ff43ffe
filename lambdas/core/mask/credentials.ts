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
  let known = credentialByName.get(name);
  if (known === undefined) {
    const n = bare(name);
    known = (CREDENTIAL_NAMES as readonly string[]).includes(n) || SUFFIXES.some((s) => n.endsWith(s));
    // Field names repeat (every log line, every row of a table): remember a bounded number of answers.
    if (credentialByName.size >= 4096) credentialByName.clear();
    credentialByName.set(name, known);
  }
  return known;
}
const credentialByName = new Map<string, boolean>();

const UNDERSCORE = 95;
const HYPHEN = 45;
const isSeparator = (c: number) => c === UNDERSCORE || c === HYPHEN;
const lowerAscii = (c: number) => (c >= 65 && c <= 90 ? c + 32 : c);

// The suffixes and whole names by their last letter (an ASCII code), so most strings are ruled out by one lookup.
type Ending = { readonly codes: readonly number[]; readonly whole: boolean };
const BY_LAST_LETTER: (readonly Ending[] | undefined)[] = new Array<readonly Ending[] | undefined>(128).fill(undefined);
// A field that is a credential only inside one object (CREDENTIAL_FIELDS_IN) counts here wherever it stands: the walk decides.
const FIELDS_ONLY_IN = [...new Set(Object.values(CREDENTIAL_FIELDS_IN).flat().map(bare))];
for (const [name, whole] of [
  ...SUFFIXES.map((s) => [s, false] as const),
  ...CREDENTIAL_NAMES.map((n) => [n, true] as const),
  ...FIELDS_ONLY_IN.map((n) => [n, true] as const),
]) {
  const codes = [...name].map((ch) => ch.charCodeAt(0));
  const last = codes[codes.length - 1]!;
  BY_LAST_LETTER[last] = [...(BY_LAST_LETTER[last] ?? []), { codes, whole }];
}

/** Whether a field of this name holds a credential in some object (isCredentialField for some parent). */
const mayBeCredentialField = (name: string) => isCredentialName(name) || FIELDS_ONLY_IN.includes(bare(name));

/**
 * mayBeCredentialField(text.slice(start, end)) without the slice, for the strings of a text being scanned: ASCII is
 * compared in place, and a name whose compared part holds anything else is handed to mayBeCredentialField.
 */
function isCredentialSpan(text: string, start: number, end: number): boolean {
  let last = end - 1;
  while (last >= start && isSeparator(text.charCodeAt(last))) last--;
  if (last < start) return false;
  const lastCode = text.charCodeAt(last);
  if (lastCode >= 128) return mayBeCredentialField(text.slice(start, end));
  const endings = BY_LAST_LETTER[lowerAscii(lastCode)];
  if (endings === undefined) return false;
  for (const { codes, whole } of endings) {
    let at = last;
    let k = codes.length - 1;
    for (; k >= 0; k--, at--) {
      while (at >= start && isSeparator(text.charCodeAt(at))) at--;
      if (at < start) break;
      const c = text.charCodeAt(at);
      if (c >= 128) return mayBeCredentialField(text.slice(start, end));
      if (lowerAscii(c) !== codes[k]) break;
    }
    if (k >= 0) continue;
    if (!whole) return true;
    while (at >= start && isSeparator(text.charCodeAt(at))) at--;
    if (at < start) return true;
  }
  return false;
}

// A name followed by `=` after a URL separator, plain or percent-encoded: where maskUrlParams can mask a value.
const URL_PARAM_NAME = /(?:[?&#;]|%3f|%26|%23)([\w.~-]+)(?:=|%3d)/gi;

/** Whether some URL parameter in the text has a credential's name (each one maskUrlParams could mask does). */
function hasCredentialParam(text: string): boolean {
  URL_PARAM_NAME.lastIndex = 0;
  for (let m = URL_PARAM_NAME.exec(text); m !== null; m = URL_PARAM_NAME.exec(text)) {
    if (isCredentialName(m[1]!)) return true;
  }
  return false;
}

/**
 * Whether maskJsonText can change `text`; when not, it is returned as it is, without walking it. A backslash (an
 * escape can hide a name or a quote) sends the text to the walk. Without one, every `"` opens or closes a string, so
 * the strings are the spans between successive quotes, and no string holds another JSON text's strings; the walk
 * then masks only under a credential key (a string, checked in place, values included; a name that is a credential
 * only inside some object counts anywhere) or in a URL parameter with a credential's name (found the way maskUrlParams finds them, anywhere in the text, so in any value too).
 */
function maskingMayChange(text: string): boolean {
  if (text.includes('\\')) return true;
  for (let open = text.indexOf('"'); open >= 0; ) {
    const close = text.indexOf('"', open + 1);
    if (close < 0) return true;
    if (isCredentialSpan(text, open + 1, close)) return true;
    open = text.indexOf('"', close + 1);
  }
  return hasCredentialParam(text);
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
  return maskingMayChange(text) ? maskJsonTextByWalk(text) : text;
}

/** maskJsonText without its shortcut for texts it cannot change: every text is walked (tests compare the two). */
export function maskJsonTextByWalk(text: string): string {
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

const isPlainObject = (value: object) => {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
};

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
  if (typeof value === 'object' && value !== null && isPlainObject(value)) {
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
