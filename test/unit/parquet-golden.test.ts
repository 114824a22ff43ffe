import { createHash } from 'node:crypto';
import { parquetMetadata } from 'hyparquet';
import { describe, expect, it } from 'vitest';
import { encodeParquet, type ParquetOptions } from '#core/lake/parquet/encode.ts';
import type { ColumnDef, ColumnType, Row, TableDef } from '#core/schema/types.ts';

/*
 * The encoder's exact bytes for fixed inputs, pinned as SHA-256 digests. The round-trip tests prove a file reads
 * back right; these prove a refactor of the encoder changed nothing at all (page boundaries, dictionary choices,
 * Snappy output, footer field order). The digests were computed before lake/parquet.ts became a folder of modules.
 * A deliberate change to the file format updates them, saying why in its commit.
 */

const col = (name: string, type: ColumnType, nullable = true): ColumnDef => ({ name, type, nullable, description: name });

/** Its own table, so that a change to the lake's schemas does not move these digests. */
const GOLDEN_TABLE: TableDef = {
  name: 'golden',
  description: 'encoder golden files',
  source: 'webhook',
  eventTime: 'ingested_at',
  key: ['s'],
  columns: [
    col('s', 'string'),
    col('rs', 'string', false),
    col('i', 'int'),
    col('b', 'bigint'),
    col('d', 'double'),
    col('f', 'boolean'),
    col('t', 'timestamp'),
  ],
};

const T0 = Date.UTC(2024, 5, 1);

const rowsOf = (count: number, fill: (i: number) => Row): Row[] =>
  Array.from({ length: count }, (_, i) => ({ record_id: `r${i}`, ingested_at: T0 + i, rs: 'x', ...fill(i) }));

/** Every column type, a NULL row in five, strings that repeat (dictionary) and non-ASCII. */
const mixed = rowsOf(2000, (i) =>
  i % 5 === 0
    ? { rs: `rs${i % 13}` }
    : {
        s: `s${i % 37}-é${i % 3 === 0 ? '日本' : ''}`,
        rs: `rs${i % 13}`,
        i: ((i * 7919) % 65_536) - 32_768,
        b: i * 1_000_003 - 2 ** 40,
        d: (i - 1000) / 7,
        f: i % 3 === 0,
        t: T0 + i * 61_000,
      },
);

const CASES: [name: string, rows: Row[], options: ParquetOptions, sha256: string][] = [
  ['zero rows', [], {}, 'ba507ba954062f433eae5f9499611bea1b5d55099ddc77c0453398de7bb35bbe'],
  ['mixed columns, defaults', mixed, {}, 'fe16101d790856dc5da9793ccf5a5498d36e5fe021703b581042505661547713'],
  ['mixed columns, no dictionary', mixed, { dictionaryBytes: 0 }, 'e9a94aed349662717b9b7ea59a5c841680dfb377f46bd10bce1ac66f02f69511'],
  [
    'mixed columns, tiny pages and row groups',
    mixed,
    { pageBytes: 24, rowGroupRows: 7 },
    'f7541988baa34e53e32b28ea9bb6e9d78df615118fad0bfe9df6dce2844b5804',
  ],
  [
    'mixed columns, small pages and row groups',
    mixed,
    { pageBytes: 300, rowGroupRows: 512 },
    '915f2db3972b911841b23174fc293649b56e0d9a6e70921c4873c14a07b41da4',
  ],
  [
    'distinct strings: PLAIN after the dictionary probe',
    rowsOf(40_000, (i) => ({ s: `distinct-${i}-${(i * 7919) % 100_003}`, rs: `${i}` })),
    {},
    '64130ec9793e3d749a75526bdb26a45629bfd50dfc5a5ca903185c16288de411',
  ],
  [
    'dictionary outgrowing its cap mid-chunk',
    rowsOf(2000, (i) => ({ s: `v${i % 300}`, rs: `w${i}` })),
    { dictionaryBytes: 600, pageBytes: 256 },
    'c6eeecaceab202df42fe7d00ae9b679032f85b75f3aa5695ce3835ed7d712e62',
  ],
  [
    'NULLs after a full dictionary page',
    rowsOf(4101, (i) => ({ s: i < 4096 ? 'x' : null })),
    { pageBytes: 1 },
    '9fd6a11b764f70b8a2357594adb4453430f6b79adfcd7d8566d35e3a1a53dccf',
  ],
  [
    'repetitive strings Snappy compresses',
    rowsOf(20_000, (i) => ({ s: `${'abc'.repeat(20)}${i % 2}`, b: 42, t: T0 })),
    { dictionaryBytes: 0 },
    '0b9cad5fac21577d39e3d2a083b80c3ac900006b5f1eadba8980b64b260f29aa',
  ],
  [
    'several MB of strings over many pages',
    rowsOf(3000, (i) => ({ s: `${i}:`.padEnd(2048, String.fromCharCode(97 + (i % 26))) })),
    {},
    '317d1c97ee2e7cd6998cd7478e3521042314ed9fd86036373f5a230234c2a53a',
  ],
  [
    'long strings: truncated statistics',
    rowsOf(6, (i) => ({
      s: ['é'.repeat(40), 'é'.repeat(39) + 'ê', 'b'.repeat(100), '\u{10FFFF}'.repeat(20), `${'z'.repeat(63)}é`, null][i]!,
      rs: `${'z'.repeat(70)}${i}`,
    })),
    {},
    '289f18e6f928bcd9d6830900bc55b7b3866d1eade14edbdc6bbf94c09130183b',
  ],
  [
    'numeric extremes and signed zeros',
    rowsOf(6, (i) => ({
      i: [-(2 ** 31), 2 ** 31 - 1, 0, -1, 1, null][i]!,
      b: [2 ** 53 - 1, -(2 ** 53 - 1), 2 ** 32, 2 ** 32 - 1, -(2 ** 32), -1][i]!,
      d: [0, -0, Number.MAX_VALUE, -Number.MIN_VALUE, 1e-300, null][i]!,
      f: [true, true, null, true, true, true][i]!,
      t: [0, T0, null, 1, -1, 2 ** 45][i]!,
    })),
    {},
    '24f9d01d731d3e7a1bcc55e684d2de850b2c218e449c69261fca08259592410a',
  ],
];

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

describe('encodeParquet golden files', () => {
  it.each(CASES)('%s', (_name, rows, options, want) => {
    const bytes = encodeParquet(GOLDEN_TABLE, rows, 'zoomlake-golden', options);
    // A pinned file must at least be a readable one.
    const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    expect(Number(parquetMetadata(file).num_rows)).toBe(rows.length);
    expect(sha256(bytes)).toBe(want);
  });

  // The lake writer does not copy rows to add record_id and ingested_at: it hands them beside the rows.
  it.each(CASES)('%s, with record_id and ingested_at given beside the rows', (_name, rows, options, want) => {
    const bare = rows.map(({ record_id: _id, ingested_at: _at, ...rest }) => rest);
    const added = { record_id: rows.map((r) => r.record_id ?? null), ingested_at: rows.map((r) => r.ingested_at ?? null) };
    expect(sha256(encodeParquet(GOLDEN_TABLE, bare, 'zoomlake-golden', options, added))).toBe(want);
  });
});
