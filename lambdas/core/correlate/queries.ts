import { bindNamed } from '../detect/detection.ts';
import type { DetectionRegistry } from '../detect/registry.ts';
import type { QueryEngine } from '../ports.ts';

/** The correlation queries (queries/correlation/<name>.sql) the steps run. */
export const CORRELATION_QUERIES = [
  'exposure-sessions',
  'exposure-flags',
  'exposure-host',
  'exposure-names',
  'download-candidates',
  'data-access',
] as const;

/** The name of a correlation query. */
export type CorrelationQuery = (typeof CORRELATION_QUERIES)[number];

/** Runs a named correlation query from the registry with its `:name` parameters bound (never spliced into the text). */
export async function runCorrelationQuery(
  query: QueryEngine,
  registry: DetectionRegistry,
  name: CorrelationQuery,
  values: Readonly<Record<string, string | number | boolean>>,
) {
  const bound = bindNamed(registry.query(name), values);
  return query.query(bound.sql, bound.params);
}
