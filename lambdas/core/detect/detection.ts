// Full zod, not zod/mini: its messages name what is wrong with a field, which synth and the CLI print.
import * as z from 'zod';
import { ENTITY_KINDS, SEVERITIES } from '../alerts/alert.ts';
import { TABLES } from '../schema/tables.ts';

/** A duration such as `30m`, `6h` or `30d`. */
const DURATION = /^([1-9]\d*)([mhd])$/;
const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** Milliseconds in a duration such as `30m`, `6h` or `30d`. */
export function durationMs(duration: string): number {
  const match = DURATION.exec(duration);
  if (!match) throw new RangeError(`not a duration (use e.g. 30m, 6h, 30d): ${duration}`);
  return Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
}

const duration = z.string().regex(DURATION, 'must be a duration such as 30m, 6h or 30d');
const nonEmpty = z.string().min(1);
const column = z.string().regex(/^[a-z_][a-z0-9_]*$/, 'must be a lower-case column name');
const tableNames = TABLES.map((t) => t.name);

/** The columns every detection's result has, besides its entity and dedup columns. */
export const RESULT_TIME_COLUMNS = ['first_seen', 'last_seen'] as const;

/**
 * The metadata of one detection (`queries/detections/<id>/detection.yml`). One schema, used by `cdk synth`, the
 * runner, the CLI and the tests. The SQL is `query.sql` beside it: Athena (Trino) dialect; every `?` in it is the
 * run's end time as ISO-8601 UTC text; it returns one row per finding with `first_seen`, `last_seen`, the entity
 * columns named in `entities`, and any other columns as evidence.
 */
export const detectionMetaSchema = z.strictObject({
  /** Stable id, the folder name: `zoom.<area>.<name>`. */
  id: z.string().regex(/^zoom\.[a-z_]+\.[a-z0-9_]+$/, 'must look like zoom.<area>.<name>'),
  title: nonEmpty,
  description: nonEmpty,
  severity: z.enum(SEVERITIES),
  /** EventBridge Scheduler expression. */
  schedule: z.string().regex(/^(rate\([1-9]\d* (minute|minutes|hour|hours|day|days)\)|cron\([^)]+\))$/, 'must be rate(...) or cron(...)'),
  /** How far back the query looks; its `dt` filter must match. */
  lookback: duration,
  /** The views the query reads. */
  tables: z.array(z.enum(tableNames as [string, ...string[]])).min(1),
  /** MITRE ATT&CK technique ids. */
  mitre: z.array(z.string().regex(/^T\d{4}(\.\d{3})?$/, 'must be a technique id such as T1078 or T1078.004')).min(1),
  dedup: z.strictObject({
    /** Result columns that identify one finding; a repeat within `window` is the same alert. */
    key: z.array(column).min(1),
    window: duration,
  }),
  /** Result columns that are alert entities, by entity name. */
  entities: z.array(z.enum(ENTITY_KINDS)).min(1),
  runbook: nonEmpty,
  falsePositives: z.array(nonEmpty).min(1),
});
export type DetectionMeta = z.infer<typeof detectionMetaSchema>;

/** A detection: metadata plus its SQL. */
export interface Detection extends DetectionMeta {
  readonly sql: string;
}

/** Why a detection definition is invalid, naming the detection and the field. */
export class DetectionDefinitionError extends Error {
  override readonly name = 'DetectionDefinitionError';
}

/**
 * Validates one detection's parsed metadata and SQL. `folder` is the folder name the id must equal.
 * Throws DetectionDefinitionError naming every problem.
 */
export function parseDetection(folder: string, meta: unknown, sql: string): Detection {
  const parsed = detectionMetaSchema.safeParse(meta);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new DetectionDefinitionError(`detection ${folder}: invalid detection.yml: ${problems.join('; ')}`);
  }
  const d = parsed.data;
  const problems: string[] = [];
  if (d.id !== folder) problems.push(`id "${d.id}" must equal its folder name`);
  if (placeholderCount(sql) === 0) problems.push('query.sql has no ? placeholder: it must bound dt by the run time and its lookback');
  if (!/\bdt\s*(>=|>|=|between)/i.test(sql)) problems.push('query.sql must bound dt (e.g. dt >= date_format(...)) so Athena prunes partitions');
  for (const table of d.tables) if (!new RegExp(`\\b${table}\\b`).test(sql)) problems.push(`table ${table} is listed but query.sql does not read it`);
  durationMs(d.dedup.window);
  if (problems.length > 0) throw new DetectionDefinitionError(`detection ${folder}: ${problems.join('; ')}`);
  return { ...d, sql };
}

/**
 * How many `?` placeholders the SQL has, outside string literals, quoted identifiers and comments.
 */
export function placeholderCount(sql: string): number {
  let count = 0;
  for (let i = 0; i < sql.length; i++) {
    const c = sql[i];
    if (c === "'" || c === '"') {
      i++;
      while (i < sql.length && !(sql[i] === c && sql[i + 1] !== c)) i += sql[i] === c ? 2 : 1;
    } else if (c === '-' && sql[i + 1] === '-') {
      while (i < sql.length && sql[i] !== '\n') i++;
    } else if (c === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2);
      i = end === -1 ? sql.length : end + 1;
    } else if (c === '?') count++;
  }
  return count;
}

/** The query parameters of a run ending at `nowMs`: every placeholder is the end time as ISO-8601 UTC. */
export function detectionParams(detection: Pick<Detection, 'sql'>, nowMs: number): string[] {
  return Array.from({ length: placeholderCount(detection.sql) }, () => new Date(nowMs).toISOString());
}
