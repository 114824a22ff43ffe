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

/** The paths that can raise a detection's alerts. */
export const DETECTION_PATHS = ['scheduled', 'realtime', 'correlation'] as const;
export type DetectionPath = (typeof DETECTION_PATHS)[number];

/** A parameter name: lower-case, so SQL can name it in a string literal and config in a key. */
const PARAMETER_NAME = /^[a-z][a-z0-9_]*$/;

/** One named parameter of a detection: a whole number with a default that config may override within bounds. */
const parameterSchema = z.strictObject({
  /** What the parameter means, with its unit. */
  description: nonEmpty,
  default: z.number().int(),
  /** Smallest value config may set. */
  min: z.number().int().optional(),
  /** Largest value config may set. */
  max: z.number().int().optional(),
});
export type DetectionParameter = z.infer<typeof parameterSchema>;

/**
 * The metadata of one detection (`queries/detections/<id>/detection.yml`): the one definition every path that
 * raises the detection reads (scheduled SQL, realtime checks, correlation steps). One schema, used by `cdk synth`, the
 * Lambda functions (through the bundle), the CLI and the tests. A scheduled detection also has `schedule`,
 * `lookback`, `tables` and `query.sql` beside it: Athena (Trino) dialect; every `?` in it is the run's end time as
 * ISO-8601 UTC text; it returns one row per finding with `first_seen`, `last_seen`, the entity columns named in
 * `entities`, and any other columns as evidence.
 */
export const detectionMetaSchema = z.strictObject({
  /** Stable id, the folder name: `zoom.<area>.<name>`. */
  id: z.string().regex(/^zoom\.[a-z_]+\.[a-z0-9_]+$/, 'must look like zoom.<area>.<name>'),
  title: nonEmpty,
  description: nonEmpty,
  severity: z.enum(SEVERITIES),
  /** Every path that raises this detection's alerts; they must agree (test/detections/agreement.test.ts). */
  paths: z
    .array(z.enum(DETECTION_PATHS))
    .min(1)
    .refine((p) => new Set(p).size === p.length, 'must not repeat a path'),
  /** EventBridge Scheduler expression (scheduled path only). */
  schedule: z
    .string()
    .regex(/^(rate\([1-9]\d* (minute|minutes|hour|hours|day|days)\)|cron\([^)]+\))$/, 'must be rate(...) or cron(...)')
    .optional(),
  /** The window the query judges: how far back it reads, bar the tables in `history` (scheduled path only). */
  lookback: duration.optional(),
  /**
   * Lookups that need more than the window (a directory, a meeting's settings, a baseline): table -> how far back the
   * query may read it (scheduled path only). Every other table is read within `lookback`; test/integration/
   * partition-reads.test.ts holds each scan to the days these allow.
   */
  history: z.partialRecord(z.enum(tableNames as [string, ...string[]]), duration).optional(),
  /** The views the query reads (scheduled path only). */
  tables: z
    .array(z.enum(tableNames as [string, ...string[]]))
    .min(1)
    .optional(),
  /** MITRE ATT&CK technique ids. */
  mitre: z.array(z.string().regex(/^T\d{4}(\.\d{3})?$/, 'must be a technique id such as T1078 or T1078.004')).min(1),
  dedup: z.strictObject({
    /** Result columns that identify one finding; a repeat within `window` is the same alert. */
    key: z.array(column).min(1),
    window: duration,
  }),
  /** Result columns that are alert entities, by entity name. */
  entities: z.array(z.enum(ENTITY_KINDS)).min(1),
  /** Thresholds, windows and scope, by name; every path reads them from here (SQL through the detection_parameters view). */
  parameters: z.record(z.string().regex(PARAMETER_NAME, 'must be a lower-case name'), parameterSchema).default({}),
  runbook: nonEmpty,
  falsePositives: z.array(nonEmpty).min(1),
});
export type DetectionMeta = z.infer<typeof detectionMetaSchema>;

