import {
  AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
  type ColumnInfo,
  type QueryExecution,
  type Row as AthenaRow,
} from '@aws-sdk/client-athena';
import { QueryError } from '#core/errors.ts';
import type { Clock, QueryEngine, QueryResult } from '#core/ports.ts';
import { isRetryableAwsError } from './aws-errors.ts';

/** How the Athena engine reaches Athena and how long it waits. */
export interface AthenaQueryEngineOptions {
  /** Workgroup the queries run in (engine v3, enforced result location and encryption). */
  readonly workGroup: string;
  /** Glue database holding the lake's tables and views. */
  readonly database: string;
  /**
   * Athena client.
   * @default new AthenaClient({})
   */
  readonly client?: AthenaClient;
  /**
   * Waits between status polls.
   * @default a setTimeout-based sleep
   */
  readonly sleep?: (ms: number) => Promise<void>;
  /**
   * First wait between status polls; each later wait doubles, up to 5 s.
   * @default 250
   */
  readonly pollIntervalMs?: number;
  /**
   * How long a query may queue and run before it is stopped and reported as failed.
   * @default 300_000 (5 minutes)
   */
  readonly timeoutMs?: number;
  /**
   * Clock that measures the timeout.
   * @default the system clock
   */
  readonly clock?: Clock;
  /**
   * Most result rows read before the query is reported as too large (add a LIMIT).
   * @default 1_000_000
   */
  readonly maxRows?: number;
}

/** A query parameter as the QueryEngine port takes it. */
type Param = string | number | boolean;

const MAX_POLL_INTERVAL_MS = 5_000;
/** GetQueryResults' page size limit. */
const PAGE_SIZE = 1_000;
const CATALOG = 'AwsDataCatalog';

const systemClock: Clock = { now: () => Date.now() };
const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs Athena-dialect SQL on Amazon Athena: starts the query in the workgroup, polls it with bounded backoff until it
 * ends (stopping it on timeout), then reads every result page into the same plain values the DuckDB engine returns.
 */
export class AthenaQueryEngine implements QueryEngine {
  private readonly client: AthenaClient;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly pollIntervalMs: number;
  private readonly timeoutMs: number;
  private readonly clock: Clock;
  private readonly maxRows: number;

  constructor(private readonly options: AthenaQueryEngineOptions) {
    this.client = options.client ?? new AthenaClient({});
    this.sleep = options.sleep ?? defaultSleep;
    this.pollIntervalMs = Math.max(1, options.pollIntervalMs ?? 250);
    this.timeoutMs = options.timeoutMs ?? 300_000;
    this.clock = options.clock ?? systemClock;
    this.maxRows = options.maxRows ?? 1_000_000;
  }

  /** Runs one statement; `params` become Athena ExecutionParameters (SQL literals for the `?` placeholders). */
  async query(sql: string, params: readonly Param[] = []): Promise<QueryResult> {
    const literals = params.map((p, i) => athenaLiteral(p, i + 1));
    const id = await this.start(sql, literals);
    const execution = await this.waitUntilDone(id);
    return this.readResults(id, execution);
  }

  private async start(sql: string, literals: string[]): Promise<string> {
    let id: string | undefined;
    try {
      const out = await this.client.send(
        new StartQueryExecutionCommand({
          QueryString: sql,
          QueryExecutionContext: { Database: this.options.database, Catalog: CATALOG },
          WorkGroup: this.options.workGroup,
          // Athena rejects an empty list, so a query without placeholders sends none.
          ...(literals.length > 0 ? { ExecutionParameters: literals } : {}),
        }),
      );
      id = out.QueryExecutionId;
    } catch (error) {
      throw sdkError('could not start the Athena query', error);
    }
    if (!id) throw new QueryError('Athena started the query but returned no QueryExecutionId', true);
    return id;
  }

  private async waitUntilDone(id: string): Promise<QueryExecution> {
    const deadline = this.clock.now() + this.timeoutMs;
    // Enough polls to reach the deadline even if every wait were the first, shortest one.
    const maxPolls = Math.ceil(this.timeoutMs / this.pollIntervalMs) + 1;
    let wait = this.pollIntervalMs;
    let lastState = 'UNKNOWN';
    for (let poll = 0; poll < maxPolls; poll++) {
      let execution: QueryExecution | undefined;
      try {
        execution = (await this.client.send(new GetQueryExecutionCommand({ QueryExecutionId: id }))).QueryExecution;
      } catch (error) {
        throw sdkError(`could not read the state of Athena query ${id}`, error);
      }
      const status = execution?.Status;
      lastState = status?.State ?? 'UNKNOWN';
      if (execution && lastState === 'SUCCEEDED') return execution;
      if (lastState === 'FAILED') {
        const reason = status?.StateChangeReason ?? status?.AthenaError?.ErrorMessage ?? 'no reason given';
        // Athena marks failures a retry can cure (e.g. S3 throttling) as retryable; a bad query is not.
        throw new QueryError(`Athena query ${id} failed: ${reason}`, status?.AthenaError?.Retryable === true);
      }
      if (lastState === 'CANCELLED') {
        throw new QueryError(`Athena query ${id} was cancelled${status?.StateChangeReason ? `: ${status.StateChangeReason}` : ''}`, false);
      }
      const remaining = deadline - this.clock.now();
      if (remaining <= 0) break;
      await this.sleep(Math.min(wait, remaining));
      wait = Math.min(wait * 2, Math.max(MAX_POLL_INTERVAL_MS, this.pollIntervalMs));
    }
    await this.stop(id);
    // Still queued means Athena was busy, which can pass; still running means the query itself is too slow.
    throw new QueryError(
      `Athena query ${id} did not finish within ${this.timeoutMs} ms (last state ${lastState}); it was stopped`,
      lastState === 'QUEUED',
    );
  }

