import { describe, expect, it } from 'vitest';
import { alertConsoleLine } from '#local/pipeline/alerts.ts';
import { jsonLine, safeJson, terminalWriter } from '#local/terminal/escape.ts';
import { filesUnder, globLiteral, oneFile } from '#local/adapters/duckdb-paths.ts';
import { RAW_CONTROL } from '../support/terminal.ts';

const HOSTILE = { name: 'Eve\u001b]0;owned\u0007', topic: 'Board \u001b[2Kreview \u202eexe.pdf', del: 'a\u007fb\u009bc\u2028d' };

describe('jsonLine and safeJson', () => {
  it('write no raw control character and parse back to the exact values', () => {
    const line = jsonLine(HOSTILE);
    expect(line).not.toMatch(RAW_CONTROL);
    expect(line).not.toContain('\n');
    expect(JSON.parse(line)).toEqual(HOSTILE);
  });

  it.each([
    ['DEL', '\u007f', '\\u007f'],
    ['a C1 CSI', '\u009b', '\\u009b'],
    ['a right-to-left override', '\u202e', '\\u202e'],
    ['a line separator', '\u2028', '\\u2028'],
    ['an isolate', '\u2066', '\\u2066'],
  ])('escape %s, which JSON.stringify leaves raw', (_name, char, escaped) => {
    expect(JSON.stringify(char)).toBe(`"${char}"`);
    expect(safeJson(JSON.stringify(char))).toBe(`"${escaped}"`);
  });

  it('keeps pretty-printed JSON as it is', () => {
    const text = JSON.stringify({ a: [1, 'x'], b: { c: null } }, null, 2);
    expect(safeJson(text)).toBe(text);
  });
});

describe('terminalWriter', () => {
  const written = (text: string) => {
    let out = '';
    terminalWriter((t) => {
      out += t;
    })(text);
    return out;
  };

  it('keeps lines, tabs and ordinary text', () => {
    expect(written('table\tZoë 会议\nrow 1\n')).toBe('table\tZoë 会议\nrow 1\n');
  });

  it('makes every control character visible in text', () => {
    const out = written(`ALERT ${HOSTILE.name} in ${HOSTILE.topic} ${HOSTILE.del}\n`);
    expect(out).not.toMatch(RAW_CONTROL);
    expect(out).toBe('ALERT Eve\\x1b]0;owned\\x07 in Board \\x1b[2Kreview \\u202eexe.pdf a\\u007fb\\u009bc\\u2028d\n');
  });

  it('keeps a JSON line valid JSON with the exact values, even one written without jsonLine', () => {
    const out = written(JSON.stringify(HOSTILE) + '\n');
    expect(out).not.toMatch(RAW_CONTROL);
    expect(JSON.parse(out)).toEqual(HOSTILE);
  });
});

describe('alertConsoleLine', () => {
  it('prints a hostile title and entities as one visible line', () => {
    const line = alertConsoleLine({
      alert_id: 'a',
      detection_id: 'zoom.participant.guest_impersonates_internal',
      title: `Guest ${HOSTILE.name}\nFAKE`,
      severity: 'high',
      alert_source: 'realtime',
      first_seen: '2026-11-25T10:00:00Z',
      last_seen: '2026-11-25T10:00:00Z',
      dedup_key: 'k',
      entities: { user_name: HOSTILE.name, topic: HOSTILE.topic },
      evidence: [],
      mitre: [],
      runbook: '',
      count: 1,
      evidence_total: 1,
    } as unknown as Parameters<typeof alertConsoleLine>[0]);
    expect(line).not.toMatch(RAW_CONTROL);
    expect(line).not.toContain('\n');
    expect(line).toContain('user_name=Eve\\x1b]0;owned\\x07');
  });
});

describe('DuckDB paths', () => {
  it.each([
    ['plain', '/data/zoomlake', '/data/zoomlake'],
    ['brackets', '/data/g[1]', '/data/g[[]1[]]'],
    ['a star and a question mark', '/data/a*b?c', '/data/a[*]b[?]c'],
    ['braces', '/data/x{y,z}', '/data/x[{]y,z[}]'],
    ['a quote and spaces (SQL quoting is separate)', "/data/it's here", "/data/it's here"],
  ])('globLiteral: %s', (_name, path, expected) => {
    expect(globLiteral(path)).toBe(expected);
  });

  it('quotes the folder and keeps the pattern a pattern', () => {
    expect(filesUnder("/d/it's [1]", 'dt=*/*.parquet')).toBe("'/d/it''s [[]1[]]/dt=*/*.parquet'");
  });

  it('refuses a backslash, which DuckDB cannot take literally in a glob', () => {
    expect(() => filesUnder('/d/back\\slash', '*.parquet')).toThrow(/backslash/);
  });

  it.each([
    ['a plain file as it is', '/d/access.csv', "'/d/access.csv'"],
    ['a file with a backslash but no glob character as it is', '/d/back\\slash.csv', "'/d/back\\slash.csv'"],
    ['a file with glob characters bracketed', "/d/it's [1].csv", "'/d/it''s [[]1[]].csv'"],
  ])('oneFile: %s', (_name, file, expected) => {
    expect(oneFile(file)).toBe(expected);
  });
});
