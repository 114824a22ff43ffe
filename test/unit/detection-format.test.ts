import { describe, expect, it } from 'vitest';
import { alertId, alertSchema } from '#core/alerts/alert.ts';
import { configViews } from '#core/detect/config-views.ts';
import {
  bindNamed,
  DetectionDefinitionError,
  detectionParams,
  durationMs,
  parseDetection,
  placeholderCount,
  readReachMs,
  type Detection,
  type ScheduledDetection,
} from '#core/detect/detection.ts';
import { DetectionResultError, rowsToAlerts } from '#core/detect/results.ts';
import { detectionQuery } from '#core/detect/run.ts';
import { DuckDbQueryEngine } from '#local/adapters/duckdb-query-engine.ts';

const SQL = "SELECT 1 FROM users u WHERE u.dt >= date_format(date_add('day', -1, from_iso8601_timestamp(?)), '%Y-%m-%d')";
const META = {
  id: 'zoom.test.example',
  title: 'Example',
  description: 'An example.',
  severity: 'low',
  paths: ['scheduled'],
  schedule: 'rate(1 hour)',
  lookback: '1d',
  tables: ['users'],
  mitre: ['T1078'],
  dedup: { key: ['user_email'], window: '1d' },
  entities: ['user_email'],
  runbook: '1. Look.',
  falsePositives: ['None known.'],
};

describe('placeholderCount', () => {
  it.each([
    ['SELECT ?', 1],
    ['SELECT ?, ? FROM t WHERE x = ?', 3],
    ["SELECT '?' , 'it''s ?', ?", 1],
    ['SELECT "we?ird" FROM t WHERE a = ?', 1],
    ['-- why?\nSELECT ?', 1],
    ['/* ? ? */ SELECT ? /* ? */', 1],
    ['SELECT 1', 0],
  ])('%j has %i', (sql, n) => {
    expect(placeholderCount(sql)).toBe(n);
  });

  it('binds every placeholder to the run end time', () => {
    expect(detectionParams({ sql: 'SELECT ?, ?' }, Date.UTC(2026, 10, 20, 12))).toEqual(['2026-11-20T12:00:00.000Z', '2026-11-20T12:00:00.000Z']);
  });
});

describe('bindNamed with the run end time', () => {
  it('binds ? to the end time and :days_from/:days_to to their days, in their order', () => {
    const sql = "SELECT ? -- :nope ?\nFROM t WHERE dt BETWEEN :days_from AND :days_to AND x = ? AND y = ':z' AND CAST(a AS int)::text IS NOT NULL";
    expect(bindNamed(sql, { days_from: '2026-11-01', days_to: '2026-11-03' }, 'NOW')).toEqual({
      sql: "SELECT ? -- :nope ?\nFROM t WHERE dt BETWEEN ? AND ? AND x = ? AND y = ':z' AND CAST(a AS int)::text IS NOT NULL",
      params: ['NOW', '2026-11-01', '2026-11-03', 'NOW'],
    });
  });
});

