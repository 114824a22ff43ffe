import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AthenaClient } from '@aws-sdk/client-athena';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AthenaQueryEngine, athenaLiteral, type AthenaQueryEngineOptions } from '#adapters/athena-query-engine.ts';
import { QueryError } from '#core/errors.ts';
import { LakeWriter } from '#core/lake/writer.ts';
import { DuckDbQueryEngine } from '#local/adapters/duckdb-query-engine.ts';
import { FsObjectStore } from '#local/adapters/fs-object-store.ts';
import { FakeAthena } from '../fakes/athena-fake.ts';
import { loopbackClientConfig } from '../fakes/aws-test-clients.ts';
import { FakeClock } from '../fakes/fake-clock.ts';

const WORKGROUP = 'zoomlake';
const DATABASE = 'zoomlake_lake';

let fake: FakeAthena;
let client: AthenaClient;

beforeAll(async () => {
  fake = new FakeAthena();
  // One attempt: these tests check how a failed call is mapped, not the SDK's own retries.
  client = new AthenaClient(loopbackClientConfig(await fake.start(), 1));
});

afterAll(async () => {
  client.destroy();
  await fake.close();
});

beforeEach(() => {
  fake.requests.length = 0;
});

/** An engine on the fake whose sleeps only move a fake clock, recording each wait. */
function makeEngine(overrides: Partial<AthenaQueryEngineOptions> = {}) {
  const clock = new FakeClock();
  const sleeps: number[] = [];
  const engine = new AthenaQueryEngine({
    workGroup: WORKGROUP,
    database: DATABASE,
    client,
    clock,
    pollIntervalMs: 100,
    timeoutMs: 10_000,
    sleep: async (ms) => {
      sleeps.push(ms);
      clock.advance(ms);
    },
    ...overrides,
  });
  return { engine, sleeps };
}

async function failure(promise: Promise<unknown>): Promise<QueryError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof QueryError)) throw new Error(`expected a QueryError, got ${String(error)}`);
  return error;
}

describe('AthenaQueryEngine requests', () => {
  it('sends the workgroup, the database in AwsDataCatalog and the parameters as quoted SQL literals', async () => {
    const sql = 'SELECT email FROM activities WHERE email = ? AND n > ? AND f < ? AND b = ? AND m = ? AND e = ?';
    fake.script(sql, { state: 'SUCCEEDED', columns: [{ name: 'email', type: 'varchar' }], rows: [] });
    await makeEngine().engine.query(sql, ["O'Brien", 42, 1.5, true, -3, '']);

    const [start] = fake.calls('StartQueryExecution');
    expect(start?.body).toMatchObject({
      QueryString: sql,
      WorkGroup: WORKGROUP,
      QueryExecutionContext: { Database: DATABASE, Catalog: 'AwsDataCatalog' },
      ExecutionParameters: ["'O''Brien'", '42', '1.5', 'true', '-3', "''"],
    });
  });

  it('sends no ExecutionParameters for a query without placeholders', async () => {
    const sql = 'SELECT 1 AS one';
    fake.script(sql, { state: 'SUCCEEDED', columns: [{ name: 'one', type: 'integer' }], rows: [['1']] });
    expect((await makeEngine().engine.query(sql)).rows).toEqual([{ one: 1 }]);
    expect(fake.calls('StartQueryExecution')[0]?.body).not.toHaveProperty('ExecutionParameters');
  });

  it.each([
    ['a plain string', 'alice@corp.example', "'alice@corp.example'"],
    ['a string with quotes', "it's 'quoted'", "'it''s ''quoted'''"],
    ['an empty string', '', "''"],
    ['a string that looks like SQL', "x' OR '1'='1", "'x'' OR ''1''=''1'"],
    ['an integer', 42, '42'],
    ['a negative fraction', -0.25, '-0.25'],
    ['true', true, 'true'],
    ['false', false, 'false'],
  ] as const)('writes %s as an Athena literal', (_name, value, literal) => {
    expect(athenaLiteral(value, 1)).toBe(literal);
  });

  it('refuses a non-finite number parameter before calling Athena', async () => {
    const error = await failure(makeEngine().engine.query('SELECT ?', [Number.POSITIVE_INFINITY]));
    expect(error).toMatchObject({ retryable: false, message: expect.stringMatching(/parameter 1 is not a finite number/) });
    expect(fake.requests).toEqual([]);
  });
});