  private async stop(id: string): Promise<void> {
    try {
      await this.client.send(new StopQueryExecutionCommand({ QueryExecutionId: id }));
    } catch {
      // Best effort: the timeout is what the caller must hear about; Athena ends the query at the workgroup limit anyway.
    }
  }

  private async readResults(id: string, execution: QueryExecution): Promise<QueryResult> {
    let columns: ColumnInfo[] | undefined;
    const rows: Record<string, unknown>[] = [];
    let token: string | undefined;
    const maxPages = Math.ceil(this.maxRows / PAGE_SIZE) + 1;
    for (let page = 0; page < maxPages; page++) {
      let out;
      try {
        out = await this.client.send(new GetQueryResultsCommand({ QueryExecutionId: id, NextToken: token, MaxResults: PAGE_SIZE }));
      } catch (error) {
        throw sdkError(`could not read the results of Athena query ${id}`, error);
      }
      let pageRows = out.ResultSet?.Rows ?? [];
      if (columns === undefined) {
        columns = out.ResultSet?.ResultSetMetadata?.ColumnInfo ?? [];
        if (execution.StatementType === 'DML' && isHeader(pageRows[0], columns)) pageRows = pageRows.slice(1);
      }
      for (const row of pageRows) {
        if (rows.length >= this.maxRows) {
          throw new QueryError(`Athena query ${id} returned more than ${this.maxRows} rows; add a LIMIT`, false);
        }
        rows.push(toRecord(row, columns));
      }
      token = out.NextToken;
      if (!token) return { columns: columns.map(columnName), rows };
    }
    throw new QueryError(`Athena query ${id} returned more than ${this.maxRows} rows; add a LIMIT`, false);
  }
}

/**
 * A parameter as the SQL literal Athena substitutes for its `?`: strings quoted with single quotes doubled, numbers
 * and booleans as their literal text.
 */
export function athenaLiteral(value: Param, position: number): string {
  if (typeof value === 'string') return `'${value.replaceAll("'", "''")}'`;
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (!Number.isFinite(value)) throw new QueryError(`parameter ${position} is not a finite number`, false);
  return String(value);
}

function columnName(c: ColumnInfo): string {
  return c.Name ?? c.Label ?? '';
}

// For SELECT, the first row of the first page repeats the column labels.
function isHeader(row: AthenaRow | undefined, columns: ColumnInfo[]): boolean {
  const data = row?.Data ?? [];
  return data.length === columns.length && columns.every((c, i) => data[i]?.VarCharValue === c.Label || data[i]?.VarCharValue === c.Name);
}

function toRecord(row: AthenaRow, columns: ColumnInfo[]): Record<string, unknown> {
  const record: Record<string, unknown> = {};
  columns.forEach((c, i) => {
    record[columnName(c)] = fromAthena(row.Data?.[i]?.VarCharValue, c.Type ?? 'varchar');
  });
  return record;
}

/** Converts Athena's text for one value by its column type, to the same JS value the DuckDB engine returns. */
export function fromAthena(text: string | undefined, type: string): unknown {
  // Athena sends NULL as a datum without VarCharValue; '' is an empty string.
  if (text === undefined) return null;
  const base = type.toLowerCase().replace(/\(.*$/, '').trim();
  switch (base) {
    case 'tinyint':
    case 'smallint':
    case 'integer':
    case 'int':
    case 'bigint': {
      const n = Number(text);
      return Number.isSafeInteger(n) ? n : text;
    }
    case 'double':
    case 'float':
    case 'real':
    case 'decimal':
      return Number(text);
    case 'boolean':
      return text === 'true';
    case 'timestamp':
      return isoTimestamp(text, 'Z') ?? text;
    case 'timestamp with time zone':
      return zonedTimestamp(text) ?? text;
    default:
      return text;
  }
}

const TIMESTAMP_TEXT = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})(?:\.(\d+))?$/;

/** `2024-01-01 10:00:00.123` (Athena's timestamp text) as `2024-01-01T10:00:00.123Z`, in the given offset. */
function isoTimestamp(text: string, offset: string): string | undefined {
  const m = TIMESTAMP_TEXT.exec(text);
  if (!m) return undefined;
  const millis = (m[3] ?? '').padEnd(3, '0').slice(0, 3);
  const date = new Date(`${m[1]}T${m[2]}.${millis}${offset}`);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

/** `2024-01-01 10:00:00.123 UTC` or `... +02:00`; a named zone other than UTC stays as Athena's text. */
function zonedTimestamp(text: string): string | undefined {
  const space = text.lastIndexOf(' ');
  if (space < 0) return undefined;
  const zone = text.slice(space + 1);
  const offset = zone === 'UTC' || zone === 'Z' ? 'Z' : /^[+-]\d{2}:\d{2}$/.test(zone) ? zone : undefined;
  return offset === undefined ? undefined : isoTimestamp(text.slice(0, space), offset);
}

function sdkError(what: string, err: unknown): QueryError {
  const detail = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return new QueryError(`${what}: ${detail}`, isRetryableAwsError(err), { cause: err });
}
