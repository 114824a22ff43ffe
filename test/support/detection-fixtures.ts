import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import * as z from 'zod';
import { configSchema } from '#config/schema.ts';
import type { Alert } from '#core/alerts/alert.ts';
import { applyParameterOverrides, DETECTION_PATHS, type ScheduledDetection } from '#core/detect/detection.ts';
import { runDetection } from '#core/detect/run.ts';
import { LakeWriter } from '#core/lake/writer.ts';
import { tableColumns } from '#core/schema/registry.ts';
import { TABLES } from '#core/schema/tables.ts';
import type { CellValue } from '#core/schema/types.ts';
import { DuckDbQueryEngine } from '#local/adapters/duckdb-query-engine.ts';
import { FsObjectStore } from '#local/adapters/fs-object-store.ts';
import { localViews } from '#local/pipeline/local-tables.ts';
import { IDENTITY_FILE_SOURCE } from '#local/scenario/identity.ts';
import { QUERIES_DIR, loadDetections } from '../../lib/detections/load.ts';

/** The config every fixture starts from; a fixture's `config` is merged over it. */
export const FIXTURE_BASE_CONFIG = {
  internalDomains: ['acme.example'],
  watchedUsers: ['ceo@acme.example'],
  sensitiveMeetingPatterns: ['\\bboard', '\\bm&a\\b|\\bmerger|\\bacquisition'],
  minClientVersion: '6.0.0',
} as const;

const iso = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?Z$/, 'an ISO-8601 UTC time such as 2026-11-20T12:00:00Z');

/**
 * One fixture file, `queries/detections/<id>/tests/<positive|negative>-<name>.yml`: rows per table (timestamps as
 * ISO-8601 UTC text), Zoom webhook bodies, the run time, optional config overrides, and the alerts expected (none
 * for a negative). Rows of the webhook tables and the `webhooks` bodies are replayed as signed webhooks through every
 * path the detection declares (test/support/detection-paths.ts); `paths` narrows a positive fixture to some of them,
 * with `why` (e.g. evidence only a poller sees).
 */
export const fixtureSchema = z
  .object({
    description: z.string().min(1),
    now: iso,
    config: z.record(z.string(), z.unknown()).optional(),
    rows: z.record(z.string(), z.array(z.record(z.string(), z.unknown()))).default({}),
    /** Zoom webhook bodies, delivered at `received` (default: the body's event_ts), in time order (listing order on ties). */
    webhooks: z.array(z.object({ body: z.record(z.string(), z.unknown()), received: iso.optional() }).strict()).default([]),
    /** Rows of the configured data-access table (config correlation.dataAccess), for the correlation path. */
    dataAccess: z.array(z.record(z.string(), z.unknown())).optional(),
    /**
     * Rows of the identity table (config identity): the identity-provider sign-ins. Without an `identity` section in
     * the fixture's config, the columns are the demo file's (IDENTITY_FILE_SOURCE: email, time, ip, country, outcome,
     * session_id, provider).
     */
    identity: z.array(z.record(z.string(), z.unknown())).optional(),
    paths: z.array(z.enum(DETECTION_PATHS)).min(1).optional(),
    why: z.string().min(1).optional(),
    /** Each expected alert, matched by its entities (every listed entity must equal); the count must match too. */
    expect: z.array(z.object({ entities: z.record(z.string(), z.string()) }).strict()),
  })
  .strict();
export type Fixture = z.infer<typeof fixtureSchema>;

/** A fixture file with its parsed content. */
export interface FixtureFile {
  readonly name: string;
  readonly kind: 'positive' | 'negative';
  readonly fixture: Fixture;
}

/** The fixture files of a detection, sorted by name. */
export function loadFixtures(detectionId: string, queriesDir: string = QUERIES_DIR): FixtureFile[] {
  const dir = join(queriesDir, 'detections', detectionId, 'tests');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yml'))
    .sort()
    .map((name) => {
      const kind = name.startsWith('positive') ? 'positive' : name.startsWith('negative') ? 'negative' : undefined;
      if (!kind) throw new Error(`${detectionId}/tests/${name}: fixture names start with positive or negative`);
      const fixture = fixtureSchema.parse(parseYaml(readFileSync(join(dir, name), 'utf8')));
      if (kind === 'negative' && fixture.expect.length > 0) throw new Error(`${detectionId}/tests/${name}: a negative fixture expects no alerts`);
      if (kind === 'positive' && fixture.expect.length === 0) throw new Error(`${detectionId}/tests/${name}: a positive fixture expects an alert`);
      if ((fixture.paths === undefined) !== (fixture.why === undefined)) throw new Error(`${detectionId}/tests/${name}: paths and why go together`);
      return { name, kind, fixture };
    });
}

