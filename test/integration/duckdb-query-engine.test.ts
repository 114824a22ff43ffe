import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueryError } from '#core/errors.ts';
import { encodeParquet } from '#core/lake/parquet/encode.ts';
import { prepareRow } from '#core/lake/records.ts';
import { LakeWriter, lakeObjectKey } from '#core/lake/writer.ts';
import { DUCKDB_TYPES, viewColumns } from '#core/schema/derive.ts';
import { getTable } from '#core/schema/registry.ts';
import { TABLES } from '#core/schema/tables.ts';
import type { Row } from '#core/schema/types.ts';
import { webhookBody } from '#core/webhook/envelope.ts';
import { DuckDbQueryEngine } from '#local/adapters/duckdb-query-engine.ts';
import { FsObjectStore } from '#local/adapters/fs-object-store.ts';
import { FakeClock } from '../fakes/fake-clock.ts';

const at = (iso: string): number => Date.parse(iso);

/** A temp lake folder with a real LakeWriter over FsObjectStore; `write` flushes one file per (table, dt). */
async function makeLake(name: string) {
  const lakeDir = await mkdtemp(join(tmpdir(), `zoomlake-${name}-`));
  const store = new FsObjectStore(lakeDir);
  const clock = new FakeClock(at('2024-03-05T00:00:00Z'));
  let n = 0;
  const writer = new LakeWriter({ store, clock, newId: () => `f${String(++n).padStart(4, '0')}`, writerId: 'test' });
  return {
    lakeDir,
    store,
    clock,
    async write(table: string, rows: readonly Row[]): Promise<void> {
      for (const row of rows) {
        const added = writer.add(table, row);
        if (!added.ok) throw new Error(added.problems.join('; '));
      }
      await writer.flush();
    },
  };
}

async function describeView(engine: DuckDbQueryEngine, view: string): Promise<{ name: unknown; type: unknown }[]> {
  const { rows } = await engine.query(`DESCRIBE ${view}`);
  return rows.map((r) => ({ name: r.column_name, type: r.column_type }));
}

const expectedColumns = (table: string) => viewColumns(getTable(table)).map((c) => ({ name: c.name, type: DUCKDB_TYPES[c.type] }));

describe('DuckDbQueryEngine views', () => {
  let lake: Awaited<ReturnType<typeof makeLake>>;
  let engine: DuckDbQueryEngine;

  beforeAll(async () => {
    lake = await makeLake('views');
    engine = await DuckDbQueryEngine.open({ lakeDir: lake.lakeDir });
  });

  afterAll(async () => {
    await engine.close();
    await rm(lake.lakeDir, { recursive: true, force: true });
  });

  it.each(TABLES.map((t) => t.name))('%s and %s_raw exist on an empty lake with the schema columns and no rows', async (table) => {
    expect(await describeView(engine, table)).toEqual(expectedColumns(table));
    expect(await describeView(engine, `${table}_raw`)).toEqual(expectedColumns(table));
    expect((await engine.query(`SELECT count(*) AS n FROM ${table}`)).rows).toEqual([{ n: 0 }]);
  });

  it('sees files written after it opened, with the same typed columns', async () => {
    await lake.write('activities', [
      {
        email: 'a@corp.example',
        time: at('2024-03-04T10:00:00.123Z'),
        type: 'Sign in',
        ip_address: '10.0.0.1',
        client_type: 'Mac',
        version: '6.0.0',
      },
    ]);
    expect(await describeView(engine, 'activities')).toEqual(expectedColumns('activities'));
    const { rows } = await engine.query('SELECT email, time, dt FROM activities');
    expect(rows).toEqual([{ email: 'a@corp.example', time: '2024-03-04T10:00:00.123Z', dt: '2024-03-04' }]);

    await lake.write('activities', [
      { email: 'b@corp.example', time: at('2024-03-04T11:00:00Z'), type: 'Sign in', ip_address: '10.0.0.2', client_type: 'Mac', version: '6.0.0' },
    ]);
    expect((await engine.query('SELECT email FROM activities ORDER BY email')).rows).toEqual([
      { email: 'a@corp.example' },
      { email: 'b@corp.example' },
    ]);
  });
});

