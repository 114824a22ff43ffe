import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '#local/cli/main.ts';
import { hasLake, initLakeFolder, requireLake } from '#local/pipeline/lake-folder.ts';
import { localPaths } from '#local/pipeline/runtime.ts';
import { dataAccessView } from '#local/pipeline/correlation.ts';
import { DuckDbQueryEngine } from '#local/adapters/duckdb-query-engine.ts';
import { webhookBody } from '#core/webhook/envelope.ts';
import { runCli } from '../support/cli-process.ts';

const parents: string[] = [];
afterAll(() => {
  for (const d of parents) rmSync(d, { recursive: true, force: true });
});
const parent = () => {
  const dir = mkdtempSync(join(tmpdir(), 'zoomlake-folders-'));
  parents.push(dir);
  return dir;
};

const cli = (...argv: string[]) => runCli(argv);

const SAMPLES = new URL('../../samples/webhooks.ndjson', import.meta.url).pathname;
const countsOf = (out: string) =>
  Object.fromEntries([...out.matchAll(/^(\w+)\s+(\d+)\s+(\d+)$/gm)].map((m) => [m[1], { raw: Number(m[2]), records: Number(m[3]) }]));
const body = (id: number) => webhookBody({ event: 'meeting.started', eventTs: Date.UTC(2026, 0, 2), payload: { object: { id } } });

describe('a --dir without a lake', () => {
  const commands: readonly (readonly string[])[] = [['tables'], ['hunt', 'SELECT 1 AS one'], ['detect', '--now', '2026-11-20T12:00:00Z'], ['report']];
  const folders = [
    ['a folder that does not exist', (p: string) => join(p, 'typo'), 'no data folder at'],
    [
      'an existing folder no zoomlake wrote',
      (p: string) => {
        mkdirSync(join(p, 'photos'));
        return join(p, 'photos');
      },
      'has no zoomlake data (no lake/ or state/ in it)',
    ],
  ] as const;
  const cases = commands.flatMap((argv) => folders.map(([what, make, says]) => [argv[0]!, what, argv, make, says] as const));

  it.each(cases)('%s in %s: one line naming the folder, exit 1, nothing created', async (command, _what, argv, make, says) => {
    const dir = make(parent());
    const { code, out, err } = await cli(...argv, '--dir', dir);
    expect(code).toBe(1);
    expect(out).toBe('');
    expect(err).toBe(
      `zoomlake ${command}: ${says === 'no data folder at' ? `no data folder at ${dir}` : `${dir} ${says}`}: ` +
        `pass --dir with the folder zoomlake run, serve, load, poll or demo wrote, or start one of them with --dir ${dir} first\n`,
    );
    expect(existsSync(join(dir, 'lake'))).toBe(false);
    expect(existsSync(join(dir, 'report.html'))).toBe(false);
  });

  it('counts a folder once a writer made lake/ or state/ in it, events or not', () => {
    const lake = localPaths(join(parent(), 'a'));
    expect(hasLake(lake)).toBe(false);
    initLakeFolder(lake);
    expect(hasLake(lake)).toBe(true);
    const state = localPaths(parent());
    mkdirSync(join(state.dir, 'state'));
    expect(() => requireLake(state)).not.toThrow();
  });

  it('serve makes the folder a data folder at start: tables then shows empty tables', async () => {
    const dir = join(parent(), 'fresh');
    let out = '';
    let stop: () => void = () => undefined;
    const serving = main(['serve', '--port', '0', '--dir', dir], {
      out: (t) => {
        out += t;
      },
      err: (t) => {
        out += t;
      },
      env: { ZOOM_WEBHOOK_SECRET_TOKEN: 'folder-test-secret' },
      untilStopped: () =>
        new Promise<void>((resolve) => {
          stop = resolve;
        }),
    });
    for (let i = 0; i < 200 && !out.includes('listening on'); i++) await new Promise((r) => setTimeout(r, 20));
    expect(out).toContain('listening on');
    const tables = await cli('tables', '--dir', dir);
    stop();
    expect(await serving).toBe(0);
    expect(tables.code).toBe(0);
    expect(countsOf(tables.out).webhook_events).toEqual({ raw: 0, records: 0 });
  });
});

describe('a --dir with glob characters, quotes or spaces', () => {
  // Each folder has a sibling its name would match as a DuckDB glob pattern, holding other rows.
  it.each([
    ['g[1]', 'g1'],
    ['a*b', 'aXb'],
    ['q?m', 'qXm'],
    ["it's", undefined],
    ['x{y}', undefined],
    ['with space [2024] *', 'with space 2 Z'],
  ])('%s: load then tables and hunt read its own lake', async (name, decoy) => {
    const root = parent();
    const dir = join(root, name);
    if (decoy !== undefined) {
      writeFileSync(join(root, 'decoy.json'), body(1));
      expect((await cli('load', join(root, 'decoy.json'), '--dir', join(root, decoy))).code).toBe(0);
    }
    expect((await cli('load', SAMPLES, '--dir', dir)).out).toContain('loaded 14 webhook bodies');
    const tables = await cli('tables', '--dir', dir);
    expect(tables.err).toBe('');
    expect(countsOf(tables.out).webhook_events).toEqual({ raw: 14, records: 13 });
    const hunt = await cli('hunt', '--json', '--dir', dir, 'SELECT count(*) AS n FROM webhook_events_raw');
    expect(hunt.out).toBe('{"n":14}\n');
    if (decoy !== undefined) {
      expect(countsOf((await cli('tables', '--dir', join(root, decoy))).out).webhook_events).toEqual({ raw: 1, records: 1 });
    }
  });

  it('a folder with a backslash is refused in one line, not read as an empty lake', async () => {
    const dir = join(parent(), 'back\\slash');
    expect((await cli('load', SAMPLES, '--dir', dir)).code).toBe(0);
    const { code, out, err } = await cli('tables', '--dir', dir);
    expect({ code, out }).toEqual({ code: 1, out: '' });
    expect(err).toMatch(/^zoomlake tables: DuckDB cannot read files under .*back\\slash.*use a folder whose path has no backslash\n$/);
  });

  it('reads the data-access file of a folder with glob characters and a quote, not its look-alike', async () => {
    const root = parent();
    for (const [folder, who] of [
      ["acc[1] it's", 'alice@example.com'],
      ["acc1 it's", 'mallory@example.com'],
    ] as const) {
      mkdirSync(join(root, folder));
      writeFileSync(join(root, folder, 'access.csv'), `principal,event_time,object_key\n${who},2026-11-20T10:00:00Z,s3://b/k\n`);
    }
    const dir = join(root, "acc[1] it's");
    const view = dataAccessView(
      { table: 'data_access', userColumn: 'principal', timeColumn: 'event_time', resourceColumn: 'object_key' },
      join(dir, 'access.csv'),
    );
    const engine = await DuckDbQueryEngine.open({ lakeDir: join(dir, 'lake'), views: [view] });
    try {
      expect((await engine.query('SELECT principal FROM data_access')).rows).toEqual([{ principal: 'alice@example.com' }]);
    } finally {
      await engine.close();
    }
  });
});