function cell(table: string, column: string, type: string, value: unknown): CellValue {
  if (value === null || value === undefined) return null;
  if (type === 'timestamp') {
    if (typeof value !== 'string') throw new Error(`${table}.${column}: timestamps are ISO-8601 text in fixtures`);
    const ms = Date.parse(value);
    if (Number.isNaN(ms)) throw new Error(`${table}.${column}: not a time: ${value}`);
    return ms;
  }
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  return JSON.stringify(value);
}

/**
 * Writes the fixture's rows into a lake folder through the real lake writer (schema-checked, partitioned by dt).
 * `skip` leaves tables out (the webhook tables, which the paths harness writes from the replayed webhooks).
 */
export async function writeFixtureLake(lakeDir: string, fixture: Fixture, skip: readonly string[] = []): Promise<void> {
  const nowMs = Date.parse(fixture.now);
  const store = new FsObjectStore(lakeDir);
  let n = 0;
  const writer = new LakeWriter({ store, clock: { now: () => nowMs }, newId: () => `fixture-${n++}`, writerId: 'fixture' });
  for (const [table, rows] of Object.entries(fixture.rows)) {
    if (skip.includes(table)) continue;
    const def = TABLES.find((t) => t.name === table);
    if (!def) throw new Error(`fixture rows for unknown table ${table}`);
    const types = new Map(tableColumns(def).map((c) => [c.name, c.type]));
    for (const row of rows) {
      const cells: Record<string, CellValue> = {};
      for (const [column, value] of Object.entries(row)) cells[column] = cell(table, column, types.get(column) ?? 'string', value);
      const added = writer.add(table, cells);
      if (!added.ok) throw new Error(`fixture row for ${table} rejected: ${JSON.stringify(added)}`);
    }
  }
  await writer.flush();
}

/**
 * The fixture's config as a config file would hold it: the base config with the fixture's overrides. A fixture with
 * `identity` rows gets an identity input (the demo file's mapping unless its config has one) read from
 * `identityFile`, which writeFixtureIdentity fills.
 */
export function fixtureConfig(fixture: Fixture, identityFile?: string): Record<string, unknown> {
  const config: Record<string, unknown> = { ...FIXTURE_BASE_CONFIG, ...fixture.config };
  if (fixture.identity === undefined) return config;
  const identity = (config.identity as Record<string, unknown> | undefined) ?? IDENTITY_FILE_SOURCE;
  return { ...config, identity: { ...identity, ...(identityFile === undefined ? {} : { localFile: identityFile }) } };
}

/** Writes the fixture's identity rows (if any) as NDJSON to `file`, the identity input's local file. */
export function writeFixtureIdentity(file: string, fixture: Fixture): void {
  writeFileSync(file, (fixture.identity ?? []).map((r) => JSON.stringify(r)).join('\n') + '\n');
}

/**
 * Writes the fixture's config as `<dir>/zoomlake.config.json`, with its identity rows in `<dir>/identity.ndjson` as
 * the identity input's local file; returns the config file, for the CLI's --config.
 */
export function writeFixtureConfig(dir: string, fixture: Fixture): string {
  const identityFile = join(dir, 'identity.ndjson');
  writeFixtureIdentity(identityFile, fixture);
  const configFile = join(dir, 'zoomlake.config.json');
  writeFileSync(configFile, JSON.stringify(fixtureConfig(fixture, identityFile)));
  return configFile;
}

/** Writes the fixture's rows into a temporary lake, runs the detection on DuckDB, and returns its alerts. */
export async function runFixture(detection: ScheduledDetection, fixture: Fixture): Promise<Alert[]> {
  const dir = mkdtempSync(join(tmpdir(), 'zoomlake-fixture-'));
  try {
    await writeFixtureLake(dir, fixture);
    const identityFile = join(dir, 'identity.ndjson');
    writeFixtureIdentity(identityFile, fixture);
    const config = configSchema.parse(fixtureConfig(fixture, identityFile));
    const detections = applyParameterOverrides(loadDetections(), config.detections);
    const engine = await DuckDbQueryEngine.open({ lakeDir: dir, views: localViews(config, detections) });
    try {
      return await runDetection(engine, detections.find((d) => d.id === detection.id) as ScheduledDetection, Date.parse(fixture.now));
    } finally {
      engine.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Whether the alerts are exactly the expected ones: same count, and each expectation matched by a distinct alert. */
export function matchExpected(alerts: readonly Alert[], expect: Fixture['expect']): string[] {
  const problems: string[] = [];
  if (alerts.length !== expect.length) problems.push(`expected ${expect.length} alert(s), got ${alerts.length}`);
  const free = [...alerts];
  for (const e of expect) {
    const i = free.findIndex((a) => Object.entries(e.entities).every(([k, v]) => (a.entities as Record<string, string>)[k] === v));
    if (i === -1) problems.push(`no alert with entities ${JSON.stringify(e.entities)}`);
    else free.splice(i, 1);
  }
  if (problems.length > 0) problems.push(`alerts: ${JSON.stringify(alerts.map((a) => a.entities))}`);
  return problems;
}