describe('DuckDbQueryEngine de-duplication, partitions and schema evolution', () => {
  let lake: Awaited<ReturnType<typeof makeLake>>;
  let engine: DuckDbQueryEngine;
  const user = { snapshot_time: at('2024-03-04T06:00:00Z'), user_id: 'U1', email: 'alice@corp.example', display_name: 'Alice' };

  beforeAll(async () => {
    lake = await makeLake('dedup');
    engine = await DuckDbQueryEngine.open({ lakeDir: lake.lakeDir });
  });

  afterAll(async () => {
    await engine.close();
    await rm(lake.lakeDir, { recursive: true, force: true });
  });

  it('reads a record delivered twice once through the view, twice through <name>_raw, and keeps the later copy', async () => {
    await lake.write('users', [user]);
    lake.clock.advance(60_000);
    await lake.write('users', [{ ...user, display_name: 'Alice B.' }]);

    const raw = await engine.query("SELECT record_id, display_name FROM users_raw WHERE user_id = 'U1' ORDER BY ingested_at");
    expect(raw.rows.map((r) => r.display_name)).toEqual(['Alice', 'Alice B.']);
    expect(new Set(raw.rows.map((r) => r.record_id)).size).toBe(1);

    const view = await engine.query("SELECT display_name, ingested_at FROM users WHERE user_id = 'U1'");
    expect(view.rows).toEqual([{ display_name: 'Alice B.', ingested_at: '2024-03-05T00:01:00.000Z' }]);
  });

  it('filters on dt', async () => {
    await lake.write('users', [
      { ...user, snapshot_time: at('2024-03-05T06:00:00Z') },
      { ...user, user_id: 'U9', snapshot_time: at('2024-03-05T06:00:00Z') },
    ]);
    const count = async (dt: string) => (await engine.query('SELECT count(*) AS n FROM users WHERE dt = ?', [dt])).rows;
    expect(await count('2024-03-04')).toEqual([{ n: 1 }]);
    expect(await count('2024-03-05')).toEqual([{ n: 2 }]);
    expect(await count('2024-03-06')).toEqual([{ n: 0 }]);
  });

  it('reads a column no file has yet as a typed NULL, then the values once a file has it', async () => {
    const def = getTable('meetings');
    // An older writer's file: the schema then lacked has_recording and source.
    const oldDef = { ...def, columns: def.columns.filter((c) => c.name !== 'has_recording' && c.name !== 'source') };
    const prepared = prepareRow(oldDef, { meeting_uuid: 'm-old', start_time: at('2024-03-01T09:00:00Z'), topic: 'old' }, at('2024-03-02T00:00:00Z'));
    if (!prepared.ok) throw new Error(prepared.problems.join('; '));
    await lake.store.put(lakeObjectKey('meetings', prepared.value.dt, 'old-writer', 'v1'), encodeParquet(oldDef, [prepared.value.row]));

    expect(await describeView(engine, 'meetings')).toEqual(expectedColumns('meetings'));
    expect((await engine.query('SELECT meeting_uuid, topic, has_recording, source FROM meetings')).rows).toEqual([
      { meeting_uuid: 'm-old', topic: 'old', has_recording: null, source: null },
    ]);

    await lake.write('meetings', [
      { meeting_uuid: 'm-new', start_time: at('2024-03-04T09:00:00Z'), topic: 'new', has_recording: true, source: 'Zoom' },
    ]);
    expect((await engine.query('SELECT meeting_uuid, has_recording, source FROM meetings ORDER BY meeting_uuid')).rows).toEqual([
      { meeting_uuid: 'm-new', has_recording: true, source: 'Zoom' },
      { meeting_uuid: 'm-old', has_recording: null, source: null },
    ]);
  });
});