/** A detection: its metadata, its SQL when it runs on a schedule, and the values its parameters take. */
export interface Detection extends DetectionMeta {
  /** query.sql; present exactly when `paths` holds `scheduled`. */
  readonly sql?: string;
  /**
   * days.sql, when the query's history lookups read only the days of what its window found (the meetings a recording
   * download concerns): run first, its `from_dt` and `to_dt` bind the query's `:days_from` and `:days_to`
   * (`detectionQuery` in run.ts). Scheduled detections only.
   */
  readonly daysSql?: string;
  /** Each parameter's value: its default, or what config set (applyParameterOverrides). */
  readonly values: Readonly<Record<string, number>>;
}

/** A detection that runs on a schedule: it has its SQL, schedule, lookback and tables. */
export interface ScheduledDetection extends Detection {
  readonly sql: string;
  readonly schedule: string;
  readonly lookback: string;
  readonly tables: NonNullable<DetectionMeta['tables']>;
}

/**
 * How far back a scheduled detection's query may read `table`: its `history` entry, else its lookback. The partitions
 * a run ending at `now` may read are the UTC days from `dtOf(now - readReachMs(d, table))` through `dtOf(now)`.
 */
export function readReachMs(d: Pick<ScheduledDetection, 'lookback' | 'history'>, table: string): number {
  return durationMs(d.history?.[table] ?? d.lookback);
}

/** Whether a detection runs on a schedule (and so has its SQL, schedule, lookback and tables). */
export function isScheduled(d: Detection): d is ScheduledDetection {
  return d.paths.includes('scheduled');
}

/** The detections that run on a schedule. */
export function scheduledDetections(detections: readonly Detection[]): ScheduledDetection[] {
  return detections.filter(isScheduled);
}

/** Why a detection definition is invalid, naming the detection and the field. */
export class DetectionDefinitionError extends Error {
  override readonly name = 'DetectionDefinitionError';
}

const SCHEDULED_ONLY = ['schedule', 'lookback', 'tables'] as const;
const SCHEDULED_OPTIONAL = ['history'] as const;

/**
 * Validates one detection's parsed metadata and SQL (undefined when it has no query.sql). `folder` is the folder
 * name the id must equal. Throws DetectionDefinitionError naming every problem.
 */
export function parseDetection(folder: string, meta: unknown, sql: string | undefined, daysSql?: string): Detection {
  const parsed = detectionMetaSchema.safeParse(meta);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new DetectionDefinitionError(`detection ${folder}: invalid detection.yml: ${problems.join('; ')}`);
  }
  const d = parsed.data;
  const problems: string[] = [];
  if (d.id !== folder) problems.push(`id "${d.id}" must equal its folder name`);
  const scheduled = d.paths.includes('scheduled');
  if (scheduled) {
    for (const field of SCHEDULED_ONLY) if (d[field] === undefined) problems.push(`${field}: required for the scheduled path`);
    if (sql === undefined) problems.push('query.sql: required for the scheduled path');
  } else {
    for (const field of [...SCHEDULED_ONLY, ...SCHEDULED_OPTIONAL])
      if (d[field] !== undefined) problems.push(`${field}: only for the scheduled path (paths lacks scheduled)`);
    if (sql !== undefined) problems.push('query.sql: only for the scheduled path (paths lacks scheduled)');
    if (daysSql !== undefined) problems.push('days.sql: only for the scheduled path (paths lacks scheduled)');
  }
  for (const [table, reach] of Object.entries(d.history ?? {})) {
    if (!(d.tables ?? []).includes(table)) problems.push(`history.${table}: not one of the tables the query reads`);
    if (reach !== undefined && d.lookback !== undefined && durationMs(reach) <= durationMs(d.lookback))
      problems.push(`history.${table}: ${reach} is not longer than the lookback ${d.lookback} (drop it)`);
  }
  for (const [name, p] of Object.entries(d.parameters)) {
    if (p.min !== undefined && p.default < p.min) problems.push(`parameters.${name}: default ${p.default} is below min ${p.min}`);
    if (p.max !== undefined && p.default > p.max) problems.push(`parameters.${name}: default ${p.default} is above max ${p.max}`);
  }
  if (sql !== undefined && scheduled) {
    if (placeholderCount(sql) === 0) problems.push('query.sql has no ? placeholder: it must bound dt by the run time and its lookback');
    if (!/\bdt\s*(>=|>|=|between)/i.test(sql)) problems.push('query.sql must bound dt (e.g. dt >= date_format(...)) so Athena prunes partitions');
    for (const table of d.tables ?? [])
      if (!new RegExp(`\\b${table}\\b`).test(sql)) problems.push(`table ${table} is listed but query.sql does not read it`);
    problems.push(...sqlParameterProblems(d, sql));
    problems.push(...daysProblems(sql, daysSql));
  }
  durationMs(d.dedup.window);
  if (problems.length > 0) throw new DetectionDefinitionError(`detection ${folder}: ${problems.join('; ')}`);
  const values = Object.fromEntries(Object.entries(d.parameters).map(([name, p]) => [name, p.default]));
  return { ...d, ...(sql !== undefined ? { sql } : {}), ...(daysSql !== undefined ? { daysSql } : {}), values };
}

