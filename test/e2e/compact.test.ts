import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli-process.ts';

/*
 * Issue #17: the daily compaction must not change what the detections see. A small demo lake (webhooks, pollers,
 * correlation, alerts) is compacted day by day with `zoomlake compact`; every scheduled detection then raises the
 * same alerts at the same instant, every view holds the same records, and the lake holds fewer files.
 */

const RUN_TIMEOUT = 300_000;

const cli = (...argv: string[]) => runCli(argv);

const parquetFiles = (dir: string): string[] =>
  readdirSync(join(dir, 'lake'), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.parquet'))
    .map((f) => relative('.', f))
    .sort();

/** Each alert `detect --json` raised, as the fields that identify what it found. */
function alertsOf(out: string): string[] {
  return out
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const a = JSON.parse(l) as Record<string, unknown>;
      return JSON.stringify([a.detection_id, a.first_seen, a.last_seen, a.entities, a.severity]);
    })
    .sort();
}

/** Per table: its raw rows and its de-duplicated records (`zoomlake tables`). */
function tablesOf(out: string): Map<string, { raw: number; records: number }> {
  const rows = out.split('\n').flatMap((l) => {
    const m = /^(\w+)\s+(\d+)\s+(\d+)\s*$/.exec(l);
    return m ? [[m[1]!, { raw: Number(m[2]), records: Number(m[3]) }] as const] : [];
  });
  return new Map(rows);
}

describe('zoomlake compact', () => {
  it(
    'leaves every detection result and every record as it was, in fewer files, and a second pass changes nothing',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'zoomlake-compact-'));
      expect((await cli('demo', '--dir', dir, '--users', '40', '--days', '7', '--seed', '5')).code).toBe(0);
      const opts = ['--dir', dir, '--config', join(dir, 'zoomlake.config.json')];
      const now = new Date().toISOString();
      const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

      const before = await cli('detect', ...opts, '--json', '--now', now);
      expect(before.code).toBe(0);
      const tablesBefore = tablesOf((await cli('tables', ...opts)).out);
      const filesBefore = parquetFiles(dir);

      const compacted = await cli('compact', ...opts, '--from', day(-30), '--to', day(-1));
      expect(compacted.err).toBe('');
      expect(compacted.code).toBe(0);
      expect(compacted.out).toMatch(/participant_details dt=\S+: \d+ files, \d+ rows -> 1 file, \d+ records/);

      const after = await cli('detect', ...opts, '--json', '--now', now);
      expect(after.code).toBe(0);
      expect(alertsOf(after.out)).toEqual(alertsOf(before.out));
      expect(alertsOf(before.out).length).toBeGreaterThan(10);
      const tablesAfter = tablesOf((await cli('tables', ...opts)).out);
      expect([...tablesAfter.keys()]).toEqual([...tablesBefore.keys()]);
      for (const [table, counts] of tablesBefore) {
        expect({ table, records: tablesAfter.get(table)!.records }).toEqual({ table, records: counts.records });
        expect(tablesAfter.get(table)!.raw).toBeLessThanOrEqual(counts.raw);
      }
      expect(tablesAfter.get('participant_details')!.raw).toBeLessThan(tablesBefore.get('participant_details')!.raw);
      expect(parquetFiles(dir).length).toBeLessThan(filesBefore.length);

      const again = await cli('compact', ...opts, '--from', day(-30), '--to', day(-1));
      expect(again.out).toMatch(/: 0 table-days compacted \(0 files into 0\)/);
    },
    RUN_TIMEOUT,
  );

  it.each([
    [['--from', '2026-01-02'], '--from and --to go together'],
    [['--from', '2026-01-03', '--to', '2026-01-02'], '--from must not be after --to'],
    [['--from', '2026-02-30', '--to', '2026-03-01'], 'not a range of real days'],
    [['--from', '2020-01-01', '--to', '2099-01-01'], 'at most 400 days'],
  ])('refuses %j with a usage error', async (args, message) => {
    const dir = mkdtempSync(join(tmpdir(), 'zoomlake-compact-'));
    await cli('load', '--dir', dir, 'samples/webhooks.ndjson');
    const result = await cli('compact', '--dir', dir, ...args);
    expect(result.code).toBe(2);
    expect(result.err).toContain(message);
  });

  it('refuses a day that has not ended', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'zoomlake-compact-'));
    await cli('load', '--dir', dir, 'samples/webhooks.ndjson');
    const today = new Date().toISOString().slice(0, 10);
    const result = await cli('compact', '--dir', dir, '--from', today, '--to', today);
    expect(result.code).toBe(2);
    expect(result.err).toContain('only closed days are compacted');
  });
});
