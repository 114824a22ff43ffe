import { QueryError } from '#core/errors.ts';

/*
 * DuckDB reads a path given to read_parquet, read_csv, read_json or glob as a glob pattern whenever it contains `*`,
 * `?` or `[`, so a folder named `g[1]` or `a*b` would silently match other folders or none. A character inside
 * brackets is literal in DuckDB's globbing (`[[]` is `[`), which keeps the lake's own `dt=*` pattern working under
 * any folder name. A backslash cannot be made literal that way, so a folder with one is refused with a clear error.
 */

const GLOB_SPECIAL = /[[\]*?{}]/g;

/** SQL string literal for a value (single quotes doubled). */
export function sqlString(s: string): string {
  return `'${s.replaceAll("'", "''")}'`;
}

/** `path` with every glob character bracketed, so DuckDB matches it literally. Throws QueryError on a backslash. */
export function globLiteral(path: string): string {
  if (path.includes('\\')) {
    throw new QueryError(
      `DuckDB cannot read files under ${path}: its file globbing has no way to take a backslash literally; ` +
        'use a folder whose path has no backslash',
      false,
    );
  }
  return path.replace(GLOB_SPECIAL, (c) => `[${c}]`);
}

/** SQL literal for the files matching `pattern` (a DuckDB glob such as `dt=*\/*.parquet`) under the folder `dir`. */
export function filesUnder(dir: string, pattern: string): string {
  return sqlString(`${globLiteral(dir)}/${pattern}`);
}

/** SQL literal for exactly one file: DuckDB opens a path without `*`, `?` or `[` as it is, backslash included. */
export function oneFile(file: string): string {
  return sqlString(/[*?[]/.test(file) ? globLiteral(file) : file);
}
