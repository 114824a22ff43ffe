import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { DetectionDefinitionError, parseDetection, type Detection } from '#core/detect/detection.ts';

/** The repository's `queries/` folder. */
export const QUERIES_DIR = resolve(fileURLToPath(new URL('../../queries', import.meta.url)));

/** A named query file (hunting queries, and detections' query.sql). */
export interface NamedSql {
  readonly name: string;
  readonly file: string;
  readonly sql: string;
}

/**
 * Every detection under `<queriesDir>/detections`, sorted by id. Throws DetectionDefinitionError naming the folder
 * and field of the first invalid definition: an invalid detection.yml fails `cdk synth`, the CLI and the tests.
 */
export function loadDetections(queriesDir: string = QUERIES_DIR): Detection[] {
  const root = join(queriesDir, 'detections');
  if (!existsSync(root)) return [];
  const folders = readdirSync(root, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort();
  return folders.map((folder) => {
    const metaFile = join(root, folder, 'detection.yml');
    const sqlFile = join(root, folder, 'query.sql');
    for (const file of [metaFile, sqlFile]) {
      if (!existsSync(file)) throw new DetectionDefinitionError(`detection ${folder}: missing ${file}`);
    }
    let meta: unknown;
    try {
      meta = parseYaml(readFileSync(metaFile, 'utf8'));
    } catch (error) {
      throw new DetectionDefinitionError(`detection ${folder}: detection.yml is not valid YAML: ${(error as Error).message}`);
    }
    return parseDetection(folder, meta, readFileSync(sqlFile, 'utf8'));
  });
}

/** Every hunting query (`<queriesDir>/hunting/*.sql`), sorted by name. */
export function loadHuntingQueries(queriesDir: string = QUERIES_DIR): NamedSql[] {
  const root = join(queriesDir, 'hunting');
  if (!existsSync(root)) return [];
  return readdirSync(root).filter((f) => f.endsWith('.sql')).sort().map((f) => {
    const file = join(root, f);
    return { name: f.replace(/\.sql$/, ''), file, sql: readFileSync(file, 'utf8') };
  });
}
