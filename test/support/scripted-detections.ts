import { parseDetection, type ScheduledDetection } from '#core/detect/detection.ts';
import type { QueryEngine, QueryResult } from '#core/ports.ts';

/** The columns every scripted detection selects. */
const COLUMNS = ['first_seen', 'last_seen', 'user_email', 'ip'];

/**
 * A valid hourly detection `id` over participant_events whose SQL starts with `-- <id>`, so a {@link ScriptedEngine}
 * can answer it; `overrides` replace fields of its detection.yml.
 */
export function scriptedDetection(id: string, overrides: Record<string, unknown> = {}): ScheduledDetection {
  const sql = `-- ${id}\nSELECT ${COLUMNS.join(', ')} FROM participant_events\nWHERE dt >= date_format(from_iso8601_timestamp(?) - interval '1' day, '%Y-%m-%d')`;
  return parseDetection(
    id,
    {
      id,
      title: `Title of ${id}`,
      description: 'What it finds.',
      severity: 'high',
      schedule: 'rate(1 hour)',
      lookback: '1d',
      tables: ['participant_events'],
      mitre: ['T1078'],
      dedup: { key: ['user_email'], window: '1d' },
      entities: ['user_email'],
      runbook: 'Ask the user.',
      falsePositives: ['None known.'],
      paths: ['scheduled'],
      ...overrides,
    },
    sql,
  ) as ScheduledDetection;
}

/** Answers each scripted detection's SQL (found by its leading `-- <id>` comment) with fixed rows, or fails it; records the calls. */
export class ScriptedEngine implements QueryEngine {
  readonly calls: { id: string; params: readonly unknown[] }[] = [];
  constructor(private readonly answers: Record<string, readonly Record<string, unknown>[] | Error>) {}
  async query(sql: string, params: readonly (string | number | boolean)[] = []): Promise<QueryResult> {
    const id = /^-- (\S+)/.exec(sql)?.[1] ?? '';
    this.calls.push({ id, params });
    const answer = this.answers[id] ?? [];
    if (answer instanceof Error) throw answer;
    return { columns: COLUMNS, rows: answer };
  }
}
