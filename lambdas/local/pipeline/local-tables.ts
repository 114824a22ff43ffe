import { existsSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { configViews, type DetectionSettings } from '#core/detect/config-views.ts';
import type { Detection } from '#core/detect/detection.ts';
import { identityColumns, type IdentitySource } from '#core/detect/identity-view.ts';
import { oneFile } from '../adapters/duckdb-paths.ts';

/*
 * Tables the config names outside the lake (the data-access table, the identity table) stand locally for a file the
 * config names (`localFile`): a DuckDB view with the table's name over the file, or over no rows while it is missing.
 */

/** A view the local engine creates, in order. */
export interface LocalView {
  readonly name: string;
  readonly sql: string;
}

/** The DuckDB reader for a local table file, by extension; undefined for an extension it cannot read. */
export function readerOf(file: string): 'read_parquet' | 'read_csv_auto' | 'read_json' | undefined {
  const ext = extname(file).toLowerCase();
  if (ext === '.parquet') return 'read_parquet';
  if (ext === '.csv' || ext === '.tsv') return 'read_csv_auto';
  if (ext === '.json' || ext === '.ndjson' || ext === '.jsonl') return 'read_json';
  return undefined;
}

/** The extensions `readerOf` reads, for messages. */
export const LOCAL_TABLE_EXTENSIONS = '.parquet, .csv, .tsv, .json, .ndjson or .jsonl';

/** A view with no rows and these columns (`name` to DuckDB type). */
export function emptyView(name: string, columns: Readonly<Record<string, string>>): LocalView {
  const select = Object.entries(columns).map(([column, type]) => `CAST(NULL AS ${type}) AS "${column}"`);
  return { name, sql: `SELECT ${select.join(', ')} WHERE false` };
}

/**
 * The local view standing for the configured identity table: `file` (Parquet, CSV or NDJSON), or no rows when there
 * is no file (yet). JSON is read with the mapped columns as text, so a key missing from every line reads as NULL and
 * an empty file as no rows; idp_signins parses the time from text or a timestamp alike.
 */
export function identityTableView(source: IdentitySource, file: string | undefined): LocalView {
  const columns = identityColumns(source);
  const reader = file === undefined ? undefined : readerOf(file);
  if (file === undefined || reader === undefined || !existsSync(file)) {
    return emptyView(source.table, Object.fromEntries(columns.map((c) => [c, 'VARCHAR'])));
  }
  if (reader === 'read_json') {
    const typed = columns.map((c) => `'${c}': 'VARCHAR'`).join(', ');
    return { name: source.table, sql: `SELECT * FROM read_json(${oneFile(file)}, format = 'auto', columns = {${typed}})` };
  }
  return { name: source.table, sql: `SELECT * FROM ${reader}(${oneFile(file)})` };
}

/**
 * Every view a local engine opens with, in the order DuckDB needs them: the identity table (when `identity` is
 * configured; its `localFile`, resolved by the caller, or no rows) before the config views that read it.
 */
export function localViews(
  config: DetectionSettings & { readonly identity?: (IdentitySource & { readonly localFile?: string | undefined }) | undefined },
  detections: readonly Pick<Detection, 'id' | 'values'>[],
): LocalView[] {
  const { identity } = config;
  const file = identity?.localFile === undefined ? undefined : resolve(identity.localFile);
  return [...(identity ? [identityTableView(identity, file)] : []), ...configViews(config, detections)];
}
