import { describe, expect, it } from 'vitest';
import { binaryOffset, splitBodies } from '#local/cli/split-bodies.ts';

const bytesOf = (text: string) => new TextEncoder().encode(text);
/** The split of `text`, each body as its text and the line it starts on. */
function split(input: string | Uint8Array) {
  const bytes = typeof input === 'string' ? bytesOf(input) : input;
  const { format, bodies } = splitBodies(bytes);
  return { format, bodies: bodies.map((b) => ({ line: b.line, text: Buffer.from(bytes.subarray(b.start, b.end)).toString('utf8') })) };
}

const A = '{"event":"a.b","payload":{"object":{"id":1}}}';
const B = '{"event":"c.d"}';

describe('splitBodies', () => {
  it.each([
    [
      'NDJSON',
      `${A}\n${B}\n`,
      'ndjson',
      [
        [1, A],
        [2, B],
      ],
    ],
    [
      'NDJSON with blank lines and CRLF',
      `\r\n${A}\r\n\r\n  \r\n${B}\r\n`,
      'ndjson',
      [
        [2, A],
        [5, B],
      ],
    ],
    [
      'NDJSON without a final line feed',
      `${A}\n${B}`,
      'ndjson',
      [
        [1, A],
        [2, B],
      ],
    ],
    [
      'NDJSON with a torn last line',
      `${A}\n${B}\n{"event":"x.y","pay`,
      'ndjson',
      [
        [1, A],
        [2, B],
        [3, '{"event":"x.y","pay'],
      ],
    ],
    [
      'NDJSON whose lines are arrays',
      `[${A}]\n[${B}]\n`,
      'ndjson',
      [
        [1, `[${A}]`],
        [2, `[${B}]`],
      ],
    ],
    [
      'a line that is not JSON among good ones',
      `${A}\nnot json\n${B}`,
      'ndjson',
      [
        [1, A],
        [2, 'not json'],
        [3, B],
      ],
    ],
    ['one compact body', `  ${A}\n`, 'single', [[1, A]]],
    ['one pretty-printed body', '{\n  "event": "a.b",\n  "payload": {}\n}\n', 'single', [[1, '{\n  "event": "a.b",\n  "payload": {}\n}']]],
    ['a body after a UTF-8 byte order mark', `\uFEFF${A}`, 'single', [[1, A]]],
    [
      'a compact array',
      `[${A},${B}]`,
      'array',
      [
        [1, A],
        [1, B],
      ],
    ],
    [
      'a pretty array, spacing inside elements kept',
      `[\n  ${A} ,\n  { "event" : "c.d" }\n]\n`,
      'array',
      [
        [2, A],
        [3, '{ "event" : "c.d" }'],
      ],
    ],
    [
      'an array whose strings hold brackets, commas, escaped quotes and backslashes',
      '[{"event":"a.b","payload":{"topic":"[x], {y} \\"q,\\" \\\\"}},{"event":"c.d","payload":{"l":[[1,2],[3]]}}]',
      'array',
      [
        [1, '{"event":"a.b","payload":{"topic":"[x], {y} \\"q,\\" \\\\"}}'],
        [1, '{"event":"c.d","payload":{"l":[[1,2],[3]]}}'],
      ],
    ],
    [
      'an array whose string holds an escaped quote before a bracket and a comma',
      `[{"t":"\\"],["},${B}]`,
      'array',
      [
        [1, '{"t":"\\"],["}'],
        [1, B],
      ],
    ],
    [
      'non-ASCII text in an array',
      '[{"event":"a.b","n":"Zoë, 日本]"},{"event":"c.d"}]',
      'array',
      [
        [1, '{"event":"a.b","n":"Zoë, 日本]"}'],
        [1, B],
      ],
    ],
    ['an empty array', ' [ ]\n', 'array', []],
    [
      'an array with an empty element and a trailing comma',
      `[${A},,${B},]`,
      'array',
      [
        [1, A],
        [1, ''],
        [1, B],
        [1, ''],
      ],
    ],
    [
      'a torn array keeps its complete elements',
      `[\n${A},\n${B},\n{"event":"x`,
      'array',
      [
        [2, A],
        [3, B],
        [4, '{"event":"x'],
      ],
    ],
    ['an empty file', '', 'ndjson', []],
    ['whitespace only', ' \r\n\n\t', 'ndjson', []],
  ])('%s', (_name, input, format, bodies) => {
    expect(split(input)).toEqual({ format, bodies: bodies.map(([line, text]) => ({ line, text })) });
  });

  it('slices bytes, not characters: spans of multi-byte text decode back to the exact input bytes', () => {
    const element = '{ "event": "a.b",  "payload": { "name": "Zoë 🎥" } }';
    const bytes = bytesOf(`[ ${element} ]`);
    const [body] = splitBodies(bytes).bodies;
    expect(Buffer.from(bytes.subarray(body!.start, body!.end)).equals(Buffer.from(element, 'utf8'))).toBe(true);
  });

  it('splits binary input into spans without throwing (each then fails its parse)', () => {
    const binary = Uint8Array.from({ length: 4_096 }, (_, i) => (i * 7919) % 256);
    const { format, bodies } = splitBodies(binary);
    expect(format).toBe('ndjson');
    for (const b of bodies) expect(b.end).toBeGreaterThan(b.start);
  });
});

describe('binaryOffset', () => {
  it.each([
    ['JSON text', bytesOf(`${A}\n`), -1],
    ['a NUL byte early', Uint8Array.from([0x7b, 0x22, 0x00, 0x7d]), 2],
    ['UTF-16 JSON', Buffer.from('{"event":"a.b"}', 'utf16le'), 1],
    ['a NUL byte only after the first 8 KiB', Buffer.concat([Buffer.alloc(9_000, 0x20), Buffer.from([0])]), -1],
  ])('%s', (_name, bytes, offset) => {
    expect(binaryOffset(bytes)).toBe(offset);
  });
});
