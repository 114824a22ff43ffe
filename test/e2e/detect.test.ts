import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { alertSchema } from '#core/alerts/alert.ts';
import { initLakeFolder } from '#local/pipeline/lake-folder.ts';
import { localPaths } from '#local/pipeline/runtime.ts';
import { isScheduled } from '#core/detect/detection.ts';
import { loadDetections } from '../../lib/detections/load.ts';
import { loadFixtures, writeFixtureConfig, matchExpected } from '../support/detection-fixtures.ts';
import { writeFixtureLakeWithWebhooks } from '../support/detection-paths.ts';
import { runCli } from '../support/cli-process.ts';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const cli = (...argv: string[]) => runCli(argv);

// Each scheduled detection's fixtures become a planted incident (positive) or its benign counterpart (negative) in
// a local lake, and `zoomlake detect --json` must print exactly the expected alerts, with the right entities.
const cases = loadDetections()
  .filter(isScheduled)
  .flatMap((d) =>
    loadFixtures(d.id)
      .filter((f) => f.fixture.paths?.includes('scheduled') ?? true)
      .map((f) => [d.id, f.name, f] as const),
  );

describe('zoomlake detect --json over a planted lake', () => {
  it.each(cases)('%s %s', async (id, _name, file) => {
    const dir = mkdtempSync(join(tmpdir(), 'zoomlake-detect-'));
    dirs.push(dir);
    await writeFixtureLakeWithWebhooks(join(dir, 'lake'), file.fixture);
    const configFile = writeFixtureConfig(dir, file.fixture);
    const { code, out, err } = await cli('detect', '--json', '--detection', id, '--now', file.fixture.now, '--dir', dir, '--config', configFile);
    expect(err).toBe('');
    expect(code).toBe(0);
    const alerts = out
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => alertSchema.parse(JSON.parse(l)));
    expect(matchExpected(alerts, file.fixture.expect)).toEqual([]);
    for (const alert of alerts) expect(alert).toMatchObject({ detection_id: id, source: 'scheduled' });
  });
});

describe('zoomlake detect errors', () => {
  it.each([
    [['detect', '--detection', 'zoom.nope.nothing'], 2, /unknown detection zoom\.nope\.nothing/],
    [['detect', '--now', 'yesterday'], 2, /--now must be an ISO-8601 time/],
  ])('%j exits %i', async (argv, code, message) => {
    const dir = mkdtempSync(join(tmpdir(), 'zoomlake-detect-'));
    dirs.push(dir);
    const result = await cli(...argv, '--dir', dir);
    expect(result.code).toBe(code);
    expect(result.err).toMatch(message);
  });

  it('prints a summary without --json, and zero alerts on an empty lake', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'zoomlake-detect-'));
    dirs.push(dir);
    initLakeFolder(localPaths(dir));
    const result = await cli('detect', '--dir', dir, '--now', '2026-11-20T12:00:00Z');
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/detections over .* up to 2026-11-20T12:00:00\.000Z: 0 alerts/);
  });
});
