import { MEETING_ENDED_EVENT } from '#core/correlate/start.ts';
import { dedupViewSql, HIVE_TYPES } from '#core/schema/derive.ts';
import { LAKE_ROOT, rawTableName, tableColumns, tablePrefix } from '#core/schema/registry.ts';
import { PARTITION_COLUMN, TABLES } from '#core/schema/tables.ts';
import { ANY_ACTION, EVENT_ROUTES, REALTIME_EVENTS } from '#core/webhook/routes.ts';

const code = (s: string) => `\`${s}\``;

/** The webhook events each typed table takes and what else reads them, from the routes (lambdas/core/webhook/routes.ts). */
function webhookEventsSection(): string[] {
  const rows: string[] = [];
  const row = (events: string, table: string, readers: string) => rows.push(`| ${events} | ${code(table)} | ${readers} |`);
  for (const route of EVENT_ROUTES) {
    const events = (actions: readonly string[]) => actions.flatMap((a) => route.families.map((f) => `${f}.${a}`));
    const realtime = events(route.realtime);
    const correlated = realtime.includes(MEETING_ENDED_EVENT) ? ` (${code(MEETING_ENDED_EVENT)} also starts the post-meeting correlation)` : '';
    if (realtime.length > 0) row(realtime.map(code).join(', '), route.table, `realtime checks${correlated}`);
    if (route.actions === ANY_ACTION) {
      const families = route.families.map((f) => code(`${f}.*`)).join(', ');
      row(`${realtime.length > 0 ? 'any other' : 'every'} ${families} event`, route.table, '');
    } else {
      const rest = events(route.actions).filter((e) => !REALTIME_EVENTS.includes(e));
      if (rest.length > 0) row(rest.map(code).join(', '), route.table, '');
    }
  }
  return [
    '## Webhook events by table',
    '',
    'Every verified webhook event (but `endpoint.url_validation`, which is only answered) is kept raw in `webhook_events`,',
    'whatever its type. These events also feed a typed table, and some are read by the realtime checks (the bus rule',
    'forwards exactly those) or start the post-meeting correlation. Zoom lists events by display name; the API names are:',
    '',
    '| events | typed table | also read by |',
    '|---|---|---|',
    ...rows,
    '',
  ];
}

/** Renders docs/data-model.md from the schema registry, so the doc cannot drift from the tables. */
export function renderDataModel(): string {
  const out: string[] = [
    '# Data model',
    '',
    '<!-- Generated from lambdas/core/schema/tables.ts and lambdas/core/webhook/routes.ts by `npm run docs:data-model`. Do not edit by hand: a test fails when this file is stale. -->',
    '',
    `Every table is stored as Parquet under \`s3://<lake>/${LAKE_ROOT}/<table>/dt=YYYY-MM-DD/\` (locally \`<dir>/lake/${LAKE_ROOT}/...\`),`,
    "partitioned by `dt`, the UTC date of the row's own event time. Writes are at-least-once: the physical table",
    '`<table>_raw` may hold the same record more than once. Query the view with the plain name (`<table>`): it keeps',
    'one row per `record_id` (the latest `ingested_at`), and its window partitions by (`dt`, `record_id`) so a `dt`',
    'filter still prunes partitions. Timestamps are UTC, stored as Parquet INT64 TIMESTAMP(MILLIS) and declared',
    '`timestamp`.',
    '',
    '| table | source | rows | natural key (record_id) |',
    '|---|---|---|---|',
    ...TABLES.map((t) => `| [\`${t.name}\`](#${t.name}) | ${t.source} | ${t.description} | ${t.key.map((k) => `\`${k}\``).join(', ')} |`),
    '',
    ...webhookEventsSection(),
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