describe('detectionQuery with days.sql', () => {
  const DAYS_SQL =
    'SELECT CAST(? AS varchar) AS now, f AS from_dt, t AS to_dt FROM (VALUES (CAST(NULL AS varchar), CAST(NULL AS varchar))) v(f, t) WHERE false';
  const QUERY = `${SQL} AND u.dt BETWEEN :days_from AND :days_to`;
  const recording = (sql: string, days: Record<string, unknown>[]) => {
    const seen: { sql: string; params: readonly unknown[] }[] = [];
    const engine = {
      query: async (q: string, params: readonly (string | number | boolean)[] = []) => {
        seen.push({ sql: q, params });
        return q === sql ? { columns: ['from_dt', 'to_dt'], rows: days } : { columns: ['n'], rows: [{ n: 1 }] };
      },
    };
    return { engine, seen };
  };
  const detection = parseDetection('zoom.test.example', META, QUERY, DAYS_SQL) as ScheduledDetection;
  const NOW = Date.UTC(2026, 10, 20, 12);

  it('binds the days days.sql returns into the query', async () => {
    const { engine, seen } = recording(DAYS_SQL, [{ from_dt: '2026-11-09', to_dt: '2026-11-11' }]);
    expect(await detectionQuery(engine, detection, NOW)).toEqual({ columns: ['n'], rows: [{ n: 1 }] });
    expect(seen.map((q) => q.params)).toEqual([['2026-11-20T12:00:00.000Z'], ['2026-11-20T12:00:00.000Z', '2026-11-09', '2026-11-11']]);
  });

  it.each([[[]], [[{ from_dt: null, to_dt: null }]]])('does not run the query when days.sql finds nothing (%j)', async (rows) => {
    const { engine, seen } = recording(DAYS_SQL, rows);
    expect(await detectionQuery(engine, detection, NOW)).toBeUndefined();
    expect(seen).toHaveLength(1);
  });

  it.each([
    [[{ from_dt: '2026-11-09', to_dt: null }]],
    [[{ from_dt: '9 Nov', to_dt: '2026-11-11' }]],
    [
      [
        { from_dt: '2026-11-09', to_dt: '2026-11-11' },
        { from_dt: '2026-11-09', to_dt: '2026-11-11' },
      ],
    ],
  ])('refuses what is not one row of two days (%j)', async (rows) => {
    const { engine } = recording(DAYS_SQL, rows);
    await expect(detectionQuery(engine, detection, NOW)).rejects.toThrow(/days\.sql must return one row of from_dt and to_dt/);
  });

  it.each([
    ['days.sql without query.sql bounds', SQL, DAYS_SQL, /does not bound its history by both :days_from and :days_to/],
    ['query.sql bounds without days.sql', QUERY, undefined, /has no days\.sql to bind them/],
    ['another named parameter', `${QUERY} AND :other = 1`, DAYS_SQL, /names :other/],
    ['days.sql without the run time', QUERY, 'SELECT NULL AS from_dt, NULL AS to_dt', /days\.sql has no \? placeholder/],
    ['days.sql without to_dt', QUERY, 'SELECT CAST(? AS varchar) AS from_dt', /must return from_dt and to_dt/],
  ])('rejects %s', (_what, sql, daysSql, message) => {
    expect(() => parseDetection('zoom.test.example', META, sql, daysSql)).toThrow(message);
  });
});

describe('durationMs', () => {
  it.each([
    ['30m', 1_800_000],
    ['6h', 21_600_000],
    ['30d', 2_592_000_000],
  ])('%s', (d, ms) => expect(durationMs(d)).toBe(ms));
  it.each(['0d', '1w', '1', 'd'])('rejects %s', (d) => expect(() => durationMs(d)).toThrow(/not a duration/));
});

