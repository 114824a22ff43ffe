import { describe, expect, it } from 'vitest';
import { loadFixtures, type Fixture } from '../support/detection-fixtures.ts';
import { runPaths } from '../support/detection-paths.ts';

/*
 * What the alerts of some detections hold beyond the entities the fixture tests match: the evidence they attach, one
 * dedup key across paths, and near misses turned into hits to prove the rule that keeps them quiet.
 */

const fixture = (id: string, name: string): Fixture => {
  const file = loadFixtures(id).find((f) => f.name === name);
  if (!file) throw new Error(`no fixture ${id}/${name}`);
  return file.fixture;
};

/*
 * zoom.meeting.risk_alert raises two findings per warning (its detection.yml says why): the warning at once, on both
 * paths with one dedup key (so delivery notifies it once, whichever path comes first), and, once the follow-up window
 * has closed, the joins of that window as the second alert's evidence. The fixture tests match alerts by entities;
 * this checks what the evidence holds.
 */
const RISK = 'zoom.meeting.risk_alert';

describe('zoom.meeting.risk_alert evidence', () => {
  it('attaches exactly the joins of the hour after the warning, outsiders flagged, and dedups the warning across paths', async () => {
    const byPath = await runPaths(RISK, fixture(RISK, 'positive-board-link-joins-after-warning.yml'));
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
    const byPath = await runPaths(RISK, fixture(RISK, 'positive-board-link-posted-warned-at-once.yml'));
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

describe('zoom.meeting.risk_alert near misses', () => {
  it('raises the public launch-webinar link on both paths once it is a meeting, not a webinar', async () => {
    const webinar = fixture(RISK, 'negative-marketing-webinar-link-on-company-site.yml');
    const asMeeting: Fixture = {
      ...webinar,
      webhooks: webinar.webhooks.map((w) => {
        const body = w.body as { payload: { object: Record<string, unknown> } };
        return { ...w, body: { ...w.body, event: 'meeting.risk_alert', payload: { ...body.payload, object: { ...body.payload.object, type: 2 } } } };
      }),
    };
    const quiet = await runPaths(RISK, webinar);
    expect([quiet.realtime, quiet.scheduled]).toEqual([[], []]);
    const raised = await runPaths(RISK, asMeeting);
    for (const path of ['realtime', 'scheduled'] as const)
      expect(
        raised[path]?.map((a) => a.entities.meeting_id),
        path,
      ).toEqual(['99100200500']);
  });
});

/*
 * zoom.meeting.weak_settings reads each setting as the latest value the meeting's created/updated events stated; the
 * fixture tests match alerts by entities, this checks what the evidence says about the change and when the meeting
 * became exposed.
 */
const WEAK = 'zoom.meeting.weak_settings';

describe('zoom.meeting.weak_settings evidence', () => {
  it('names what the update removed, carrying the topic and settings from the creation', async () => {
    const [alert] = (await runPaths(WEAK, fixture(WEAK, 'positive-board-meeting-update-removes-passcode-and-waiting-room.yml'))).scheduled ?? [];
    expect(alert?.evidence).toEqual([
      expect.objectContaining({
        event: 'meeting.updated',
        topic: 'Board prep: Q4 numbers',
        meeting_type: 8,
        has_passcode: false,
        waiting_room: false,
        meeting_authentication: false,
        passcode_removed: true,
        waiting_room_turned_off: true,
        reasons: 'sensitive topic',
      }),
    ]);
    expect(alert?.first_seen).toBe('2026-11-20T09:00:00.000Z');
  });

  it('dates a recurring meeting by its first outsider join, and a personal-id meeting with earlier outsiders by the change', async () => {
    const alerts = (await runPaths(WEAK, fixture(WEAK, 'positive-recurring-and-personal-meetings-outsiders-join.yml'))).scheduled ?? [];
    const byMeeting = Object.fromEntries(alerts.map((a) => [a.entities.meeting_id, a]));
    expect(byMeeting['87700300400']?.first_seen).toBe('2026-11-20T10:01:00.000Z');
    expect(byMeeting['87700300400']?.evidence[0]).toMatchObject({
      reasons: 'recurring meeting with outsiders',
      outsider_names: 'cleo@contoso.example',
    });
    expect(byMeeting['87700500600']?.first_seen).toBe('2026-11-20T08:00:00.000Z');
    expect(byMeeting['87700500600']?.evidence[0]).toMatchObject({
      reasons: 'personal meeting with outsiders',
      outsider_names: 'guest:visitor',
      use_pmi: true,
    });
  });
});

/*
 * zoom.recording.shared_publicly: what the evidence says about the exposure, and proof that the webinar rule is what
 * keeps the public launch replay quiet (the same fixture as a meeting raises).
 */
const SHARED = 'zoom.recording.shared_publicly';

describe('zoom.recording.shared_publicly evidence', () => {
  it('says how each recording is exposed and why its meeting matters', async () => {
    const [board] = (await runPaths(SHARED, fixture(SHARED, 'positive-board-recording-shared-publicly.yml'))).scheduled ?? [];
    expect(board?.evidence[0]).toMatchObject({ exposure: 'shared publicly', recording_has_passcode: true, reasons: 'sensitive topic', outsiders: 0 });
    const [call] = (await runPaths(SHARED, fixture(SHARED, 'positive-customer-call-recording-without-passcode.yml'))).scheduled ?? [];
    expect(call?.evidence[0]).toMatchObject({
      exposure: 'no passcode, sharing not known to be internal',
      share_recording: null,
      webhook_has_passcode: false,
      reasons: 'outsiders in the meeting',
      outsider_names: 'cleo@contoso.example',
    });
    expect(call?.first_seen).toBe('2026-11-20T10:50:00.000Z');
  });

  it('raises the public launch replay once it is a meeting rather than a webinar', async () => {
    const webinar = fixture(SHARED, 'negative-marketing-webinar-replay-public.yml');
    const asMeeting: Fixture = {
      ...webinar,
      rows: {
        ...webinar.rows,
        participant_events: (webinar.rows.participant_events ?? []).map((r) => ({ ...r, event: 'meeting.participant_joined' })),
      },
    };
    expect((await runPaths(SHARED, webinar)).scheduled).toEqual([]);
    const alerts = (await runPaths(SHARED, asMeeting)).scheduled ?? [];
    expect(alerts.map((a) => [a.entities.meeting_uuid, a.evidence[0]?.outsider_names])).toEqual([['launch-rec==', 'guest:walk in']]);
  });
});