describe('AthenaQueryEngine polling and results', () => {
  it('polls with backoff until SUCCEEDED and follows NextToken across result pages, dropping the header row', async () => {
    const sql = 'SELECT email, n FROM paged';
    fake.script(sql, {
      state: 'SUCCEEDED',
      runningPolls: 2,
      pageSize: 3,
      columns: [
        { name: 'email', type: 'varchar' },
        { name: 'n', type: 'bigint' },
      ],
      rows: [
        ['a@x', '1'],
        ['b@x', '2'],
        ['c@x', '3'],
        ['d@x', '4'],
      ],
    });
    const { engine, sleeps } = makeEngine();
    const result = await engine.query(sql);

    expect(result).toEqual({
      columns: ['email', 'n'],
      rows: [
        { email: 'a@x', n: 1 },
        { email: 'b@x', n: 2 },
        { email: 'c@x', n: 3 },
        { email: 'd@x', n: 4 },
      ],
    });
    expect(sleeps).toEqual([100, 200]);
    expect(fake.calls('GetQueryExecution')).toHaveLength(3);
    const pages = fake.calls('GetQueryResults');
    expect(pages).toHaveLength(2);
    expect(pages[0]?.body).not.toHaveProperty('NextToken');
    expect(pages[1]?.body.NextToken).toEqual(expect.any(String));
  });

  it('returns the columns of an empty result', async () => {
    const sql = 'SELECT email FROM activities WHERE false';
    fake.script(sql, { state: 'SUCCEEDED', columns: [{ name: 'email', type: 'varchar' }], rows: [] });
    expect(await makeEngine().engine.query(sql)).toEqual({ columns: ['email'], rows: [] });
  });

  it('keeps the first row of a statement that has no header row (UTILITY)', async () => {
    const sql = 'SHOW TABLES';
    fake.script(sql, {
      state: 'SUCCEEDED',
      statementType: 'UTILITY',
      columns: [{ name: 'tab_name', type: 'string' }],
      rows: [['tab_name'], ['activities']],
    });
    expect((await makeEngine().engine.query(sql)).rows).toEqual([{ tab_name: 'tab_name' }, { tab_name: 'activities' }]);
  });

  it.each([
    ['varchar', 'alice', 'alice'],
    ['varchar', '', ''],
    ['varchar', null, null],
    ['integer', '-7', -7],
    ['bigint', '1099511627776', 1_099_511_627_776],
    ['bigint', '9007199254740993', '9007199254740993'],
    ['bigint', null, null],
    ['double', '2.5', 2.5],
    ['double', '1.70954280025E9', 1_709_542_800.25],
    ['real', '0.5', 0.5],
    ['decimal(10,2)', '1.25', 1.25],
    ['boolean', 'true', true],
    ['boolean', 'false', false],
    ['timestamp', '2024-01-01 10:00:00.123', '2024-01-01T10:00:00.123Z'],
    ['timestamp', '2024-01-01 10:00:00', '2024-01-01T10:00:00.000Z'],
    ['timestamp with time zone', '2024-01-01 10:00:00.000 UTC', '2024-01-01T10:00:00.000Z'],
    ['timestamp with time zone', '2024-01-01 12:00:00.000 +02:00', '2024-01-01T10:00:00.000Z'],
    ['date', '2024-02-29', '2024-02-29'],
    ['json', '{"a":1}', '{"a":1}'],
  ] as const)('converts %s %j by its column type', async (type, text, expected) => {
    const sql = `SELECT v FROM typed -- ${type} ${String(text)}`;
    fake.script(sql, { state: 'SUCCEEDED', runningPolls: 0, columns: [{ name: 'v', type }], rows: [[text]] });
    expect((await makeEngine().engine.query(sql)).rows).toEqual([{ v: expected }]);
  });
});