/** The named parameters query.sql may use, bound from days.sql's result. */
export const DAYS_PARAMETERS = ['days_from', 'days_to'] as const;

/** The `:name` parameters of SQL (outside strings, quoted identifiers and comments; `::` casts are not), each once, sorted. */
export function namedParameters(sql: string): string[] {
  const names = new Set<string>();
  scanSql(sql, (c, i) => {
    if (c !== ':' || sql[i - 1] === ':' || sql[i + 1] === ':') return;
    const m = /^[a-z][a-z0-9_]*/.exec(sql.slice(i + 1));
    if (m) names.add(m[0]);
  });
  return [...names].sort();
}

function daysProblems(sql: string, daysSql: string | undefined): string[] {
  const named = namedParameters(sql);
  const problems: string[] = [];
  for (const name of named)
    if (!(DAYS_PARAMETERS as readonly string[]).includes(name))
      problems.push(`query.sql names :${name}; the only named parameters are :days_from and :days_to`);
  if (daysSql === undefined) {
    if (named.length > 0) problems.push('query.sql names :days_from/:days_to but the detection has no days.sql to bind them');
    return problems;
  }
  if (named.length !== DAYS_PARAMETERS.length)
    problems.push('days.sql is there but query.sql does not bound its history by both :days_from and :days_to');
  if (placeholderCount(daysSql) === 0) problems.push('days.sql has no ? placeholder: it must bound dt by the run time');
  if (namedParameters(daysSql).length > 0) problems.push('days.sql must use only ? (the run end time)');
  if (!/\bfrom_dt\b/.test(daysSql) || !/\bto_dt\b/.test(daysSql)) problems.push('days.sql must return from_dt and to_dt');
  return problems;
}

/**
 * The parameters a query reads from the detection_parameters view, by the literal `name = '<parameter>'`; every
 * declared parameter must be read, and only declared ones.
 */
export function sqlParameterNames(sql: string): string[] {
  return [...new Set([...sql.matchAll(/\bname\s*=\s*'([a-z][a-z0-9_]*)'/g)].map((m) => m[1]!))].sort();
}

function sqlParameterProblems(d: DetectionMeta, sql: string): string[] {
  const declared = Object.keys(d.parameters);
  const read = /\bdetection_parameters\b/.test(sql) ? sqlParameterNames(sql) : [];
  const problems: string[] = [];
  if (read.length > 0 && !sql.includes(`'${d.id}'`)) problems.push(`query.sql reads detection_parameters but never names its own id '${d.id}'`);
  for (const name of declared)
    if (!read.includes(name)) problems.push(`parameters.${name} is declared but query.sql does not read it from detection_parameters`);
  for (const name of read) if (!declared.includes(name)) problems.push(`query.sql reads parameter ${name}, which detection.yml does not declare`);
  return problems;
}

/** The value of a detection's parameter; throws DetectionDefinitionError for a parameter the detection lacks. */
export function parameter(d: Pick<Detection, 'id' | 'values'>, name: string): number {
  const value = d.values[name];
  if (value === undefined) throw new DetectionDefinitionError(`detection ${d.id} has no parameter ${name}`);
  return value;
}

/** Config overrides of detection parameters: detection id -> parameter name -> value (config key `detections`). */
export type ParameterOverrides = Readonly<Record<string, { readonly parameters?: Readonly<Record<string, number>> }>>;

