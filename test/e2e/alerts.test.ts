import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { alertSchema } from '#core/alerts/alert.ts';
import { isScheduled } from '#core/detect/detection.ts';
import { loadDetections } from '../../lib/detections/load.ts';
import { loadFixtures, writeFixtureConfig } from '../support/detection-fixtures.ts';
import { writeFixtureLakeWithWebhooks } from '../support/detection-paths.ts';
import { runCli } from '../support/cli-process.ts';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const cli = (...argv: string[]) => runCli(argv);

function alertsFile(dir: string): { detailType: string; source: string; detail: { alert_id: string; count: number } }[] {
  let text = '';
  try {
    text = readFileSync(join(dir, 'alerts.jsonl'), 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as never);
}

// The first positive fixture of a few detections, one lake each: a planted incident raises alerts on every run of
// detect. A few suffice here; test/e2e/detect.test.ts covers every fixture's alerts.
const positives = loadDetections()
  .filter(isScheduled)
  .flatMap((d) => {
    const file = loadFixtures(d.id).find((f) => f.kind === 'positive' && (f.fixture.paths?.includes('scheduled') ?? true));
    return file ? [[d.id, file.fixture] as const] : [];
  })
  .slice(0, 3);

describe('zoomlake detect delivers each alert once', () => {
  it('has a positive fixture to run', () => {
    expect(positives.length).toBeGreaterThan(0);
  });

  it.each(positives)('%s: a second run over the same lake notifies nothing new', async (id, fixture) => {
    const dir = mkdtempSync(join(tmpdir(), 'zoomlake-alerts-'));
    dirs.push(dir);
    await writeFixtureLakeWithWebhooks(join(dir, 'lake'), fixture);
    const configFile = writeFixtureConfig(dir, fixture);
    const args = ['detect', '--detection', id, '--now', fixture.now, '--dir', dir, '--config', configFile];

    const first = await cli(...args, '--json');
    expect(first.err).toBe('');
    expect(first.code).toBe(0);
    const raised = first.out
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => alertSchema.parse(JSON.parse(l)));
    expect(raised.length).toBe(fixture.expect.length);
    const afterFirst = alertsFile(dir);
    expect(afterFirst.map((e) => e.detail.alert_id).sort()).toEqual(raised.map((a) => a.alert_id).sort());
    for (const e of afterFirst) expect(e).toMatchObject({ source: 'zoomlake', detailType: 'Zoom Security Alert', detail: { count: 1 } });

    const second = await cli(...args);
    expect(second.code).toBe(0);
    expect(second.out).toContain(`${raised.length} alerts, 0 notified`);
    expect(second.out).toContain(`${raised.length} suppressed as repeats`);
    expect(second.out).toContain('suppressed (x2)');
    const third = await cli(...args, '--json');
    // --json still prints every alert raised, notified or not.
    expect(third.out.split('\n').filter((l) => l !== '')).toHaveLength(raised.length);
    expect(alertsFile(dir)).toEqual(afterFirst);

    // Every notified alert is in the lake's alerts table once.
    const hunt = await cli('hunt', '--json', '--dir', dir, '--config', configFile, `SELECT alert_id FROM alerts WHERE detection_id = '${id}'`);
    expect(hunt.code).toBe(0);
    const ids = hunt.out
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => (JSON.parse(l) as { alert_id: string }).alert_id)
      .sort();
    expect(ids).toEqual(raised.map((a) => a.alert_id).sort());
  });

  it('reports notified alerts in the summary of a first run', async () => {
    const [id, fixture] = positives[0]!;
    const dir = mkdtempSync(join(tmpdir(), 'zoomlake-alerts-'));
    dirs.push(dir);
    await writeFixtureLakeWithWebhooks(join(dir, 'lake'), fixture);
    const configFile = writeFixtureConfig(dir, fixture);
    const run = await cli('detect', '--detection', id, '--now', fixture.now, '--dir', dir, '--config', configFile);
    expect(run.out).toContain(`${fixture.expect.length} alerts, ${fixture.expect.length} notified (${join(dir, 'alerts.jsonl')}), 0 suppressed`);
  });
});
