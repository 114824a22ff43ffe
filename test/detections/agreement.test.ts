import { describe, expect, it } from 'vitest';
import { applyParameterOverrides, type DetectionPath } from '#core/detect/detection.ts';
import type { DetectionRegistry } from '#core/detect/registry.ts';
import { loadDetections } from '../../lib/detections/load.ts';
import { loadFixtures, type FixtureFile } from '../support/detection-fixtures.ts';
import { pathProblems, runPaths } from '../support/detection-paths.ts';

/*
 * The agreement check must catch a disagreement: the same fixture with one path's definition changed (a threshold
 * the realtime check or the SQL reads differently) must fail. Without this, a harness that ran one path twice would
 * pass every fixture.
 */

const fixture = (id: string, name: string): FixtureFile => {
  const file = loadFixtures(id).find((f) => f.name === name);
  if (!file) throw new Error(`no fixture ${id}/${name}`);
  return file;
};

/** The registry with one detection's parameter changed, for one path only. */
const tampered = (only: DetectionPath, id: string, name: string, value: number) => (path: DetectionPath, registry: DetectionRegistry) =>
  path === only ? registry.withDetections(applyParameterOverrides(registry.detections, { [id]: { parameters: { [name]: value } } })) : registry;

const CASES: readonly { what: string; id: string; fixture: string; path: DetectionPath; parameter: string; value: number }[] = [
  {
    what: 'a realtime burst threshold above the definition',
    id: 'zoom.participant.join_burst_many_ips',
    fixture: 'positive-thirty-guests-over-four-minutes.yml',
    path: 'realtime',
    parameter: 'min_ips',
    value: 40,
  },
  {
    what: 'a realtime burst threshold below the definition',
    id: 'zoom.participant.join_burst_many_ips',
    fixture: 'negative-all-hands-trickle-and-nine.yml',
    path: 'realtime',
    parameter: 'min_ips',
    value: 9,
  },
  {
    what: 'a scheduled window shorter than the realtime one',
    id: 'zoom.participant.join_burst_many_ips',
    fixture: 'positive-thirty-guests-over-four-minutes.yml',
    path: 'scheduled',
    parameter: 'window_minutes',
    value: 1,
  },
  {
    what: 'a realtime count of sensitive meetings below the definition',
    id: 'zoom.participant.external_in_sensitive_meeting',
    fixture: 'negative-registered-investor-briefings.yml',
    path: 'realtime',
    parameter: 'min_sensitive_meetings',
    value: 1,
  },
  {
    what: 'a realtime name match looser than the definition',
    id: 'zoom.participant.guest_impersonates_internal',
    fixture: 'negative-near-names-by-webhook.yml',
    path: 'realtime',
    parameter: 'max_edits',
    value: 2,
  },
];

describe('agreement between paths', () => {
  it.each(CASES)('fails on $what', async (c) => {
    const file = fixture(c.id, c.fixture);
    const declared = loadDetections().find((d) => d.id === c.id)!.paths;
    expect(pathProblems(declared, file, await runPaths(c.id, file.fixture))).toEqual([]);
    const problems = pathProblems(declared, file, await runPaths(c.id, file.fixture, { registryFor: tampered(c.path, c.id, c.parameter, c.value) }));
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.every((p) => p.startsWith(`${c.path} path`))).toBe(true);
  });

  it('fails when a declared path raises nothing for a positive fixture', async () => {
    const file = fixture('zoom.recording.download_by_non_participant', 'positive-download-right-after-meeting.yml');
    const byPath = await runPaths('zoom.recording.download_by_non_participant', file.fixture);
    expect(pathProblems(['scheduled', 'correlation'], file, byPath)).toEqual([]);
    expect(pathProblems(['scheduled', 'correlation'], file, { ...byPath, correlation: [] })).toEqual([
      'correlation path: expected 1 alert(s), got 0',
      'correlation path: no alert with entities {"operator":"it-admin@acme.example","meeting_id":"87711223344","host_email":"ceo@acme.example"}',
      'correlation path: alerts: []',
    ]);
  });
});