describe('AthenaQueryEngine failures', () => {
  it.each([
    [
      'FAILED with a query error',
      { state: 'FAILED', reason: "line 1:8: Column 'nope' cannot be resolved" },
      /failed: line 1:8: Column 'nope' cannot be resolved/,
      false,
    ],
    ['FAILED that Athena marks retryable', { state: 'FAILED', reason: 'Slow down', retryable: true }, /failed: Slow down/, true],
    ['CANCELLED', { state: 'CANCELLED', reason: 'Query cancelled by user' }, /was cancelled: Query cancelled by user/, false],
  ] as const)('maps %s to a QueryError with the reason', async (name, script, message, retryable) => {
    const sql = `SELECT nope FROM activities -- ${name}`;
    fake.script(sql, script);
    const error = await failure(makeEngine().engine.query(sql));
    expect(error.message).toMatch(message);
    expect(error.retryable).toBe(retryable);
    expect(fake.calls('GetQueryResults')).toEqual([]);
  });

  it('stops a query that outlives the timeout and reports it, with bounded backoff', async () => {
    const sql = 'SELECT slow FROM everything';
    fake.script(sql, { state: 'SUCCEEDED', runningPolls: Number.POSITIVE_INFINITY });
    const { engine, sleeps } = makeEngine({ timeoutMs: 1_000, pollIntervalMs: 100 });
    const error = await failure(engine.query(sql));

    expect(error).toMatchObject({ retryable: false, message: expect.stringMatching(/did not finish within 1000 ms \(last state RUNNING\)/) });
    expect(sleeps).toEqual([100, 200, 400, 300]);
    const stops = fake.calls('StopQueryExecution');
    expect(stops).toHaveLength(1);
    expect(stops[0]?.body.QueryExecutionId).toBe(fake.calls('GetQueryExecution')[0]?.body.QueryExecutionId);
  });

  it('caps the poll interval at 5 s', async () => {
    const sql = 'SELECT slow FROM capped';
    fake.script(sql, { state: 'SUCCEEDED', runningPolls: 5 });
    const { engine, sleeps } = makeEngine({ pollIntervalMs: 2_000, timeoutMs: 60_000 });
    await engine.query(sql);
    expect(sleeps).toEqual([2_000, 4_000, 5_000, 5_000, 5_000]);
  });

  it.each([
    ['StartQueryExecution', 400, 'TooManyRequestsException', true],
    ['StartQueryExecution', 500, 'InternalServerException', true],
    ['StartQueryExecution', 400, 'InvalidRequestException', false],
    ['GetQueryExecution', 400, 'TooManyRequestsException', true],
    ['GetQueryResults', 500, 'InternalServerException', true],
    ['GetQueryResults', 400, 'InvalidRequestException', false],
  ] as const)('maps %s failing with %i %s to retryable=%s', async (operation, status, type, retryable) => {
    const sql = `SELECT 1 AS one -- ${operation} ${type}`;
    fake.script(sql, { state: 'SUCCEEDED', runningPolls: 0, columns: [{ name: 'one', type: 'integer' }], rows: [['1']] });
    fake.failNext(operation, status, type, `injected ${type}`);
    const error = await failure(makeEngine().engine.query(sql));
    expect(error.retryable).toBe(retryable);
    expect(error.message).toContain(type);
  });
});

describe('AthenaQueryEngine and DuckDbQueryEngine agree on values', () => {
  let lakeDir: string;
  let duck: DuckDbQueryEngine;

  beforeAll(async () => {
    lakeDir = await mkdtemp(join(tmpdir(), 'zoomlake-athena-parity-'));
    let n = 0;
    const writer = new LakeWriter({ store: new FsObjectStore(lakeDir), clock: new FakeClock(), newId: () => `f${++n}`, writerId: 'test' });
    for (const row of [
      {
        meeting_uuid: 'm1',
        topic: 'Board',
        start_time: Date.parse('2024-03-04T09:00:00.250Z'),
        end_time: Date.parse('2024-03-04T10:00:00Z'),
        duration_minutes: 60,
        has_recording: true,
      },
      {
        meeting_uuid: 'm2',
        topic: null,
        start_time: Date.parse('2024-03-04T11:00:00Z'),
        end_time: null,
        duration_minutes: null,
        has_recording: false,
      },
    ]) {
      const added = writer.add('meetings', row);
      if (!added.ok) throw new Error(added.problems.join('; '));
    }
    await writer.flush();
    duck = await DuckDbQueryEngine.open({ lakeDir });
  });

  afterAll(async () => {
    await duck.close();
    await rm(lakeDir, { recursive: true, force: true });
  });

  it('returns the same columns and values for the same rows', async () => {
    const sql = `SELECT meeting_uuid, topic, start_time, end_time, duration_minutes, has_recording,
        count(*) OVER () AS meetings, to_unixtime(start_time) AS start_epoch, dt
      FROM meetings WHERE dt = ? ORDER BY start_time`;
    // The same two rows as Athena prints them (timestamp(3) text, Java's Double.toString, NULL as an empty datum).
    fake.script(sql, {
      state: 'SUCCEEDED',
      columns: [
        { name: 'meeting_uuid', type: 'varchar' },
        { name: 'topic', type: 'varchar' },
        { name: 'start_time', type: 'timestamp' },
        { name: 'end_time', type: 'timestamp' },
        { name: 'duration_minutes', type: 'integer' },
        { name: 'has_recording', type: 'boolean' },
        { name: 'meetings', type: 'bigint' },
        { name: 'start_epoch', type: 'double' },
        { name: 'dt', type: 'varchar' },
      ],
      rows: [
        ['m1', 'Board', '2024-03-04 09:00:00.250', '2024-03-04 10:00:00.000', '60', 'true', '2', '1.70954280025E9', '2024-03-04'],
        ['m2', null, '2024-03-04 11:00:00.000', null, null, 'false', '2', '1.7095500E9', '2024-03-04'],
      ],
    });
    const local = await duck.query(sql, ['2024-03-04']);
    const athena = await makeEngine().engine.query(sql, ['2024-03-04']);

    expect(local.rows).toHaveLength(2);
    expect(athena).toEqual(local);
    expect(local.rows[0]).toMatchObject({ start_time: '2024-03-04T09:00:00.250Z', meetings: 2, start_epoch: 1_709_542_800.25 });
  });
});
