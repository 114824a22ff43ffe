import type { Detection } from '#core/detect/detection.ts';

const cell = (s: string) => s.replaceAll('|', '\\|').replace(/\s+/g, ' ').trim();

/** Renders docs/detections.md from the detection.yml files, so the catalogue cannot drift from the library. */
export function renderDetectionCatalogue(detections: readonly Detection[]): string {
  const out: string[] = [
    '# Detection catalogue',
    '',
    '<!-- Generated from queries/detections/*/detection.yml by `npm run docs:detections`. Do not edit by hand: a test fails when this file is stale. -->',
    '',
    'Scheduled detections: Athena (Trino) SQL in `queries/detections/<id>/query.sql`, run on their schedule in AWS',
    'and by `npx zoomlake detect` locally. Every `?` in a query is the run\'s end time; the config reaches the SQL',
    'as the views `internal_domains`, `sensitive_meeting_patterns`, `watched_users` and `min_client_version`',
    '(ADR 4). Alerts repeating the same dedup key inside the dedup window notify once.',
    '',
    '| id | severity | schedule | lookback | tables | MITRE ATT&CK |',
    '|---|---|---|---|---|---|',
    ...detections.map((d) => `| [\`${d.id}\`](#${d.id.replaceAll('.', '')}) | ${d.severity} | \`${d.schedule}\` | ${d.lookback} | ${d.tables.map((t) => `\`${t}\``).join(', ')} | ${d.mitre.join(', ')} |`),
    '',
  ];
  for (const d of detections) {
    out.push(
      `## ${d.id}`,
      '',
      `**${cell(d.title)}** (${d.severity})`,
      '',
      cell(d.description),
      '',
      `- Schedule \`${d.schedule}\`, lookback ${d.lookback}; reads ${d.tables.map((t) => `\`${t}\``).join(', ')}.`,
      `- Entities: ${d.entities.map((e) => `\`${e}\``).join(', ')}; dedup on ${d.dedup.key.map((k) => `\`${k}\``).join(', ')} for ${d.dedup.window}.`,
      `- MITRE ATT&CK: ${d.mitre.join(', ')}.`,
      `- SQL: [\`queries/detections/${d.id}/query.sql\`](../queries/detections/${d.id}/query.sql)`,
      '',
      '**Runbook**',
      '',
      d.runbook.trim(),
      '',
      '**False positives**',
      '',
      ...d.falsePositives.map((f) => `- ${cell(f)}`),
      '',
    );
  }
  return out.join('\n');
}
