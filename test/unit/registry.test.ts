import { describe, expect, it } from 'vitest';
import { dedupViewSql, glueColumns, viewColumns } from '#core/schema/derive.ts';
import { getTable, rawTableName, tableColumns, UnknownTableError, validateRegistry } from '#core/schema/registry.ts';
import { TABLES } from '#core/schema/tables.ts';
import type { ColumnDef, TableDef } from '#core/schema/types.ts';

// DESIGN §3 names these tables; removing one breaks collectors, detections and the docs.
const REQUIRED = [
  'webhook_events',
  'participant_events',
  'meeting_events',
  'recording_events',
  'user_events',
  'account_events',
  'activities',
  'operation_logs',
  'users',
  'meetings',
  'meeting_participants',
  'participant_details',
  'recordings',
  'alerts',
];

describe('schema registry', () => {
  it('defines every table of the design', () => {
    expect(TABLES.map((t) => t.name)).toEqual(expect.arrayContaining(REQUIRED));
  });

  it('passes its own invariants', () => {
    expect(validateRegistry()).toEqual([]);
  });

  const base: TableDef = {
    name: 'ok',
    description: 'd',
    source: 'poller',
    eventTime: 'time',
    key: ['a'],
    columns: [
      { name: 'time', type: 'timestamp', nullable: false, description: 'd' },
      { name: 'a', type: 'string', nullable: true, description: 'd' },
    ],
  };
  const col = (name: string, description = 'd'): ColumnDef => ({ name, type: 'string', nullable: true, description });
  it.each<[string, TableDef, string]>([
    ['a camelCase column', { ...base, columns: [...base.columns, col('userId')] }, 'ok.userId: column name must be lower-case snake_case'],
    [
      'a nullable event time',
      { ...base, columns: [{ ...base.columns[0]!, nullable: true }, base.columns[1]!] },
      'ok: eventTime "time" must be a NOT NULL timestamp column',
    ],
    ['a key on a missing column', { ...base, key: ['nope'] }, 'ok: key column "nope" is not a column'],
    ['a column named dt', { ...base, columns: [...base.columns, col('dt')] }, 'ok.dt: clashes with the partition column'],
    ['a missing description', { ...base, columns: [...base.columns, col('b', '')] }, 'ok.b: missing description'],
  ])('catches %s', (_name, def, problem) => {
    expect(validateRegistry([def])).toContain(problem);
  });

  it('names the known tables when a name is unknown', () => {
    expect(() => getTable('activity')).toThrow(UnknownTableError);
    expect(() => getTable('activity')).toThrow(/known tables: webhook_events, /);
  });

  it('declares every timestamp as Glue timestamp and ids as strings', () => {
    for (const def of TABLES) {
      for (const [i, col] of tableColumns(def).entries()) {
        const glue = glueColumns(def)[i]!;
        expect(glue.name).toBe(col.name);
        if (col.type === 'timestamp') expect(glue.type).toBe('timestamp');
        if (col.name.endsWith('_id')) expect(glue.type).toBe('string');
      }
    }
  });
});

describe('dedupViewSql', () => {
  it.each(TABLES.map((t) => [t.name, t] as const))('%s keeps one copy per (dt, record_id), newest first', (_name, def) => {
    const sql = dedupViewSql(def);
    expect(sql).toContain('PARTITION BY dt, record_id ORDER BY ingested_at DESC');
    expect(sql).toContain(`FROM ${rawTableName(def)}`);
    expect(sql.split('\n')[0]).toBe(
      `SELECT ${viewColumns(def)
        .map((c) => c.name)
        .join(', ')}`,
    );
  });
});
