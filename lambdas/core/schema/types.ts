/** Column types a lake table may declare; each maps to one Glue type, one Parquet type and one DuckDB type. */
export type ColumnType = 'string' | 'bigint' | 'int' | 'double' | 'boolean' | 'timestamp';

/** One column of a lake table. */
export interface ColumnDef {
  readonly name: string;
  readonly type: ColumnType;
  /** Whether the column may hold NULL. */
  readonly nullable: boolean;
  readonly description: string;
}

/** Where a table's rows come from. */
export type TableSource = 'webhook' | 'poller' | 'detection';

/** One lake table, defined once; the writer, Glue, DuckDB and the docs all derive from it. */
export interface TableDef {
  /** Plain name: the de-duplicating view users query, and the S3 prefix `zoom/<name>/`. */
  readonly name: string;
  readonly description: string;
  readonly source: TableSource;
  /** Table-specific columns; the common columns (record_id, ingested_at) are added by `tableColumns`. */
  readonly columns: readonly ColumnDef[];
  /** The timestamp column whose UTC date is the row's `dt` partition. */
  readonly eventTime: string;
  /**
   * The natural key: columns (or `dt`) whose values identify one record. `record_id` is a hash of them, so
   * the same record delivered or polled twice gets the same id and reads once through the view.
   */
  readonly key: readonly string[];
}

/** Row values as the writer takes them: timestamps are epoch milliseconds (UTC). */
export type CellValue = string | number | boolean | null;
/** One row for a table, keyed by column name. Missing columns are NULL. */
export type Row = Readonly<Record<string, CellValue | undefined>>;
