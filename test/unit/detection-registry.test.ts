import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '#config/load.ts';
import { applyParameterOverrides, DetectionDefinitionError, sqlParameterNames, type Detection } from '#core/detect/detection.ts';
import { CORRELATION_QUERIES } from '#core/correlate/queries.ts';
import { REALTIME_IDS } from '#core/realtime/catalog.ts';
import { WATCHED_SETTINGS } from '#core/realtime/weakened-settings.ts';
import { CORRELATION_DETECTIONS } from '#core/correlate/contract.ts';
import { loadDetections, loadRegistry } from '../../lib/detections/load.ts';

/*
 * One definition per detection (issue #12): every id any code raises has its queries/detections/<id>/detection.yml,
 * and no title, runbook, severity or threshold of a registered detection is written again outside the registry.
 */

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** The code that ships or generates: everything but the tests and the registry itself. */
const SOURCE_DIRS = ['lambdas', 'lib', 'bin', 'scripts', 'bench'];
const DETECTIONS = loadDetections();

function sourceFiles(): { file: string; text: string }[] {
  const out: { file: string; text: string }[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (/\.(ts|mjs|js)$/.test(name)) out.push({ file: relative(ROOT, path), text: readFileSync(path, 'utf8') });
    }
  };
  for (const dir of SOURCE_DIRS) walk(join(ROOT, dir));
  return out;
}

