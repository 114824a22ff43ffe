import { PARTITION_COLUMN } from './tables.ts';
import { rawTableName, tableColumns } from './registry.ts';
import type { ColumnType, TableDef } from './types.ts';

/** Glue/Hive DDL type for each column type (what Athena reads the Parquet column as). */
export const HIVE_TYPES: Readonly<Record<ColumnType, string>> = {
  string: 'string',
  bigint: 'bigint',
  int: 'int',
  double: 'double',
  boolean: 'boolean',
  timestamp: 'timestamp',
};

/** Trino/Presto type names, used in Athena view definitions. */
export const TRINO_TYPES: Readonly<Record<ColumnType, string>> = {
  string: 'varchar',
  bigint: 'bigint',
  int: 'integer',
  double: 'double',
  boolean: 'boolean',
  timestamp: 'timestamp(3)',
};

/** DuckDB type names for the local views. */
export const DUCKDB_TYPES: Readonly<Record<ColumnType, string>> = {
  string: 'VARCHAR',
  bigint: 'BIGINT',
  int: 'INTEGER',
  double: 'DOUBLE',
  boolean: 'BOOLEAN',
  timestamp: 'TIMESTAMP',
};

/** One column as Glue declares it. */
export interface GlueColumn {
  readonly name: string;
  readonly type: string;
  readonly comment: string;
}

/** The Glue storage columns of a table's raw (physical) table. */
export function glueColumns(def: TableDef): GlueColumn[] {
  return tableColumns(def).map((c) => ({ name: c.name, type: HIVE_TYPES[c.type], comment: c.description.slice(0, 255) }));
}

/** The Glue partition keys (always `dt`, a string, as AWS recommends for projected dates). */
export function gluePartitionKeys(): GlueColumn[] {
  return [{ name: PARTITION_COLUMN.name, type: 'string', comment: PARTITION_COLUMN.description }];
}

/** Columns the de-duplicating view exposes: every stored column plus `dt`, in order. */
export function viewColumns(def: TableDef): { name: string; type: ColumnType }[] {
  return [...tableColumns(def), PARTITION_COLUMN].map((c) => ({ name: c.name, type: c.type }));
}

/**
 * The de-duplicating view's SELECT, identical for Athena and DuckDB. The window partitions by (dt, record_id) so
 * that a `dt` filter on the view is pushed below the window and still prunes partitions; the latest copy wins.
 */
export function dedupViewSql(def: TableDef, rawTable: string = rawTableName(def)): string {
  const cols = viewColumns(def)
    .map((c) => c.name)
    .join(', ');
  return [
    `SELECT ${cols}`,
    'FROM (',
    `  SELECT ${cols},`,
    '    row_number() OVER (PARTITION BY dt, record_id ORDER BY ingested_at DESC) AS zl_copy',
    `  FROM ${rawTable}`,
    ')',
    'WHERE zl_copy = 1',
  ].join('\n');
}