describe('parseDetection', () => {
  it('accepts a valid definition', () => {
    expect(parseDetection('zoom.test.example', META, SQL)).toMatchObject({ id: 'zoom.test.example', sql: SQL });
  });

  it('reads each table within its history, else the lookback', () => {
    const d = parseDetection(
      'zoom.test.example',
      { ...META, tables: ['users', 'activities'], history: { users: '30d' } },
      `${SQL} UNION ALL SELECT 1 FROM activities`,
    );
    expect(readReachMs(d as ScheduledDetection, 'users')).toBe(durationMs('30d'));
    expect(readReachMs(d as ScheduledDetection, 'activities')).toBe(durationMs('1d'));
  });

  it.each([
    ['a wrong severity', { ...META, severity: 'urgent' }, SQL, /severity/],
    ['a missing runbook', { ...META, runbook: undefined }, SQL, /runbook/],
    ['an unknown field', { ...META, owner: 'me' }, SQL, /owner|Unrecognized/i],
    ['an unknown table', { ...META, tables: ['nope'] }, SQL, /tables\.0/],
    ['a bad MITRE id', { ...META, mitre: ['Phishing'] }, SQL, /mitre\.0/],
    ['a bad schedule', { ...META, schedule: 'every hour' }, SQL, /schedule/],
    ['an unknown entity', { ...META, entities: ['mac'] }, SQL, /entities\.0/],
    ['an id other than the folder', { ...META, id: 'zoom.test.other' }, SQL, /must equal its folder name/],
    ['SQL without a placeholder', META, "SELECT 1 FROM users WHERE dt >= '2026-01-01'", /no \? placeholder/],
    ['SQL without a dt bound', META, 'SELECT 1 FROM users WHERE snapshot_time < from_iso8601_timestamp(?)', /must bound dt/],
    ['a listed table the SQL does not read', { ...META, tables: ['users', 'activities'] }, SQL, /activities is listed/],
    ['history for a table it does not read', { ...META, history: { activities: '30d' } }, SQL, /history\.activities: not one of the tables/],
    ['history no longer than the lookback', { ...META, history: { users: '1d' } }, SQL, /history\.users: 1d is not longer than the lookback 1d/],
    ['history that is not a duration', { ...META, history: { users: '30 days' } }, SQL, /history\.users/],
    [
      'history on a detection that does not run on a schedule',
      { ...META, paths: ['realtime'], schedule: undefined, lookback: undefined, tables: undefined, history: { users: '30d' } },
      undefined,
      /history: only for the scheduled path/,
    ],
  ])('rejects %s, naming the detection and the field', (_what, meta, sql, message) => {
    const run = () => parseDetection('zoom.test.example', meta, sql);
    expect(run).toThrow(DetectionDefinitionError);
    expect(run).toThrow(/zoom\.test\.example/);
    expect(run).toThrow(message);
  });
});

describe('rowsToAlerts', () => {
  const detection = parseDetection('zoom.test.example', META, SQL) as Detection;
  const columns = ['user_email', 'first_seen', 'last_seen', 'meetings'];

  it('maps each row to an alert with entities, times and the row as evidence', () => {
    const [alert, ...rest] = rowsToAlerts(detection, columns, [
      { user_email: 'a@x.example', first_seen: '2026-11-20T09:00:00.000Z', last_seen: '2026-11-20T10:00:00.000Z', meetings: 3 },
    ]);
    expect(rest).toEqual([]);
    expect(alertSchema.parse(alert)).toEqual(alert);
    expect(alert).toMatchObject({
      detection_id: 'zoom.test.example',
      severity: 'low',
      source: 'scheduled',
      entities: { user_email: 'a@x.example' },
      first_seen: '2026-11-20T09:00:00.000Z',
      last_seen: '2026-11-20T10:00:00.000Z',
      dedup_key: 'a@x.example',
      mitre: ['T1078'],
    });
    expect(alert!.evidence).toEqual([
      { user_email: 'a@x.example', first_seen: '2026-11-20T09:00:00.000Z', last_seen: '2026-11-20T10:00:00.000Z', meetings: 3 },
    ]);
  });

  it('merges rows with the same dedup key in one window, and keeps other keys apart', () => {
    const alerts = rowsToAlerts(detection, columns, [
      { user_email: 'a@x.example', first_seen: '2026-11-20T09:00:00Z', last_seen: '2026-11-20T09:10:00Z' },
      { user_email: 'a@x.example', first_seen: '2026-11-20T08:00:00Z', last_seen: '2026-11-20T11:00:00Z' },
      { user_email: 'b@x.example', first_seen: '2026-11-20T09:00:00Z', last_seen: '2026-11-20T09:00:00Z' },
    ]);
    expect(alerts.map((a) => [a.entities.user_email, a.first_seen, a.last_seen, a.evidence.length])).toEqual([
      ['a@x.example', '2026-11-20T08:00:00.000Z', '2026-11-20T11:00:00.000Z', 2],
      ['b@x.example', '2026-11-20T09:00:00.000Z', '2026-11-20T09:00:00.000Z', 1],
    ]);
  });

  it('leaves NULL and empty entity columns out', () => {
    const [alert] = rowsToAlerts(detection, columns, [{ user_email: null, first_seen: '2026-11-20T09:00:00Z', last_seen: null }]);
    expect(alert!.entities).toEqual({});
    expect(alert!.last_seen).toBe('2026-11-20T09:00:00.000Z');
  });

  it.each([
    ['a missing first_seen column', ['user_email', 'last_seen'], [], /lacks column\(s\) first_seen/],
    ['a missing dedup column', ['first_seen', 'last_seen'], [], /lacks column\(s\) user_email/],
    ['a first_seen that is not a time', columns, [{ user_email: 'a', first_seen: 'soon', last_seen: null }], /must be timestamps/],
  ])('rejects %s', (_what, cols, rows, message) => {
    expect(() => rowsToAlerts(detection, cols, rows)).toThrow(DetectionResultError);
    expect(() => rowsToAlerts(detection, cols, rows)).toThrow(message);
  });
});

