import { resolve } from 'node:path';
import {
  DuckDBArrayValue,
  DuckDBDateValue,
  DuckDBDecimalValue,
  DuckDBInstance,
  DuckDBListValue,
  DuckDBMapValue,
  DuckDBStructValue,
  DuckDBTimestampMillisecondsValue,
  DuckDBTimestampNanosecondsValue,
  DuckDBTimestampSecondsValue,
  DuckDBTimestampTZValue,
  DuckDBTimestampValue,
  type DuckDBConnection,
  type DuckDBPreparedStatement,
  type DuckDBValue,
} from '@duckdb/node-api';
import { QueryError } from '#core/errors.ts';
import type { QueryEngine, QueryResult } from '#core/ports.ts';
import { DUCKDB_TYPES, dedupViewSql } from '#core/schema/derive.ts';
import { rawTableName, tableColumns, tablePrefix } from '#core/schema/registry.ts';
import { PARTITION_COLUMN, TABLES } from '#core/schema/tables.ts';
import type { TableDef } from '#core/schema/types.ts';
import { filesUnder } from './duckdb-paths.ts';
import { installTrinoCompat } from './trino-compat.ts';

/** Where the local engine finds the lake and keeps its catalog. */
export interface DuckDbQueryEngineOptions {
  /** The lake folder (FsObjectStore's root): object `zoom/<table>/dt=<day>/<file>.parquet` is a file under it. */
  readonly lakeDir: string;
  /**
   * DuckDB database file for the views and macros.
   * @default ':memory:'
   */
  readonly database?: string;
  /** Views created after the table views, e.g. the config views detections join (core/detect/config-views.ts). */
  readonly views?: readonly { readonly name: string; readonly sql: string }[];
}

/** A query parameter as the QueryEngine port takes it. */
type Param = string | number | boolean;

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

/**
 * Runs Athena-dialect SQL over the local lake with DuckDB and the Trino compatibility layer. Each table has a raw
 * view `<name>_raw` over its Parquet files and the de-duplicating view `<name>` with the same SQL Athena gets.
 *
 * Before each query the engine lists the lake's files (one glob) and rebuilds the raw view of every table whose file
 * set changed, so files written after `open` are visible without a `refresh()`. The rebuild matters for a table's
 * first file and for a file that brings a column older files lack: the view names every schema column, and
 * `read_parquet` fails on a column no file has, so such columns are selected as typed NULLs until a file has them.
 */
export class DuckDbQueryEngine implements QueryEngine {
  /** Per table, the sorted file list its raw view was built for. */
  private readonly builtFor = new Map<string, string>();
  private tail: Promise<unknown> = Promise.resolve();
  private closed = false;

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
    private readonly lakeDir: string,
  ) {}

  /** Opens DuckDB, installs the Trino layer and creates every table's raw and de-duplicating view. */
  static async open(options: DuckDbQueryEngineOptions): Promise<DuckDbQueryEngine> {
    let instance: DuckDBInstance | undefined;
    let connection: DuckDBConnection | undefined;
    try {
      instance = await DuckDBInstance.create(options.database ?? ':memory:');
      connection = await instance.connect();
      await connection.run("SET TimeZone = 'UTC'");
      await installTrinoCompat(connection);
      const engine = new DuckDbQueryEngine(instance, connection, resolve(options.lakeDir));
      await engine.syncRawViews(true);
      for (const def of TABLES) {
        await connection.run(`CREATE OR REPLACE VIEW ${def.name} AS ${dedupViewSql(def)}`);
      }
      for (const view of options.views ?? []) {
        await connection.run(`CREATE OR REPLACE VIEW ${view.name} AS ${view.sql}`);
      }
      return engine;
    } catch (error) {
      connection?.closeSync();
      instance?.closeSync();
      throw toQueryError('could not open the local query engine', error);
    }
  }

  /** Runs one statement with positional `?` parameters; values come back as plain JSON-friendly JS values. */
  query(sql: string, params: readonly Param[] = []): Promise<QueryResult> {
    return this.exclusive(async () => {
      await this.syncRawViews(false);
      let prepared: DuckDBPreparedStatement;
      try {
        prepared = await this.connection.prepare(sql);
      } catch (error) {
        throw toQueryError('query failed', error);
      }
      try {
        if (prepared.parameterCount !== params.length) {
          throw new QueryError(`query has ${prepared.parameterCount} parameter(s) but ${params.length} value(s) were given`, false);
        }
        params.forEach((value, i) => bindParam(prepared, i + 1, value));
        const result = await prepared.run();
        const columns = result.columnNames();
        const rows = (await result.getRows()).map((values) => {
          const row: Record<string, unknown> = {};
          columns.forEach((name, i) => {
            row[name] = toJs(values[i] ?? null);
          });
          return row;
        });
        return { columns, rows };
      } catch (error) {
        throw error instanceof QueryError ? error : toQueryError('query failed', error);
      } finally {
        prepared.destroySync();
      }
    });
  }

  /** Rebuilds every raw view now, e.g. after files were removed from the lake. */
  refresh(): Promise<void> {
    return this.exclusive(() => this.syncRawViews(true));
  }

  /** Waits for running queries, then closes the connection and the database. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.tail;
    this.connection.closeSync();
    this.instance.closeSync();
  }

  // One statement at a time: a refresh must not swap a view under a running query.
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new QueryError('the local query engine is closed', false));
    const run = this.tail.then(fn, fn);
    this.tail = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  private async syncRawViews(force: boolean): Promise<void> {
    let files: Map<string, string[]>;
    try {
      files = await this.lakeFiles();
    } catch (error) {
      throw toQueryError(`could not list the lake under ${this.lakeDir}`, error);
    }
    for (const def of TABLES) {
      const tableFiles = files.get(def.name) ?? [];
      const signature = tableFiles.join('\n');
      if (!force && this.builtFor.get(def.name) === signature) continue;
      try {
        await this.connection.run(await this.rawViewSql(def, tableFiles.length > 0));
      } catch (error) {
        throw toQueryError(`could not build the view ${rawTableName(def)}`, error);
      }
      this.builtFor.set(def.name, signature);
    }
  }

  private async lakeFiles(): Promise<Map<string, string[]>> {
    const zoom = `${this.lakeDir}/zoom`;
    const root = `${zoom}/`;
    const reader = await this.connection.runAndReadAll(`SELECT file FROM glob(${filesUnder(zoom, '*/dt=*/*.parquet')}) ORDER BY file`);
    const byTable = new Map<string, string[]>();
    for (const [file] of reader.getRows()) {
      if (typeof file !== 'string' || !file.startsWith(root)) continue;
      const table = file.slice(root.length).split('/')[0] ?? '';
      const list = byTable.get(table) ?? [];
      list.push(file);
      byTable.set(table, list);
    }
    return byTable;
  }

  private async rawViewSql(def: TableDef, hasFiles: boolean): Promise<string> {
    const cols = tableColumns(def);
    const view = `CREATE OR REPLACE VIEW ${rawTableName(def)} AS`;
    const dt = `CAST(${hasFiles ? PARTITION_COLUMN.name : 'NULL'} AS VARCHAR) AS ${PARTITION_COLUMN.name}`;
    if (!hasFiles) {
      const nulls = cols.map((c) => `CAST(NULL AS ${DUCKDB_TYPES[c.type]}) AS ${c.name}`);
      return `${view} SELECT ${[...nulls, dt].join(', ')} WHERE false`;
    }
    const source = [
      `read_parquet(${filesUnder(`${this.lakeDir}/${tablePrefix(def)}`, 'dt=*/*.parquet')}`,
      `hive_partitioning = true, hive_types = {'${PARTITION_COLUMN.name}': VARCHAR}, union_by_name = true)`,
    ].join(', ');
    const described = await this.connection.runAndReadAll(`DESCRIBE SELECT * FROM ${source}`);
    const present = new Set(described.getRows().map((r) => r[0]));
    // A TIMESTAMPTZ (Parquet isAdjustedToUTC) cast to TIMESTAMP under TimeZone=UTC is the UTC wall time, like Athena's.
    const selected = cols.map((c) => `CAST(${present.has(c.name) ? c.name : 'NULL'} AS ${DUCKDB_TYPES[c.type]}) AS ${c.name}`);
    return `${view} SELECT ${[...selected, dt].join(', ')} FROM ${source}`;
  }
}