/**
 * The detections with the configured parameter values in place of the defaults. Throws DetectionDefinitionError
 * naming the config field (`detections.<id>.parameters.<name>`) for an unknown detection or parameter, or a value
 * outside the parameter's bounds.
 */
export function applyParameterOverrides(detections: readonly Detection[], overrides: ParameterOverrides): Detection[] {
  const byId = new Map(detections.map((d) => [d.id, d]));
  const problems: string[] = [];
  for (const [id, o] of Object.entries(overrides)) {
    const d = byId.get(id);
    if (!d) {
      problems.push(`detections.${id}: no such detection`);
      continue;
    }
    for (const [name, value] of Object.entries(o.parameters ?? {})) {
      const p = d.parameters[name];
      const field = `detections.${id}.parameters.${name}`;
      if (!p) problems.push(`${field}: no such parameter (${Object.keys(d.parameters).join(', ') || 'the detection has none'})`);
      else if (!Number.isInteger(value)) problems.push(`${field}: must be a whole number`);
      else if (p.min !== undefined && value < p.min) problems.push(`${field}: must be at least ${p.min}`);
      else if (p.max !== undefined && value > p.max) problems.push(`${field}: must be at most ${p.max}`);
    }
  }
  if (problems.length > 0) throw new DetectionDefinitionError(`invalid config: ${problems.join('; ')}`);
  return detections.map((d) => {
    const set = overrides[d.id]?.parameters;
    return set ? { ...d, values: { ...d.values, ...set } } : d;
  });
}

/**
 * How many `?` placeholders the SQL has, outside string literals, quoted identifiers and comments.
 */
export function placeholderCount(sql: string): number {
  let count = 0;
  scanSql(sql, (c) => {
    if (c === '?') count++;
  });
  return count;
}

/** Calls `visit` with each character of the SQL outside string literals, quoted identifiers and comments, and its index. */
function scanSql(sql: string, visit: (c: string, i: number) => void): void {
  for (let i = 0; i < sql.length; i++) {
    const c = sql[i]!;
    if (c === "'" || c === '"') {
      i++;
      while (i < sql.length && !(sql[i] === c && sql[i + 1] !== c)) i += sql[i] === c ? 2 : 1;
    } else if (c === '-' && sql[i + 1] === '-') {
      while (i < sql.length && sql[i] !== '\n') i++;
    } else if (c === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2);
      i = end === -1 ? sql.length : end + 1;
    } else visit(c, i);
  }
}

/** The query parameters of a run ending at `nowMs`: every placeholder is the end time as ISO-8601 UTC. */
export function detectionParams(detection: Pick<ScheduledDetection, 'sql'>, nowMs: number): string[] {
  return Array.from({ length: placeholderCount(detection.sql) }, () => new Date(nowMs).toISOString());
}

/** A SQL statement with `:name` parameters turned into positional `?` and their values in order. */
export interface BoundSql {
  readonly sql: string;
  readonly params: (string | number | boolean)[];
}

/**
 * Binds named parameters (`:name`, outside strings, quoted identifiers and comments) as positional `?` parameters,
 * so the engines bind the values (never spliced into the text). With `positional`, the `?` already in the SQL take that
 * value, in their place among the others (a detection's run end time). Throws RangeError naming a parameter without a
 * value.
 */
export function bindNamed(sql: string, values: Readonly<Record<string, string | number | boolean>>, positional?: string): BoundSql {
  const params: (string | number | boolean)[] = [];
  const cuts: [start: number, end: number][] = [];
  scanSql(sql, (c, i) => {
    if (c === '?' && positional !== undefined) {
      params.push(positional);
      return;
    }
    if (c !== ':' || sql[i - 1] === ':' || sql[i + 1] === ':') return;
    const m = /^[a-z][a-z0-9_]*/.exec(sql.slice(i + 1));
    if (!m) return;
    const value = values[m[0]];
    if (value === undefined) throw new RangeError(`no value for the SQL parameter :${m[0]}`);
    params.push(value);
    cuts.push([i, i + 1 + m[0].length]);
  });
  let out = '';
  let at = 0;
  for (const [start, end] of cuts) {
    out += `${sql.slice(at, start)}?`;
    at = end;
  }
  return { sql: out + sql.slice(at), params };
}
