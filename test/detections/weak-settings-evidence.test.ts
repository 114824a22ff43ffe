import { describe, expect, it } from 'vitest';
import { loadFixtures } from '../support/detection-fixtures.ts';
import { runPaths } from '../support/detection-paths.ts';

/*
 * zoom.meeting.weak_settings reads each setting as the latest value the meeting's created/updated events stated; the
 * fixture tests match alerts by entities, this checks what the evidence says about the change and when the meeting
 * became exposed.
 */

const ID = 'zoom.meeting.weak_settings';
const fixture = (name: string) => loadFixtures(ID).find((f) => f.name === name)!.fixture;

describe('zoom.meeting.weak_settings evidence', () => {
  it('names what the update removed, carrying the topic and settings from the creation', async () => {
    const [alert] = (await runPaths(ID, fixture('positive-board-meeting-update-removes-passcode-and-waiting-room.yml'))).scheduled ?? [];
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
    const alerts = (await runPaths(ID, fixture('positive-recurring-and-personal-meetings-outsiders-join.yml'))).scheduled ?? [];
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