describe('alertId', () => {
  const day = 86_400_000;
  it('is the same for the same detection, key and window, and differs otherwise', () => {
    const t = Date.UTC(2026, 10, 20, 9);
    expect(alertId('d', 'k', t, day)).toBe(alertId('d', 'k', t + 3_600_000, day));
    expect(new Set([alertId('d', 'k', t, day), alertId('d', 'k2', t, day), alertId('d2', 'k', t, day), alertId('d', 'k', t + day, day)]).size).toBe(
      4,
    );
  });
});

describe('config views on DuckDB', () => {
  it.each([
    [
      'empty lists',
      { internalDomains: [], sensitiveMeetingPatterns: [], watchedUsers: [], minClientVersion: '6.0.0', supportNames: [] },
      [],
      [],
      [],
      [],
    ],
    [
      'values, quoting and case',
      {
        internalDomains: ['ACME.example', "o'brien.example"],
        sensitiveMeetingPatterns: ['board'],
        watchedUsers: ['CEO@acme.example'],
        trustedExternals: ['LawFirm.example', 'Director@Gmail.example'],
        minClientVersion: '5.17.11',
        supportNames: ['IT Support'],
      },
      ['acme.example', "o'brien.example"],
      ['(?i)board'],
      ['ceo@acme.example'],
      ['director@gmail.example', 'lawfirm.example'],
    ],
  ])('%s', async (_what, settings, domains, patterns, watched, trusted) => {
    const engine = await DuckDbQueryEngine.open({
      lakeDir: '/nonexistent-zoomlake-lake',
      views: configViews(settings, [{ id: 'zoom.test.example', values: { min_things: 3 } }]),
    });
    try {
      const col = async (sql: string) => (await engine.query(sql)).rows.map((r) => Object.values(r)[0]);
      expect(await col('SELECT domain FROM internal_domains ORDER BY domain')).toEqual(domains);
      expect(await col('SELECT pattern FROM sensitive_meeting_patterns')).toEqual(patterns);
      expect(await col('SELECT email FROM watched_users')).toEqual(watched);
      expect(await col('SELECT entry FROM trusted_externals ORDER BY entry')).toEqual(trusted);
      const [version] = (await engine.query('SELECT * FROM min_client_version')).rows;
      const [major, minor, patch] = settings.minClientVersion.split('.').map(Number);
      expect(version).toEqual({ version: settings.minClientVersion, major, minor, patch });
      expect((await engine.query('SELECT * FROM detection_parameters')).rows).toEqual([
        { detection_id: 'zoom.test.example', name: 'min_things', value: 3 },
      ]);
      if (patterns.length > 0) {
        expect(
          (await engine.query("SELECT count(*) AS n FROM sensitive_meeting_patterns p WHERE regexp_like('Q3 BOARD review', p.pattern)")).rows[0],
        ).toEqual({ n: 1 });
      }
    } finally {
      engine.close();
    }
  });
});
