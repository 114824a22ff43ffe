import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import {
  DetectionDefinitionError,
  applyParameterOverrides,
  parseDetection,
  type Detection,
  type ParameterOverrides,
} from '#core/detect/detection.ts';
import { DetectionRegistry } from '#core/detect/registry.ts';

/** The repository's `queries/` folder. */
export const QUERIES_DIR = resolve(fileURLToPath(new URL('../../queries', import.meta.url)));

/** A named query file (hunting queries, correlation queries, and detections' query.sql). */
export interface NamedSql {
  readonly name: string;
  readonly file: string;
  readonly sql: string;
}

/**
 * Every detection under `<queriesDir>/detections`, sorted by id, with its default parameter values. Throws
 * DetectionDefinitionError naming the folder and field of the first invalid definition: an invalid detection.yml
 * fails `cdk synth`, the CLI and the tests.
 */
export function loadDetections(queriesDir: string = QUERIES_DIR): Detection[] {
  const root = join(queriesDir, 'detections');
  if (!existsSync(root)) return [];
  const folders = readdirSync(root, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  return folders.map((folder) => {
    const metaFile = join(root, folder, 'detection.yml');
    const sqlFile = join(root, folder, 'query.sql');
    const daysFile = join(root, folder, 'days.sql');
    if (!existsSync(metaFile)) throw new DetectionDefinitionError(`detection ${folder}: missing ${metaFile}`);
    let meta: unknown;
    try {
      meta = parseYaml(readFileSync(metaFile, 'utf8'));
    } catch (error) {
      throw new DetectionDefinitionError(`detection ${folder}: detection.yml is not valid YAML: ${(error as Error).message}`);
    }
    return parseDetection(
      folder,
      meta,
      existsSync(sqlFile) ? readFileSync(sqlFile, 'utf8') : undefined,
      existsSync(daysFile) ? readFileSync(daysFile, 'utf8') : undefined,
    );
  });
}

/** The named queries of the correlation steps (`<queriesDir>/correlation/*.sql`), sorted by name. */
export function loadCorrelationQueries(queriesDir: string = QUERIES_DIR): NamedSql[] {
  return sqlFiles(join(queriesDir, 'correlation'));
}

/**
 * The detection registry: every detection (with `overrides`, the config's `detections` key, applied) and the
 * correlation queries. Throws DetectionDefinitionError for an invalid definition or override.
 */
export function loadRegistry(overrides: ParameterOverrides = {}, queriesDir: string = QUERIES_DIR): DetectionRegistry {
  const queries = Object.fromEntries(loadCorrelationQueries(queriesDir).map((q) => [q.name, q.sql]));
  return new DetectionRegistry(applyParameterOverrides(loadDetections(queriesDir), overrides), queries);
}

/** Every hunting query (`<queriesDir>/hunting/*.sql`), sorted by name. */
export function loadHuntingQueries(queriesDir: string = QUERIES_DIR): NamedSql[] {
  return sqlFiles(join(queriesDir, 'hunting'));
}

function sqlFiles(root: string): NamedSql[] {
  if (!existsSync(root)) return [];
  return readdirSync(root)
    .filter((f) => f.endsWith('.sql'))
    .sort()
    .map((f) => {
      const file = join(root, f);
      return { name: f.replace(/\.sql$/, ''), file, sql: readFileSync(file, 'utf8') };
    });
}