describe('DuckDbQueryEngine values, parameters and errors', () => {
  let lake: Awaited<ReturnType<typeof makeLake>>;
  let engine: DuckDbQueryEngine;

  beforeAll(async () => {
    lake = await makeLake('values');
    engine = await DuckDbQueryEngine.open({ lakeDir: lake.lakeDir });
  });

  afterAll(async () => {
    await engine.close();
    await rm(lake.lakeDir, { recursive: true, force: true });
  });

  it.each([
    ['a safe BIGINT as a number', 'CAST(42 AS BIGINT)', 42],
    ['an unsafe BIGINT as its decimal text', 'CAST(9007199254740993 AS BIGINT)', '9007199254740993'],
    ['a HUGEINT sum as a number', 'sum(CAST(2 AS BIGINT))', 2],
    ['a TIMESTAMP as ISO-8601 UTC with milliseconds', "TIMESTAMP '2024-01-01 10:00:00.123'", '2024-01-01T10:00:00.123Z'],
    ['a TIMESTAMPTZ as ISO-8601 UTC', "TIMESTAMPTZ '2024-01-01 12:00:00+02'", '2024-01-01T10:00:00.000Z'],
    ['a DATE as yyyy-MM-dd', "DATE '2024-02-29'", '2024-02-29'],
    ['a DOUBLE as a number', 'CAST(2.5 AS DOUBLE)', 2.5],
    ['a DECIMAL as a number', 'CAST(1.25 AS DECIMAL(5, 2))', 1.25],
    ['a BOOLEAN as a boolean', 'true', true],
    ['NULL as null', 'CAST(NULL AS VARCHAR)', null],
    ['an array as an array', "split('a,b', ',')", ['a', 'b']],
  ])('returns %s', async (_name, expr, expected) => {
    expect((await engine.query(`SELECT ${expr} AS v`)).rows).toEqual([{ v: expected }]);
  });

  it('binds positional parameters as typed values, quotes included', async () => {
    const result = await engine.query('SELECT ? AS s, ? AS i, ? AS big, ? AS f, ? AS b, typeof(?) AS t', ["O'Brien", 42, 2 ** 40, 1.5, true, 7]);
    expect(result.columns).toEqual(['s', 'i', 'big', 'f', 'b', 't']);
    expect(result.rows).toEqual([{ s: "O'Brien", i: 42, big: 2 ** 40, f: 1.5, b: true, t: 'INTEGER' }]);
  });

  it.each([
    ['a syntax error', 'SELEC 1', [], /syntax error/],
    ['an unknown column', 'SELECT no_such_column FROM activities', [], /no_such_column/],
    ['too few parameters', 'SELECT ? AS a, ? AS b', [1], /2 parameter\(s\) but 1 value\(s\)/],
    ['a non-finite number', 'SELECT ? AS a', [Number.NaN], /not a finite number/],
  ] as const)('maps %s to a non-retryable QueryError with the DuckDB message', async (_name, sql, params, message) => {
    const error = await engine.query(sql, params).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QueryError);
    expect(error).toMatchObject({ retryable: false, message: expect.stringMatching(message) });
  });

  it('refuses queries after close', async () => {
    const other = await DuckDbQueryEngine.open({ lakeDir: lake.lakeDir });
    await other.close();
    await expect(other.query('SELECT 1')).rejects.toThrow(/closed/);
  });
});

