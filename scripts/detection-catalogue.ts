import type { Detection } from '#core/detect/detection.ts';

const cell = (s: string) => s.replaceAll('|', '\\|').replace(/\s+/g, ' ').trim();
const code = (s: string) => `\`${s}\``;
const anchor = (id: string) => `#${id.replaceAll('.', '')}`;

/** Renders docs/detections.md from the registry (every detection.yml under queries/detections), so the catalogue cannot drift from it. */
export function renderDetectionCatalogue(detections: readonly Detection[]): string {
  const out: string[] = [
    '# Detection catalogue',
    '',
    '<!-- Generated from queries/detections/*/detection.yml by `npm run docs:detections`. Do not edit by hand: a test fails when this file is stale. -->',
    '',
    'Every detection any path can raise has one definition, `queries/detections/<id>/detection.yml`: title, severity,',
    'runbook, dedup key and window, and named parameters (thresholds, windows) with defaults that the config key',
    '`detections.<id>.parameters.<name>` overrides for every path at once. The paths:',
    '',
    '- **scheduled**: Athena (Trino) SQL in `queries/detections/<id>/query.sql`, run on its schedule in AWS and by',
    "  `npx zoomlake detect` locally. Every `?` is the run's end time; the config reaches the SQL as the views",
    '  `internal_domains`, `sensitive_meeting_patterns`, `watched_users`, `min_client_version`,',
    '  `detection_parameters`, `country_codes` and `idp_signins` (the identity input, [identity.md](identity.md)) (ADR 4).',
    '- **realtime**: checks on each webhook as it arrives (`lambdas/core/realtime/`); a check may fire earlier than the',
    '  scheduled query, on the event that completes the definition, never on less evidence.',
    '- **correlation**: the post-meeting correlation (`lambdas/core/correlate/`), once per ended meeting.',
    '',
    "A detection's fixtures (`queries/detections/<id>/tests/`) run through every path it declares, and the paths must",
    'raise the same findings. Alerts repeating the same dedup key inside the dedup window notify once, whichever path',
    'raised them.',
    '',
    '| id | severity | paths | schedule | lookback | MITRE ATT&CK |',
    '|---|---|---|---|---|---|',
    ...detections.map(
      (d) =>
        `| [${code(d.id)}](${anchor(d.id)}) | ${d.severity} | ${d.paths.join(', ')} | ${d.schedule ? code(d.schedule) : '-'} | ${d.lookback ?? '-'} | ${d.mitre.join(', ')} |`,
    ),
    '',
  ];
  for (const d of detections) {
    const params = Object.entries(d.parameters);
    out.push(
      `## ${d.id}`,
      '',
      `**${cell(d.title)}** (${d.severity}; ${d.paths.join(', ')})`,
      '',
      cell(d.description),
      '',
      ...(d.schedule && d.lookback && d.tables
        ? [
            `- Schedule ${code(d.schedule)}, lookback ${d.lookback}; reads ${d.tables.map(code).join(', ')}.`,
            ...(d.history !== undefined
              ? [
                  `- History lookups: ${Object.entries(d.history)
                    .map(([t, reach]) => `${code(t)} ${reach}`)
                    .join(
                      ', ',
                    )}${d.daysSql !== undefined ? ' at most, only the days [`days.sql`](../queries/detections/' + d.id + '/days.sql) finds' : ''}.`,
                ]
              : []),
          ]
        : []),
      `- Entities: ${d.entities.map(code).join(', ')}; dedup on ${d.dedup.key.map(code).join(', ')} for ${d.dedup.window}.`,
      `- MITRE ATT&CK: ${d.mitre.join(', ')}.`,
      ...(d.sql !== undefined ? [`- SQL: [${code(`queries/detections/${d.id}/query.sql`)}](../queries/detections/${d.id}/query.sql)`] : []),
      '',
      ...(params.length > 0
        ? [
            '| parameter | default | bounds | meaning |',
            '|---|---|---|---|',
            ...params.map(([name, p]) => `| ${code(name)} | ${p.default} | ${p.min ?? '-'} .. ${p.max ?? '-'} | ${cell(p.description)} |`),
            '',
          ]
        : []),
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
