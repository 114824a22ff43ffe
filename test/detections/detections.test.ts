import pkg from 'node-sql-parser';
import { describe, expect, it } from 'vitest';
import { loadDetections, loadHuntingQueries } from '../../lib/detections/load.ts';
import { loadFixtures, matchExpected, runFixture } from '../support/detection-fixtures.ts';

const { Parser } = pkg;
const parser = new Parser();
const detections = loadDetections();

/** The detection ids the detections issue requires; they are stable from now on. */
const REQUIRED = [
  'zoom.participant.external_in_sensitive_meeting',
  'zoom.participant.guest_impersonates_internal',
  'zoom.participant.join_after_deactivation',
  'zoom.participant.join_burst_many_ips',
  'zoom.participant.brief_join_recon',
  'zoom.participant.unexpected_ip_recurring_meeting',
  'zoom.participant.unknown_device_watched_meeting',
  'zoom.participant.outdated_client',
  'zoom.participant.silent_presence',
  'zoom.participant.impossible_travel',
  'zoom.activity.parallel_session_ip',
  'zoom.recording.download_by_non_participant',
  'zoom.recording.deleted_after_external_meeting',
  'zoom.operation.security_setting_weakened',
  'zoom.operation.privileged_role_granted',
  'zoom.meeting.direct_link_access',
];

describe('the detection library', () => {
  it('has every required detection', () => {
    const ids = detections.map((d) => d.id);
    expect(REQUIRED.filter((id) => !ids.includes(id))).toEqual([]);
  });

  it.each(detections.map((d) => [d.id, d] as const))('%s parses as Trino SQL', (_id, d) => {
    expect(() => parser.astify(d.sql, { database: 'trino' })).not.toThrow();
  });

  it.each(loadHuntingQueries().map((q) => [q.name, q] as const))('hunting query %s parses as Trino SQL', (_name, q) => {
    expect(() => parser.astify(q.sql, { database: 'trino' })).not.toThrow();
  });

  it.each(detections.map((d) => [d.id, d] as const))('%s has positive and negative fixtures', (id) => {
    const kinds = new Set(loadFixtures(id).map((f) => f.kind));
    expect([...kinds].sort()).toEqual(['negative', 'positive']);
  });
});

const cases = detections.flatMap((d) => loadFixtures(d.id).map((f) => [`${d.id} ${f.name}`, d, f] as const));

describe.each(cases)('fixture %s', (_name, detection, file) => {
  it(file.fixture.description, async () => {
    const alerts = await runFixture(detection, file.fixture);
    expect(matchExpected(alerts, file.fixture.expect)).toEqual([]);
    for (const alert of alerts) {
      expect(alert.detection_id).toBe(detection.id);
      expect(alert.evidence.length).toBeGreaterThan(0);
    }
  });
});
