import { AwsJsonFake, awsJsonError, type JsonReply } from './aws-json-server.ts';

/** How the fake answers one scripted query string. */
export interface FakeAthenaScript {
  /** Final state, reported after `runningPolls` RUNNING answers. */
  readonly state: 'SUCCEEDED' | 'FAILED' | 'CANCELLED';
  /** RUNNING answers before the final state; `Infinity` never finishes. @default 1 */
  readonly runningPolls?: number;
  /** StatementType in GetQueryExecution. @default 'DML' */
  readonly statementType?: 'DML' | 'DDL' | 'UTILITY';
  /** StateChangeReason of a FAILED or CANCELLED query. */
  readonly reason?: string;
  /** AthenaError.Retryable of a FAILED query. @default false */
  readonly retryable?: boolean;
  /** Result columns with Athena's type names (varchar, bigint, timestamp, ...). */
  readonly columns?: readonly { readonly name: string; readonly type: string }[];
  /** Data rows as Athena's text; null is sent as a datum without VarCharValue. */
  readonly rows?: readonly (readonly (string | null)[])[];
  /** Rows per GetQueryResults page, the header row of a DML result included. @default 1000 */
  readonly pageSize?: number;
}

/** One call the fake received. */
export interface FakeAthenaRequest {
  readonly target: string;
  readonly body: Record<string, unknown>;
}

interface Execution {
  readonly id: string;
  readonly query: string;
  readonly start: Record<string, unknown>;
  readonly script: FakeAthenaScript;
  polls: number;
  stopped: boolean;
}

const PREFIX = 'AmazonAthena.';

/**
 * A loopback Athena speaking the JSON 1.1 protocol (StartQueryExecution, GetQueryExecution, GetQueryResults,
 * StopQueryExecution). Queries are scripted by their exact text; every request is recorded.
 */
export class FakeAthena extends AwsJsonFake {
  /** Every call in arrival order. */
  readonly requests: FakeAthenaRequest[] = [];
  private readonly scripts = new Map<string, FakeAthenaScript>();
  private readonly executions = new Map<string, Execution>();
  private readonly failures: { target: string; reply: JsonReply }[] = [];
  private nextId = 1;

  constructor() {
    super();
  }

  /** Sets how the fake answers the query with exactly this text. */
  script(query: string, script: FakeAthenaScript): void {
    this.scripts.set(query, script);
  }

  /** Makes the next call to `operation` (e.g. `StartQueryExecution`) fail with an AWS error. */
  failNext(operation: string, status: number, type: string, message: string): void {
    this.failures.push({ target: PREFIX + operation, reply: awsJsonError(status, type, message) });
  }

  /** Recorded calls of one operation, e.g. `GetQueryResults`. */
  calls(operation: string): FakeAthenaRequest[] {
    return this.requests.filter((r) => r.target === PREFIX + operation);
  }

  protected handle(target: string, raw: unknown): JsonReply {
    const body = typeof raw === 'object' && raw !== null ? { ...raw } : {};
    this.requests.push({ target, body });
    const failure = this.failures.findIndex((f) => f.target === target);
    if (failure >= 0) return this.failures.splice(failure, 1)[0]!.reply;
    switch (target) {
      case `${PREFIX}StartQueryExecution`:
        return this.startQuery(body);
      case `${PREFIX}GetQueryExecution`:
        return this.getExecution(body);
      case `${PREFIX}GetQueryResults`:
        return this.getResults(body);
      case `${PREFIX}StopQueryExecution`:
        return this.stopQuery(body);
      default:
        return awsJsonError(400, 'UnknownOperationException', `the fake does not implement ${target}`);
    }
  }

  private startQuery(body: Record<string, unknown>): JsonReply {
    const query = typeof body.QueryString === 'string' ? body.QueryString : '';
    const script = this.scripts.get(query);
    if (!script) return awsJsonError(400, 'InvalidRequestException', `the fake has no script for query: ${query}`);
    const id = `q-${String(this.nextId++).padStart(4, '0')}`;
    this.executions.set(id, { id, query, start: body, script, polls: 0, stopped: false });
    return { status: 200, body: { QueryExecutionId: id } };
  }

  private execution(body: Record<string, unknown>): Execution | undefined {
    return typeof body.QueryExecutionId === 'string' ? this.executions.get(body.QueryExecutionId) : undefined;
  }

  private state(e: Execution): string {
    if (e.stopped) return 'CANCELLED';
    return e.polls <= (e.script.runningPolls ?? 1) ? 'RUNNING' : e.script.state;
  }

  private getExecution(body: Record<string, unknown>): JsonReply {
    const e = this.execution(body);
    if (!e) return awsJsonError(400, 'InvalidRequestException', 'QueryExecution not found');
    e.polls += 1;
    const state = this.state(e);
    const failed = state === 'FAILED';
    return {
      status: 200,
      body: {
        QueryExecution: {
          QueryExecutionId: e.id,
          Query: e.query,
          StatementType: e.script.statementType ?? 'DML',
          WorkGroup: e.start.WorkGroup,
          QueryExecutionContext: e.start.QueryExecutionContext,
          Status: {
            State: state,
            SubmissionDateTime: 1709546400,
            ...(state === e.script.state && e.script.reason ? { StateChangeReason: e.script.reason } : {}),
            ...(failed
              ? { AthenaError: { ErrorCategory: 2, ErrorType: 1301, Retryable: e.script.retryable ?? false, ErrorMessage: e.script.reason } }
              : {}),
          },
        },
      },
    };
  }

  private getResults(body: Record<string, unknown>): JsonReply {
    const e = this.execution(body);
    if (!e) return awsJsonError(400, 'InvalidRequestException', 'QueryExecution not found');
    if (this.state(e) !== 'SUCCEEDED')
      return awsJsonError(400, 'InvalidRequestException', `Query has not yet finished. Current state: ${this.state(e)}`);
    const columns = e.script.columns ?? [];
    const header = (e.script.statementType ?? 'DML') === 'DML' ? [columns.map((c) => c.name)] : [];
    const all = [...header, ...(e.script.rows ?? [])];
    const asked = typeof body.MaxResults === 'number' ? body.MaxResults : 1000;
    const size = Math.min(asked, e.script.pageSize ?? 1000);
    const offset = typeof body.NextToken === 'string' ? Number(body.NextToken.split(':')[1]) : 0;
    const page = all.slice(offset, offset + size);
    const next = offset + size < all.length ? `${e.id}:${offset + size}` : undefined;
    return {
      status: 200,
      body: {
        UpdateCount: 0,
        ResultSet: {
          Rows: page.map((r) => ({ Data: r.map((v) => (v === null ? {} : { VarCharValue: v })) })),
          ResultSetMetadata: {
            ColumnInfo: columns.map((c) => ({
              CatalogName: 'hive',
              SchemaName: '',
              TableName: '',
              Name: c.name,
              Label: c.name,
              Type: c.type,
              Precision: 0,
              Scale: 0,
              Nullable: 'UNKNOWN',
              CaseSensitive: c.type === 'varchar',
            })),
          },
        },
        ...(next ? { NextToken: next } : {}),
      },
    };
  }

  private stopQuery(body: Record<string, unknown>): JsonReply {
    const e = this.execution(body);
    if (!e) return awsJsonError(400, 'InvalidRequestException', 'QueryExecution not found');
    e.stopped = true;
    return { status: 200, body: {} };
  }
}
