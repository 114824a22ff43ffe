import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '#config/load.ts';
import type { DetectionPath } from '#core/detect/detection.ts';
import { main } from '#local/cli/main.ts';
import { makeLocalRuntime } from '#local/pipeline/runtime.ts';
import { loadDetections } from '../../lib/detections/load.ts';

/*
 * Issue #8: `zoomlake demo` (npm start) end to end, judged by its own manifest. The demo generates a company, feeds
 * its API data to the pollers through the simulator and its webhooks, signed, to the local webhook server (realtime
 * checks, post-meeting correlation), then runs every scheduled detection. Here every planted incident must come back
 * as an alert of its detection carrying its key entities, raised by a path it was planted for, and a benign-only run
 * must raise nothing. The matching below is this test's own, over alerts.jsonl: it does not reuse the demo's score.
 */

/** A smaller company than `npm start`'s, for time; the generator's minimum is 40 users and 7 days. */
const SIZE = ['--users', '60', '--days', '7', '--seed', '5'];
const RUN_TIMEOUT = 300_000;

interface Incident {
  readonly id: string;
  readonly detection: string;
  readonly paths: readonly string[];
  readonly match: Readonly<Record<string, string>>;
  readonly related: readonly string[];
}
interface Alert {
  readonly detection_id: string;
  readonly source: string;
  readonly entities: Readonly<Record<string, string>>;
}
/** The parts of `zoomlake demo --json`'s summary read here. */
interface DemoSummary {
  readonly benign: boolean;
  readonly score: Readonly<Record<string, number>>;
  readonly detections: Readonly<Record<string, { readonly alerts: number; readonly benign_alerts: number }>>;
  readonly background: readonly { readonly id: string }[];
  readonly pipeline: { readonly webhooks_posted: number; readonly correlations: Readonly<Record<string, number>> };
}

async function demo(...args: string[]) {
  const dir = mkdtempSync(join(tmpdir(), 'zoomlake-demo-'));
  let out = '';
  let err = '';
  const code = await main(['demo', '--dir', dir, ...args], {
    out: (t) => {
      out += t;
    },
    err: (t) => {
      err += t;
    },
    env: {},
    untilStopped: async () => undefined,
  });
  const manifest = JSON.parse(readFileSync(join(dir, 'demo-manifest.json'), 'utf8')) as { incidents: Incident[] };
  const alertsFile = join(dir, 'alerts.jsonl');
  const alerts = existsSync(alertsFile)
    ? readFileSync(alertsFile, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => (JSON.parse(l) as { detail: Alert }).detail)
    : [];
  return { dir, code, out, err, incidents: manifest.incidents, alerts };
}

const lower = (v: string | undefined) => v?.trim().toLowerCase();
const finds = (a: Alert, i: Incident) =>
  a.detection_id === i.detection && Object.entries(i.match).every(([k, v]) => lower(a.entities[k]) === lower(v));

