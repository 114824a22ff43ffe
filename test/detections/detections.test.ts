import pkg from 'node-sql-parser';
import { describe, expect, it } from 'vitest';
import { bindNamed, isScheduled } from '#core/detect/detection.ts';
import { loadCorrelationQueries, loadDetections, loadHuntingQueries } from '../../lib/detections/load.ts';
import { loadFixtures } from '../support/detection-fixtures.ts';
import { pathProblems, runPaths } from '../support/detection-paths.ts';

const { Parser } = pkg;
const parser = new Parser();
const all = loadDetections();
const detections = all.filter(isScheduled);

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
    // :days_from and :days_to (a detection with days.sql) become positional ? when they are bound.
    expect(() => parser.astify(bindNamed(d.sql, { days_from: '2026-01-01', days_to: '2026-01-02' }, 'now').sql, { database: 'trino' })).not.toThrow();
    if (d.daysSql !== undefined) expect(() => parser.astify(d.daysSql!, { database: 'trino' })).not.toThrow();
  });

  it.each(loadHuntingQueries().map((q) => [q.name, q] as const))('hunting query %s parses as Trino SQL', (_name, q) => {
    expect(() => parser.astify(q.sql, { database: 'trino' })).not.toThrow();
  });

  it.each(loadCorrelationQueries().map((q) => [q.name, q] as const))('correlation query %s parses as Trino SQL', (_name, q) => {
    // Named parameters (:name) become positional ? before execution; the data-access identifiers come from config.
    const sql = q.sql.replace(/:([a-z][a-z0-9_]*)/g, '?').replace(/"\{(\w+)\}"/g, '"$1"');
    expect(() => parser.astify(sql, { database: 'trino' })).not.toThrow();
  });

  it.each(all.map((d) => [d.id, d] as const))('%s has positive and negative fixtures', (id) => {
    const kinds = new Set(loadFixtures(id).map((f) => f.kind));
    expect([...kinds].sort()).toEqual(['negative', 'positive']);
  });
});

const cases = all.flatMap((d) => loadFixtures(d.id).map((f) => [`${d.id} ${f.name}`, d, f] as const));

/*
 * Every fixture through every path its detection declares (scheduled SQL on DuckDB, realtime checks over the signed
 * webhooks, post-meeting correlation): each path must raise exactly the expected alerts. A positive fixture may name
 * the paths that can see its evidence (`paths`, with `why`); the others must raise nothing that is not expected. A
 * negative may name the paths its near miss is about (e.g. a lookback, which only a scheduled run has).
 */
describe.each(cases)('fixture %s', (_name, detection, file) => {
  it(file.fixture.description, async () => {
    const byPath = await runPaths(detection.id, file.fixture);
    expect(pathProblems(detection.paths, file, byPath)).toEqual([]);
    for (const alerts of Object.values(byPath)) {
      for (const alert of alerts) {
        expect(alert.detection_id).toBe(detection.id);
        expect(alert.evidence.length).toBeGreaterThan(0);
      }
    }
  });
});
