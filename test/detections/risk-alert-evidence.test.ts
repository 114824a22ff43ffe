import { describe, expect, it } from 'vitest';
import { loadFixtures } from '../support/detection-fixtures.ts';
import { runPaths } from '../support/detection-paths.ts';

/*
 * zoom.meeting.risk_alert raises two findings per warning (its detection.yml says why): the warning at once, on both
 * paths with one dedup key (so delivery notifies it once, whichever path comes first), and, once the follow-up window
 * has closed, the joins of that window as the second alert's evidence. The fixture tests match alerts by entities;
 * this checks what the evidence holds.
 */

const ID = 'zoom.meeting.risk_alert';
const fixture = (name: string) => loadFixtures(ID).find((f) => f.name === name)!.fixture;

describe('zoom.meeting.risk_alert evidence', () => {
  it('attaches exactly the joins of the hour after the warning, outsiders flagged, and dedups the warning across paths', async () => {
    const byPath = await runPaths(ID, fixture('positive-board-link-joins-after-warning.yml'));
    const scheduled = byPath.scheduled ?? [];
    const stage = (key: string) => key.split('|').at(-1);
    const warning = scheduled.find((a) => stage(a.dedup_key) === 'warning')!;
    const joins = scheduled.find((a) => stage(a.dedup_key) === 'joins_after_warning')!;
    expect(scheduled.map((a) => stage(a.dedup_key)).sort()).toEqual(['joins_after_warning', 'warning']);

    const rows = joins.evidence.map((r) => [r.participant, r.external, r.unauthenticated, r.join_meeting_uuid]);
    expect(rows.sort()).toEqual([
      ['ceo@acme.example', false, false, 'board-i2=='],
      ['guest:zoomer', false, true, 'board-i2=='],
      ['max@rival.example', true, false, 'board-i2=='],
    ]);
    // The webhook and the report name the guest's join once, from both sources.
    expect(joins.evidence.find((r) => r.participant === 'guest:zoomer')?.sources).toBe('meeting_participants, participant_events');
    expect(joins.first_seen).toBe('2026-11-20T10:00:00.000Z');
    expect(joins.last_seen).toBe('2026-11-20T10:30:00.000Z');

    const realtime = byPath.realtime ?? [];
    expect(realtime).toHaveLength(1);
    expect(realtime[0]!.dedup_key).toBe(warning.dedup_key);
    expect(realtime[0]!.first_seen).toBe(warning.first_seen);
    for (const alert of [...realtime, ...scheduled]) {
      expect(JSON.stringify(alert.evidence)).not.toContain('s3cr3tPasscode');
      expect(alert.evidence[0]!.risk_post_platform).toBe('twitter');
    }
  });

  it('raises the warning with the post and the recommended settings on both paths', async () => {
    const byPath = await runPaths(ID, fixture('positive-board-link-posted-warned-at-once.yml'));
    for (const path of ['realtime', 'scheduled'] as const) {
      const [alert] = byPath[path] ?? [];
      expect(alert?.dedup_key, path).toBe('88100200300|https://forum.example/r/zoomcodes/comments/abc123|warning');
      const row = alert!.evidence[0]!;
      expect(row.sensitive_topic, path).toBe(true);
      expect(row.watched_host, path).toBe(true);
      expect(JSON.parse(String(row.armn_details)).recommended_enable_settings, path).toContain('enableOnlyAuthenticated');
    }
  });
});
