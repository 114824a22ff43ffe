import { hash } from 'node:crypto';
import { PARTITION_COLUMN } from '../schema/tables.ts';
import { tableColumns } from '../schema/registry.ts';
import type { CellValue, ColumnDef, Row, TableDef } from '../schema/types.ts';
import { dtOf, isPlausibleEpochMs } from './instants.ts';

export { dtOf, isPlausibleEpochMs };

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

function checkCell(col: ColumnDef, v: CellValue | undefined): string | undefined {
  if (v === null || v === undefined) return col.nullable ? undefined : 'is required but missing';
  switch (col.type) {
    case 'string':
      return typeof v === 'string' ? undefined : `expected a string, got ${typeof v}`;
    case 'boolean':
      return typeof v === 'boolean' ? undefined : `expected a boolean, got ${typeof v}`;
    case 'double':
      return typeof v === 'number' && Number.isFinite(v) ? undefined : 'expected a finite number';
    case 'int':
      return typeof v === 'number' && Number.isInteger(v) && v >= INT32_MIN && v <= INT32_MAX ? undefined : 'expected a 32-bit integer';
    case 'bigint':
      return typeof v === 'number' && Number.isSafeInteger(v) ? undefined : 'expected a safe integer';
    case 'timestamp':
      return typeof v === 'number' && isPlausibleEpochMs(v) ? undefined : 'expected epoch milliseconds between 2000 and 2200';
  }
}

// Per-table column lookups, computed once: rows are validated one by one on hot paths.
const columnCache = new WeakMap<TableDef, { known: Set<string>; checked: ColumnDef[] }>();
function columnsOf(def: TableDef) {
  let entry = columnCache.get(def);
  if (!entry) {
    const cols = tableColumns(def);
    entry = { known: new Set(cols.map((c) => c.name)), checked: cols.filter((c) => c.name !== 'record_id' && c.name !== 'ingested_at') };
    columnCache.set(def, entry);
  }
  return entry;
}

const NO_PROBLEMS: readonly string[] = Object.freeze([]);

/**
 * Problems with a row against its table, one message per column ("<table>.<column>: ..."); empty when the row
 * fits. `record_id` and `ingested_at` are filled by the writer and not required here.
 */
export function rowProblems(def: TableDef, row: Row): string[] {
  return [...problemsOf(def, row)];
}

/** rowProblems without a new array for a row that fits (the common case, on the writer's hot path). */
function problemsOf(def: TableDef, row: Row): readonly string[] {
  let problems: string[] | undefined;
  const { known, checked } = columnsOf(def);
  for (const name in row) {
    if (!known.has(name)) (problems ??= []).push(`${def.name}.${name}: not a column of ${def.name}`);
  }
  for (let c = 0; c < checked.length; c++) {
    const col = checked[c]!;
    const problem = checkCell(col, row[col.name]);
    if (problem) (problems ??= []).push(`${def.name}.${col.name}: ${problem}`);
  }
  return problems ?? NO_PROBLEMS;
}

/** Deterministic record id: the first 32 hex chars of SHA-256 over the table name and the natural key values. */
export function recordId(def: TableDef, row: Row, dt: string): string {
  // The JSON array [table, ...key values] (a missing value as null), built without intermediate arrays.
  const { key } = def;
  const values: CellValue[] = [def.name];
  for (let k = 0; k < key.length; k++) {
    const name = key[k]!;
    values.push(name === PARTITION_COLUMN.name ? dt : (row[name] ?? null));
  }
  return hash('sha256', JSON.stringify(values), 'hex').slice(0, 32);
}

/** A row ready to write: validated, with its partition, record id and ingestion time. */
export interface PreparedRow {
  readonly dt: string;
  readonly row: Row;
}

/** Result of preparing one row: the prepared row, or the reasons it does not fit. */
export type PrepareResult = { ok: true; value: PreparedRow } | { ok: false; problems: string[] };

/** A row's place once it fits its table: its partition and record id; or the reasons it does not fit. */
export type RowIdentity = { ok: true; dt: string; recordId: string } | { ok: false; problems: string[] };

/**
 * Validates a row and names it: `dt` from the row's own event time (UTC), and its record id. prepareRow without the
 * copy: the lake writer keeps the row as given and adds `record_id` and `ingested_at` when it encodes the file.
 */
export function identifyRow(def: TableDef, row: Row): RowIdentity {
  const problems = problemsOf(def, row);
  if (problems.length > 0) return { ok: false, problems: [...problems] };
  const dt = dtOf(row[def.eventTime] as number);
  return { ok: true, dt, recordId: recordId(def, row, dt) };
}

/** Validates a row and fills `record_id` and `ingested_at`; `dt` comes from the row's own event time (UTC). */
export function prepareRow(def: TableDef, row: Row, ingestedAt: number): PrepareResult {
  const id = identifyRow(def, row);
  if (!id.ok) return id;
  return { ok: true, value: { dt: id.dt, row: { ...row, record_id: id.recordId, ingested_at: ingestedAt } } };
}