describe('Athena-dialect hunting queries run unchanged on the local lake', () => {
  let lake: Awaited<ReturnType<typeof makeLake>>;
  let engine: DuckDbQueryEngine;
  const signIn = (email: string, iso: string, ip: string): Row => ({
    email,
    time: at(iso),
    type: 'Sign in',
    ip_address: ip,
    client_type: 'Windows',
    version: '6.0.2',
  });
  const joined = (n: number, participant: Record<string, string>): Row => {
    const raw = webhookBody({
      event: 'meeting.participant_joined',
      eventTs: 1709546400000 + n,
      payload: { account_id: 'A1', object: { id: '85746065432', uuid: 'u1', participant } },
    });
    return {
      event: 'meeting.participant_joined',
      event_ts: 1709546400000 + n,
      event_time: 1709546400000 + n,
      received_at: 1709546400500 + n,
      object_id: '85746065432',
      payload_sha256: `sha-${n}`,
      raw,
    };
  };
  const detail = (participantId: string, email: string, ip: string, iso: string): Row => ({
    meeting_uuid: 'u1',
    participant_id: participantId,
    email,
    ip_address: ip,
    join_time: at(iso),
  });
  const recording = (event: string, uuid: string, iso: string): Row => ({
    event,
    meeting_uuid: uuid,
    operator: 'alice@corp.example',
    operator_id: 'UA',
    event_time: at(iso),
    source_record_id: `w-${event}-${uuid}`,
  });
  const ended = (uuid: string, iso: string): Row => ({
    event: 'meeting.ended',
    meeting_uuid: uuid,
    event_time: at(iso),
    end_time: at(iso),
    source_record_id: `w-ended-${uuid}`,
  });

  beforeAll(async () => {
    lake = await makeLake('hunt');
    await lake.write('activities', [
      signIn('alice@corp.example', '2024-03-03T09:01:00Z', '10.0.0.1'),
      signIn('alice@corp.example', '2024-03-03T09:02:00Z', '10.0.0.1'),
      signIn('alice@corp.example', '2024-03-03T09:03:00Z', '10.0.0.1'),
      signIn('alice@corp.example', '2024-03-04T09:05:00Z', '10.0.0.1'),
      signIn('alice@corp.example', '2024-03-04T09:20:00Z', '10.0.0.1'),
      signIn('alice@corp.example', '2024-03-04T09:50:00Z', '203.0.113.9'),
      { ...signIn('alice@corp.example', '2024-03-04T10:10:00Z', '203.0.113.9'), type: 'Sign out' },
      signIn('bob@corp.example', '2024-03-04T09:10:00Z', '198.51.100.1'),
      // 59 min 59 s later: 59 whole minutes in Trino, 60 minute boundaries in DuckDB's own date_diff.
      signIn('bob@corp.example', '2024-03-04T10:09:59Z', '192.0.2.7'),
      signIn('mallory@evil.example', '2024-03-04T09:11:00Z', '192.0.2.66'),
      signIn('mallory@evil.example', '2024-03-04T09:12:00Z', '192.0.2.66'),
      signIn('mallory@evil.example', '2024-03-04T09:13:00Z', '192.0.2.66'),
    ]);
    await lake.write('webhook_events', [
      joined(1, { user_name: 'Ext', email: 'ext@gmail.com' }),
      joined(2, { user_name: 'Carol', email: 'carol@CORP.example' }),
      joined(3, { user_name: 'Guest' }),
      { ...joined(4, { user_name: 'Ext', email: 'ext@gmail.com' }), event: 'meeting.participant_left' },
    ]);
    await lake.write('participant_details', [
      detail('p1', 'ext@gmail.com', '198.51.100.20', '2024-03-04T10:00:00Z'),
      detail('p2', 'ext@gmail.com', '198.51.100.21', '2024-03-04T10:05:00Z'),
      detail('p3', 'ext@gmail.com', '198.51.100.22', '2024-03-04T10:07:00Z'),
      detail('p4', 'alice@corp.example', '10.0.0.1', '2024-03-04T10:00:00Z'),
      detail('p5', 'alice@corp.example', '10.0.0.1', '2024-03-04T10:30:00Z'),
    ]);
    await lake.write('meeting_events', [
      ended('u1', '2024-03-04T11:00:00Z'),
      ended('u2', '2024-03-04T11:00:00Z'),
      ended('u0', '2024-03-01T11:00:00Z'),
    ]);
    await lake.write('recording_events', [
      recording('recording.deleted', 'u1', '2024-03-04T11:30:00Z'),
      recording('recording.completed', 'u1', '2024-03-04T11:05:00Z'),
      recording('recording.trashed', 'u2', '2024-03-04T12:00:00.001Z'),
      recording('recording.deleted', 'u0', '2024-03-01T11:10:00Z'),
    ]);
    engine = await DuckDbQueryEngine.open({ lakeDir: lake.lakeDir });
  });

  afterAll(async () => {
    await engine.close();
    await rm(lake.lakeDir, { recursive: true, force: true });
  });

  it.each([
    {
      name: 'sign-in bursts per internal user per hour (date_trunc, regexp_like, approx_distinct, from_iso8601_timestamp, ?)',
      sql: String.raw`
        SELECT email, date_trunc('hour', time) AS hour, count(*) AS sign_ins, approx_distinct(ip_address) AS ips
        FROM activities
        WHERE type = 'Sign in' AND regexp_like(email, '@corp\.example$')
          AND time >= from_iso8601_timestamp(?) AND dt BETWEEN ? AND ?
        GROUP BY email, date_trunc('hour', time)
        HAVING count(*) >= 3
        ORDER BY email, hour`,
      params: ['2024-03-04T00:00:00Z', '2024-03-04', '2024-03-04'],
      expected: [{ email: 'alice@corp.example', hour: '2024-03-04T09:00:00.000Z', sign_ins: 3, ips: 2 }],
    },
    {
      name: 'new IP within the hour (lag, Trino date_diff whole minutes)',
      sql: `
        WITH s AS (
          SELECT email, time, ip_address,
                 lag(ip_address) OVER (PARTITION BY email ORDER BY time) AS prev_ip,
                 lag(time) OVER (PARTITION BY email ORDER BY time) AS prev_time
          FROM activities
          WHERE type = 'Sign in')
        SELECT email, prev_ip, ip_address, date_diff('minute', prev_time, time) AS minutes_apart
        FROM s
        WHERE prev_ip <> ip_address AND date_diff('minute', prev_time, time) < ?
        ORDER BY email, time`,
      params: [60],
      expected: [
        { email: 'alice@corp.example', prev_ip: '10.0.0.1', ip_address: '203.0.113.9', minutes_apart: 30 },
        { email: 'bob@corp.example', prev_ip: '198.51.100.1', ip_address: '192.0.2.7', minutes_apart: 59 },
      ],
    },
    {
      name: 'external joiners from the raw webhook JSON (json_extract_scalar, case-insensitive regexp_like)',
      sql: String.raw`
        SELECT json_extract_scalar(raw, '$.payload.object.id') AS meeting_id,
               json_extract_scalar(raw, '$.payload.object.participant.user_name') AS user_name,
               json_extract_scalar(raw, '$.payload.object.participant.email') AS email
        FROM webhook_events
        WHERE event = ?
          AND NOT regexp_like(coalesce(json_extract_scalar(raw, '$.payload.object.participant.email'), ''), '(?i)@corp\.example$')
        ORDER BY email`,
      params: ['meeting.participant_joined'],
      expected: [
        { meeting_id: '85746065432', user_name: 'Ext', email: 'ext@gmail.com' },
        { meeting_id: '85746065432', user_name: 'Guest', email: null },
      ],
    },
    {
      name: 'one participant from many IPs (approx_distinct, element_at on split, array_join)',
      sql: `
        SELECT email, element_at(split(email, '@'), -1) AS domain, approx_distinct(ip_address) AS distinct_ips,
               array_join(array_sort(array_distinct(array_agg(ip_address))), ',') AS ips
        FROM participant_details
        WHERE meeting_uuid = ?
        GROUP BY email
        HAVING approx_distinct(ip_address) > 1
        ORDER BY distinct_ips DESC`,
      params: ['u1'],
      expected: [{ email: 'ext@gmail.com', domain: 'gmail.com', distinct_ips: 3, ips: '198.51.100.20,198.51.100.21,198.51.100.22' }],
    },
    {
      name: 'recording deleted within an hour of the meeting end (date_add, to_unixtime, date_format dt bound)',
      sql: `
        SELECT r.operator, r.meeting_uuid, to_unixtime(r.event_time) - to_unixtime(m.end_time) AS seconds_after_end
        FROM recording_events r
        JOIN meeting_events m ON m.meeting_uuid = r.meeting_uuid AND m.event = 'meeting.ended'
        WHERE r.event IN ('recording.deleted', 'recording.trashed')
          AND r.event_time <= date_add('hour', 1, m.end_time)
          AND r.dt >= date_format(date_add('day', -1, from_iso8601_date(?)), '%Y-%m-%d')
        ORDER BY r.operator`,
      params: ['2024-03-04'],
      expected: [{ operator: 'alice@corp.example', meeting_uuid: 'u1', seconds_after_end: 1800 }],
    },
  ])('$name', async ({ sql, params, expected }) => {
    expect((await engine.query(sql, params)).rows).toEqual(expected);
  });
});