describe('zoomlake demo', () => {
  it(
    'detects every planted incident, each through a path it was planted for, and nothing else',
    async () => {
      const { code, out, err, incidents, alerts } = await demo(...SIZE);
      expect(err).toBe('');
      expect(code).toBe(0);

      // The manifest plants every scheduled detection, every realtime check and every correlation.
      const planted = new Set(incidents.map((i) => i.detection));
      const everyDetection = [...loadDetections().map((d) => d.id)];
      expect(everyDetection.filter((id) => !planted.has(id))).toEqual([]);

      const missed = incidents.filter((i) => !alerts.some((a) => finds(a, i) && i.paths.includes(a.source)));
      expect(missed.map((i) => `${i.id} (${i.detection})`)).toEqual([]);

      // Each realtime check and each correlation raised at least one alert itself (scheduled twins cannot stand in).
      const bySource = (source: string) => new Set(alerts.filter((a) => a.source === source).map((a) => a.detection_id));
      const realtime = bySource('realtime');
      const correlation = bySource('correlation');
      const on = (path: DetectionPath) =>
        loadDetections()
          .filter((d) => d.paths.includes(path))
          .map((d) => d.id);
      expect(on('realtime').filter((id) => !realtime.has(id))).toEqual([]);
      expect(on('correlation').filter((id) => !correlation.has(id))).toEqual([]);
      expect(bySource('scheduled').size).toBeGreaterThan(0);

      // No alert about benign traffic: every alert finds an incident or names one of the planted identities.
      const unexplained = alerts.filter(
        (a) => !incidents.some((i) => finds(a, i) || Object.values(a.entities).some((v) => i.related.some((r) => lower(r) === lower(v)))),
      );
      expect(unexplained).toEqual([]);

      expect(out).toContain(`score: planted incidents found ${incidents.length}/${incidents.length}, alerts on benign traffic 0`);
    },
    RUN_TIMEOUT,
  );

  // The benign run prints its --json summary: one object on stdout, which must agree with alerts.jsonl.
  it(
    'raises no alert when the company only has benign traffic, though every collector and path saw it',
    async () => {
      const { dir, code, out, err, incidents, alerts } = await demo(...SIZE, '--benign', '--json');
      expect(err).toBe('');
      expect(code).toBe(0);
      expect(incidents).toEqual([]);
      expect(out.trimEnd().split('\n')).toHaveLength(1);
      const summary = JSON.parse(out) as DemoSummary;
      expect(summary.benign).toBe(true);
      expect(summary.score).toEqual({ planted: 0, found: 0, missed: 0, alerts: alerts.length, benign_alerts: alerts.length });
      expect(Object.values(summary.detections).reduce((n, d) => n + d.alerts, 0)).toBe(alerts.length);
      for (const [id, d] of Object.entries(summary.detections)) {
        expect(d.alerts, id).toBe(alerts.filter((a) => a.detection_id === id).length);
        expect(d.benign_alerts, id).toBe(d.alerts);
      }
      // Every detection is listed, alerting or not.
      const everyDetection = [...loadDetections().map((d) => d.id)];
      expect(everyDetection.filter((id) => !(id in summary.detections))).toEqual([]);
      // The background it names is in the manifest too.
      expect(summary.background.map((b) => b.id)).toEqual(
        expect.arrayContaining(['investor-update', 'escalation-call', 'all-hands', 'late-leaver-webhooks']),
      );

      // "No alert" must not come from an empty pipeline: webhooks were accepted, meetings correlated, every table filled.
      expect(summary.pipeline.webhooks_posted).toBeGreaterThan(100);
      expect(summary.pipeline.correlations.completed ?? 0).toBeGreaterThan(5);
      const config = parseConfig(JSON.parse(readFileSync(join(dir, 'zoomlake.config.json'), 'utf8')));
      const engine = await makeLocalRuntime(config, dir).openQueryEngine();
      try {
        const tables = [
          'participant_events',
          'meeting_events',
          'recording_events',
          'user_events',
          'account_events',
          'activities',
          'operation_logs',
          'users',
          'meetings',
          'meeting_participants',
          'participant_details',
          'recordings',
          'meeting_activities',
        ];
        const empty: string[] = [];
        for (const table of tables) if (Number((await engine.query(`SELECT count(*) AS n FROM ${table}`)).rows[0]!.n) === 0) empty.push(table);
        expect(empty).toEqual([]);
      } finally {
        engine.close();
      }
      expect(existsSync(join(dir, 'report.html'))).toBe(true);

      expect(alerts).toEqual([]);
      expect(summary.score.benign_alerts).toBe(0);
    },
    RUN_TIMEOUT,
  );

  it('refuses a folder that holds other data, and says why', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'zoomlake-demo-'));
    writeFileSync(join(dir, 'alerts.jsonl'), '{}\n');
    let err = '';
    const code = await main(['demo', '--dir', dir], {
      out: () => undefined,
      err: (t) => {
        err += t;
      },
      env: {},
      untilStopped: async () => undefined,
    });
    expect(code).toBe(1);
    expect(err).toContain('holds no demo-manifest.json');
    expect(readFileSync(join(dir, 'alerts.jsonl'), 'utf8')).toBe('{}\n');
  });

  it.each([
    ['--users', '10'],
    ['--days', '3'],
    ['--seed', 'x'],
  ])('rejects %s %s', async (flag, value) => {
    let err = '';
    const code = await main(['demo', '--dir', mkdtempSync(join(tmpdir(), 'zoomlake-demo-')), flag, value], {
      out: () => undefined,
      err: (t) => {
        err += t;
      },
      env: {},
      untilStopped: async () => undefined,
    });
    expect(code).toBe(2);
    expect(err).toContain(`${flag} must be an integer`);
  });
});
