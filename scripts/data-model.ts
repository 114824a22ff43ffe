import { dedupViewSql, HIVE_TYPES } from '#core/schema/derive.ts';
import { LAKE_ROOT, rawTableName, tableColumns, tablePrefix } from '#core/schema/registry.ts';
import { PARTITION_COLUMN, TABLES } from '#core/schema/tables.ts';

/** Renders docs/data-model.md from the schema registry, so the doc cannot drift from the tables. */
export function renderDataModel(): string {
  const out: string[] = [
    '# Data model',
    '',
    '<!-- Generated from lambdas/core/schema/tables.ts by `npm run docs:data-model`. Do not edit by hand: a test fails when this file is stale. -->',
    '',
    `Every table is stored as Parquet under \`s3://<lake>/${LAKE_ROOT}/<table>/dt=YYYY-MM-DD/\` (locally \`<dir>/lake/${LAKE_ROOT}/...\`),`,
    'partitioned by `dt`, the UTC date of the row\'s own event time. Writes are at-least-once: the physical table',
    '`<table>_raw` may hold the same record more than once. Query the view with the plain name (`<table>`): it keeps',
    'one row per `record_id` (the latest `ingested_at`), and its window partitions by (`dt`, `record_id`) so a `dt`',
    'filter still prunes partitions. Timestamps are UTC, stored as Parquet INT64 TIMESTAMP(MILLIS) and declared',
    '`timestamp`.',
    '',
    '| table | source | rows | natural key (record_id) |',
    '|---|---|---|---|',
    ...TABLES.map((t) => `| [\`${t.name}\`](#${t.name}) | ${t.source} | ${t.description} | ${t.key.map((k) => `\`${k}\``).join(', ')} |`),
    '',
  ];
  for (const def of TABLES) {
    out.push(
      `## ${def.name}`,
      '',
      def.description,
      '',
      `- View: \`${def.name}\`; physical table: \`${rawTableName(def)}\`; location: \`${tablePrefix(def)}/dt=YYYY-MM-DD/\``,
      `- \`dt\` from: \`${def.eventTime}\`; \`record_id\` = hash of (${def.key.map((k) => `\`${k}\``).join(', ')})`,
      '',
      '| column | type | null | description |',
      '|---|---|---|---|',
      ...[...tableColumns(def), PARTITION_COLUMN].map(
        (c) => `| \`${c.name}\` | ${HIVE_TYPES[c.type]} | ${c.nullable ? 'yes' : 'no'} | ${c.description.replace(/\|/g, '\\|')} |`,
      ),
      '',
      '<details><summary>View SQL (Athena and DuckDB)</summary>',
      '',
      '```sql',
      dedupViewSql(def),
      '```',
      '',
      '</details>',
      '',
    );
  }
  return out.join('\n');
}