/** Detection ids written as string literals in code. */
export function idsInCode(files: readonly { file: string; text: string }[]): Map<string, string[]> {
  const ids = new Map<string, string[]>();
  for (const { file, text } of files) {
    for (const m of text.matchAll(/['"`](zoom\.[a-z_]+\.[a-z0-9_]+)['"`]/g)) ids.set(m[1]!, [...(ids.get(m[1]!) ?? []), file]);
  }
  return ids;
}

/**
 * Constants that are not a detection's threshold, window or scope, in the folders of the code that raises alerts,
 * each with why it is not a detection parameter.
 */
const NOT_DETECTION_PARAMETERS: Readonly<Record<string, string>> = {
  CLAIM_LEASE_MS: 'how long a realtime worker holds an event before another may take it over (processing, not detection)',
  DAY_MS: 'a unit',
  EXPOSURE_TTL_DAYS: 'how long the exposure summary stays in the state table (storage)',
  MAX_LISTED: 'how many names a summary lists (Step Functions payload size)',
  MAX_ACCESS_EVIDENCE: 'how many data-access rows an alert carries as evidence (alert size)',
};

/** What in the code repeats a registered detection's title, runbook, severity or threshold. */
export function literalsOutsideRegistry(files: readonly { file: string; text: string }[], detections: readonly Detection[]): string[] {
  const problems: string[] = [];
  for (const { file, text } of files) {
    for (const d of detections) {
      if (text.includes(d.title)) problems.push(`${file}: the title of ${d.id}`);
      const runbookStart = d.runbook.trim().slice(0, 60);
      if (text.includes(runbookStart)) problems.push(`${file}: the runbook of ${d.id}`);
    }
    if (/^lambdas\/(core|handlers|adapters)\//.test(file)) {
      for (const m of text.matchAll(/\bseverity\s*:\s*'(info|low|medium|high|critical)'/g)) problems.push(`${file}: a severity literal '${m[1]}'`);
      for (const m of text.matchAll(/\bdedup(?:Window\w*|Key)\s*:\s*(?:\[|\d|[A-Z_]{2,}\b)/g))
        problems.push(`${file}: a dedup setting (${m[0]}) of its own`);
    }
    if (/^lambdas\/core\/(realtime|correlate|detect)\//.test(file)) {
      for (const m of text.matchAll(/^(?:export )?const ([A-Z][A-Z0-9_]*) = [0-9][0-9_]*(?:\.[0-9]+)?;/gm)) {
        if (!(m[1]! in NOT_DETECTION_PARAMETERS))
          problems.push(`${file}: the numeric constant ${m[1]} (a threshold belongs in a detection.yml's parameters)`);
      }
    }
  }
  return problems;
}

describe('the detection registry', () => {
  const files = sourceFiles();

  it('has a detection.yml for every detection id the code raises or names', () => {
    const registered = new Set(DETECTIONS.map((d) => d.id));
    const missing = [...idsInCode(files)].filter(([id]) => !registered.has(id)).map(([id, where]) => `${id} (${where.join(', ')})`);
    expect(missing).toEqual([]);
  });

  it('declares the realtime path for every realtime id and the correlation path for every correlation id', () => {
    const byId = new Map(DETECTIONS.map((d) => [d.id, d]));
    for (const id of Object.values(REALTIME_IDS)) expect(byId.get(id)?.paths, id).toContain('realtime');
    for (const id of Object.values(CORRELATION_DETECTIONS)) expect(byId.get(id)?.paths, id).toContain('correlation');
    const realtime = DETECTIONS.filter((d) => d.paths.includes('realtime'))
      .map((d) => d.id)
      .sort();
    expect(realtime).toEqual(Object.values(REALTIME_IDS).sort());
    const correlation = DETECTIONS.filter((d) => d.paths.includes('correlation'))
      .map((d) => d.id)
      .sort();
    expect(correlation).toEqual(Object.values(CORRELATION_DETECTIONS).sort());
  });

  it('holds every correlation query the steps run', () => {
    const registry = loadRegistry();
    for (const name of CORRELATION_QUERIES) expect(registry.query(name), name).toMatch(/SELECT/);
  });

  it('finds no title, runbook, severity, dedup setting or threshold of a detection written outside the registry', () => {
    expect(literalsOutsideRegistry(files, DETECTIONS)).toEqual([]);
  });

  it('catches a planted title, runbook, severity and threshold', () => {
    const d = DETECTIONS.find((x) => x.id === 'zoom.participant.join_burst_many_ips')!;
    const planted = [
      {
        file: 'lambdas/core/realtime/planted.ts',
        text: `const t = '${d.title}';\nexport const BURST_IPS = 10;\nconst a = { severity: 'medium', dedupWindowMs: 1 };`,
      },
      { file: 'lib/constructs/planted.ts', text: `// ${d.runbook.trim().slice(0, 80)}` },
    ];
    expect(literalsOutsideRegistry(planted, DETECTIONS)).toEqual([
      `lambdas/core/realtime/planted.ts: the title of ${d.id}`,
      "lambdas/core/realtime/planted.ts: a severity literal 'medium'",
      'lambdas/core/realtime/planted.ts: a dedup setting (dedupWindowMs: 1) of its own',
      "lambdas/core/realtime/planted.ts: the numeric constant BURST_IPS (a threshold belongs in a detection.yml's parameters)",
      `lib/constructs/planted.ts: the runbook of ${d.id}`,
    ]);
    expect([...idsInCode([{ file: 'x.ts', text: "raise('zoom.participant.not_registered_anywhere')" }]).keys()]).toEqual([
      'zoom.participant.not_registered_anywhere',
    ]);
  });

  it('reads every declared parameter in the SQL of a scheduled detection, and only those', () => {
    for (const d of DETECTIONS) {
      if (d.sql === undefined) continue;
      if (!/\bdetection_parameters\b/.test(d.sql)) {
        expect(Object.keys(d.parameters), `${d.id} declares parameters its query does not read`).toEqual([]);
        continue;
      }
      expect(sqlParameterNames(d.sql), d.id).toEqual(Object.keys(d.parameters).sort());
    }
  });
});

describe('facts the realtime checks share with a scheduled query', () => {
  it('weaken the same account settings in the same direction (security_setting_weakened)', () => {
    const sql = DETECTIONS.find((d) => d.id === 'zoom.operation.security_setting_weakened')!.sql!;
    const table = sql.slice(sql.indexOf('watched_settings AS ('), sql.indexOf('setting_values AS ('));
    const rows = [...table.matchAll(/\('([a-z0-9_.]+)', '([a-z0-9_]+)', '(off|on|none|lower)'\)/g)].map((m) => [m[1], m[2], m[3]]);
    expect(rows).toEqual(WATCHED_SETTINGS.map((w) => [...w]));
    // Every watched path is read from the webhook's settings by the query's CASE.
    for (const [path] of WATCHED_SETTINGS) expect(sql).toContain(`WHEN '${path}' THEN json_extract_scalar(a.settings_json, '$.${path}')`);
  });
});

describe('detection parameters in the config', () => {
  it('override the defaults for every path', () => {
    const config = parseConfig({ detections: { 'zoom.participant.join_burst_many_ips': { parameters: { min_ips: 15 } } } });
    const registry = loadRegistry(config.detections);
    expect(registry.get('zoom.participant.join_burst_many_ips').values).toEqual({ min_ips: 15, window_minutes: 5 });
  });

  it.each([
    ['an unknown detection', { 'zoom.participant.nope': { parameters: { x: 1 } } }, /detections\.zoom\.participant\.nope: no such detection/],
    [
      'an unknown parameter',
      { 'zoom.participant.join_burst_many_ips': { parameters: { min_people: 3 } } },
      /detections\.zoom\.participant\.join_burst_many_ips\.parameters\.min_people: no such parameter \(min_ips, window_minutes\)/,
    ],
    [
      'a value below the bound',
      { 'zoom.participant.join_burst_many_ips': { parameters: { min_ips: 1 } } },
      /parameters\.min_ips: must be at least 2/,
    ],
  ])('refuse %s, naming the field', (_what, overrides, message) => {
    expect(() => applyParameterOverrides(DETECTIONS, overrides)).toThrow(DetectionDefinitionError);
    expect(() => applyParameterOverrides(DETECTIONS, overrides)).toThrow(message);
  });

  it('are whole numbers in the config schema, and the old realtime thresholds say where they went', () => {
    expect(() => parseConfig({ detections: { 'zoom.participant.join_burst_many_ips': { parameters: { min_ips: 2.5 } } } })).toThrow(
      /min_ips: must be a whole number/,
    );
    expect(() => parseConfig({ realtime: { burstIpsPerMinute: 7 } })).toThrow(
      /realtime\.burstIpsPerMinute: moved to detections\.zoom\.participant\.join_burst_many_ips\.parameters\.min_ips/,
    );
    expect(() => parseConfig({ correlation: { dataAccessWindowMinutes: 10 } })).toThrow(/window_minutes/);
  });
});
