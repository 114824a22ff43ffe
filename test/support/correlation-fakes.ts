import type { QueryEngine, QueryResult, ZoomApi, ZoomPage, ZoomPageRequest } from '#core/ports.ts';

/** One scripted answer of a listing: its pages of items, or an error thrown instead. */
export type ScriptedAnswer = Error | readonly (readonly unknown[])[];

/**
 * A Zoom API whose participant listings answer from a script: `/report/...` and `/metrics/...` each take their
 * answers in order, the last one repeating. Records every request.
 */
export class ScriptedZoomApi implements ZoomApi {
  readonly requests: ZoomPageRequest[] = [];
  private readonly used = { report: 0, metrics: 0 };

  constructor(private readonly script: { readonly report?: readonly ScriptedAnswer[]; readonly metrics?: readonly ScriptedAnswer[] }) {}

  calls(kind: 'report' | 'metrics'): number {
    return this.requests.filter((r) => r.path.startsWith(`/${kind}/`)).length;
  }

  async *paginate<T>(request: ZoomPageRequest): AsyncIterable<ZoomPage<T>> {
    this.requests.push(request);
    const kind = request.path.startsWith('/report/') ? 'report' : 'metrics';
    const answers = this.script[kind] ?? [[[]]];
    const answer = answers[Math.min(this.used[kind]++, answers.length - 1)]!;
    if (answer instanceof Error) throw answer;
    let page = 0;
    for (const items of answer) yield { items: items as T[], page: ++page, restarts: 0 };
  }

  async get<T>(): Promise<T> {
    throw new Error('not used');
  }
}

/** A query engine answering every statement with no rows, recording the SQL and parameters. */
export class EmptyQueryEngine implements QueryEngine {
  readonly queries: { sql: string; params: readonly (string | number | boolean)[] }[] = [];

  async query(sql: string, params: readonly (string | number | boolean)[] = []): Promise<QueryResult> {
    this.queries.push({ sql, params });
    return { columns: [], rows: [] };
  }
}

/** A report participant item as Zoom returns it. */
export function reportItem(name: string, email: string, join: string, leave: string, userId = ''): Record<string, unknown> {
  return {
    id: userId,
    user_id: `pid-${name}`,
    participant_user_id: userId,
    name,
    user_email: email,
    join_time: join,
    leave_time: leave,
    duration: Math.round((Date.parse(leave) - Date.parse(join)) / 1000),
    status: 'in_meeting',
  };
}