// Integers bind as INTEGER/BIGINT and fractions as DOUBLE, as Athena reads the same values as SQL literals.
function bindParam(prepared: DuckDBPreparedStatement, index: number, value: Param): void {
  if (typeof value === 'string') {
    prepared.bindVarchar(index, value);
  } else if (typeof value === 'boolean') {
    prepared.bindBoolean(index, value);
  } else if (!Number.isFinite(value)) {
    throw new QueryError(`parameter ${index} is not a finite number`, false);
  } else if (Number.isInteger(value) && value >= INT32_MIN && value <= INT32_MAX) {
    prepared.bindInteger(index, value);
  } else if (Number.isSafeInteger(value)) {
    prepared.bindBigInt(index, BigInt(value));
  } else {
    prepared.bindDouble(index, value);
  }
}

/** ISO-8601 UTC text with milliseconds, as both engines report a timestamp; out-of-range values keep DuckDB's text. */
function isoFromMillis(ms: bigint, fallback: string): string {
  const date = new Date(Number(ms));
  return Number.isNaN(date.getTime()) ? fallback : date.toISOString();
}

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n ? q - 1n : q;
}

function toJs(value: DuckDBValue): unknown {
  if (value === null || typeof value === 'string' || typeof value === 'boolean' || typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  if (value instanceof DuckDBTimestampValue || value instanceof DuckDBTimestampTZValue) {
    return isoFromMillis(floorDiv(value.micros, 1000n), value.toString());
  }
  if (value instanceof DuckDBTimestampMillisecondsValue) return isoFromMillis(value.millis, value.toString());
  if (value instanceof DuckDBTimestampSecondsValue) return isoFromMillis(value.seconds * 1000n, value.toString());
  if (value instanceof DuckDBTimestampNanosecondsValue) return isoFromMillis(floorDiv(value.nanos, 1_000_000n), value.toString());
  if (value instanceof DuckDBDateValue) {
    const date = new Date(value.days * 86_400_000);
    return Number.isNaN(date.getTime()) ? value.toString() : date.toISOString().slice(0, 10);
  }
  if (value instanceof DuckDBDecimalValue) return value.toDouble();
  if (value instanceof DuckDBListValue || value instanceof DuckDBArrayValue) return value.items.map(toJs);
  if (value instanceof DuckDBStructValue) {
    return Object.fromEntries(Object.entries(value.entries).map(([k, v]) => [k, toJs(v)]));
  }
  if (value instanceof DuckDBMapValue) {
    return Object.fromEntries(value.entries.map((e) => [String(toJs(e.key)), toJs(e.value)]));
  }
  return value.toString();
}

function toQueryError(what: string, error: unknown): QueryError {
  if (error instanceof QueryError) return error;
  const detail = error instanceof Error ? error.message : String(error);
  return new QueryError(`${what}: ${detail}`, false, { cause: error });
}
