import { COMMON_COLUMNS, PARTITION_COLUMN, TABLES } from './tables.ts';
import type { ColumnDef, TableDef } from './types.ts';

/** Raised when a table name is not in the registry. */
export class UnknownTableError extends Error {
  readonly retryable = false;
  constructor(readonly table: string) {
    super(`unknown lake table "${table}"; known tables: ${TABLES.map((t) => t.name).join(', ')}`);
    this.name = 'UnknownTableError';
  }
}

const byName = new Map(TABLES.map((t) => [t.name, t]));

/** The table definition for a plain table name. */
export function getTable(name: string): TableDef {
  const def = byName.get(name);
  if (!def) throw new UnknownTableError(name);
  return def;
}

/** All columns stored in the table's Parquet files, common columns first (the partition column is not stored). */
export function tableColumns(def: TableDef): readonly ColumnDef[] {
  return [...COMMON_COLUMNS, ...def.columns];
}

/** The physical (raw, at-least-once) table behind a table's de-duplicating view. */
export function rawTableName(def: TableDef): string {
  return `${def.name}_raw`;
}

/**
 * The Glue tables a query of `names` reads: each lake table's view with the `<name>_raw` table behind it, and other
 * names (config views, tables outside the lake) as they are. Sorted, each once.
 */
export function withRawTables(names: Iterable<string>): string[] {
  const known = new Set(TABLES.map((t) => t.name));
  const out = new Set<string>();
  for (const name of names) {
    out.add(name);
    if (known.has(name)) out.add(rawTableName(getTable(name)));
  }
  return [...out].sort();
}

/**
 * The lake's root prefix: every table lives under `<LAKE_ROOT>/<table>/dt=YYYY-MM-DD/`, in S3 and in the local lake
 * folder alike. The constructs' IAM grants are scoped to it.
 */
export const LAKE_ROOT = 'zoom';

/** The S3 (or local lake) prefix holding a table's partitions, without a leading or trailing slash. */
export function tablePrefix(def: TableDef): string {
  return `${LAKE_ROOT}/${def.name}`;
}

const SNAKE = /^[a-z][a-z0-9_]*$/;

/** Checks the registry's own invariants; returns one message per problem (empty when sound). */
export function validateRegistry(tables: readonly TableDef[] = TABLES): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const def of tables) {
    if (!SNAKE.test(def.name)) problems.push(`${def.name}: table name must be lower-case snake_case`);
    if (seen.has(def.name)) problems.push(`${def.name}: defined twice`);
    seen.add(def.name);
    const cols = tableColumns(def);
    const names = new Set<string>();
    for (const c of cols) {
      if (!SNAKE.test(c.name)) problems.push(`${def.name}.${c.name}: column name must be lower-case snake_case`);
      if (names.has(c.name)) problems.push(`${def.name}.${c.name}: column defined twice`);
      if (c.name === PARTITION_COLUMN.name) problems.push(`${def.name}.${c.name}: clashes with the partition column`);
      if (!c.description) problems.push(`${def.name}.${c.name}: missing description`);
      names.add(c.name);
    }
    const et = cols.find((c) => c.name === def.eventTime);
    if (!et || et.type !== 'timestamp' || et.nullable) {
      problems.push(`${def.name}: eventTime "${def.eventTime}" must be a NOT NULL timestamp column`);
    }
    if (def.key.length === 0) problems.push(`${def.name}: natural key is empty`);
    for (const k of def.key) {
      if (k !== PARTITION_COLUMN.name && !names.has(k)) problems.push(`${def.name}: key column "${k}" is not a column`);
      if (k === 'record_id' || k === 'ingested_at') problems.push(`${def.name}: key may not use "${k}"`);
    }
  }
  return problems;
}
