import { describe, expect, it } from 'vitest';
import { DEFAULT_COMPACTION_LIMITS } from '#core/lake/compaction.ts';
import { LakeWriter } from '#core/lake/writer.ts';
import { getTable } from '#core/schema/registry.ts';
import { fromEnv, makeHandler } from '../../lambdas/handlers/lake-compaction.handler.ts';
import { FakeClock } from '../fakes/fake-clock.ts';
import { RecordingLog } from '../fakes/recording-log.ts';
import { MemoryObjectStore } from '../support/memory-object-store.ts';
import { sampleRow } from '../support/sample-rows.ts';

const NOW = Date.UTC(2026, 10, 21, 4, 15);
const DAY_MS = 86_400_000;

/** Two files of one activities row each on the day `daysAgo` before NOW's. */
async function twoFiles(store: MemoryObjectStore, daysAgo: number): Promise<void> {
  const time = Date.UTC(2026, 10, 21) - daysAgo * DAY_MS + 60_000;
  for (const n of [1, 2]) {
    let id = 0;
    const writer = new LakeWriter({ store, clock: new FakeClock(NOW), newId: () => `${daysAgo}-${n}-${id++}`, writerId: 'poller-activities' });
    writer.add('activities', { ...sampleRow(getTable('activities'), 0), time: time + n });
    await writer.flush();
  }
}

const dayFiles = (store: MemoryObjectStore, dt: string) => store.list(`zoom/activities/dt=${dt}/`);

function setUp(lookbackDays: number) {
  const store = new MemoryObjectStore();
  const log = new RecordingLog();
  const handler = makeHandler({ store, clock: new FakeClock(NOW), lookbackDays, limits: DEFAULT_COMPACTION_LIMITS }, log);
  return { store, log, handler };
}

describe('lake compaction handler', () => {
  it.each([
    { lookbackDays: 0, compacted: ['2026-11-20'] },
    { lookbackDays: 2, compacted: ['2026-11-20', '2026-11-19', '2026-11-18'] },
  ])('compacts yesterday and $lookbackDays days before it, never today or older days', async ({ lookbackDays, compacted }) => {
    const { store, log, handler } = setUp(lookbackDays);
    for (const daysAgo of [0, 1, 2, 3, 4]) await twoFiles(store, daysAgo);
    await handler({});
    for (const dt of ['2026-11-21', '2026-11-20', '2026-11-19', '2026-11-18', '2026-11-17']) {
      expect({ dt, files: (await dayFiles(store, dt)).length }).toEqual({ dt, files: compacted.includes(dt) ? 1 : 2 });
    }
    const lines = log.records.filter((r) => r.message === 'table-day compacted');
    expect(lines.map((r) => r.fields.dt)).toEqual(compacted);
    expect(log.records.at(-1)).toMatchObject({ level: 'INFO', message: 'compaction run', fields: { compacted: compacted.length, failed: 0 } });
  });

  it('compacts the days an operator names instead', async () => {
    const { store, handler } = setUp(0);
    await twoFiles(store, 4);
    await handler({ days: ['2026-11-17'] });
    expect(await dayFiles(store, '2026-11-17')).toHaveLength(1);
  });

  it('logs each table-day that failed at ERROR and throws after trying the others, so the schedule retries', async () => {
    const { store, log, handler } = setUp(1);
    await twoFiles(store, 1);
    await twoFiles(store, 2);
    await store.put('zoom/activities/dt=2026-11-20/broken.parquet', new Uint8Array([0]));
    await expect(handler({})).rejects.toThrow('1 table-days were not compacted');
    expect(log.records.filter((r) => r.level === 'ERROR')).toEqual([
      expect.objectContaining({ message: 'table-day not compacted', fields: expect.objectContaining({ table: 'activities', dt: '2026-11-20' }) }),
    ]);
    expect(await dayFiles(store, '2026-11-19')).toHaveLength(1);
    expect(await dayFiles(store, '2026-11-20')).toHaveLength(3);
  });

  it.each([[{ days: ['yesterday'] }], [{ days: '2026-11-20' }]])('refuses the event %j', async (event) => {
    await expect(setUp(0).handler(event)).rejects.toThrow();
  });

  it.each([
    [{ LOOKBACK_DAYS: '2', MAX_ROWS_PER_FILE: '1000' }, 'LAKE_BUCKET_NAME'],
    [{ LAKE_BUCKET_NAME: 'lake', LOOKBACK_DAYS: '-1', MAX_ROWS_PER_FILE: '1000' }, 'LOOKBACK_DAYS'],
    [{ LAKE_BUCKET_NAME: 'lake', LOOKBACK_DAYS: '2', MAX_ROWS_PER_FILE: '0' }, 'MAX_ROWS_PER_FILE'],
  ])('refuses the environment %j, naming %s', (env, name) => {
    expect(() => fromEnv(env)).toThrow(name);
  });

  it('reads the environment', () => {
    expect(fromEnv({ LAKE_BUCKET_NAME: 'lake', LOOKBACK_DAYS: '3', MAX_ROWS_PER_FILE: '5000' })).toMatchObject({
      lookbackDays: 3,
      limits: { maxRowsPerFile: 5000 },
    });
  });
});
