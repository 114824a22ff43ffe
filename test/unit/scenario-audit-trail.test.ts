import { describe, expect, it } from 'vitest';
import { meetingActivityRow } from '#core/poll/rows.ts';
import { plantRemoteControl, remoteControlTrail, shareRecording } from '#local/scenario/audit-trail.ts';
import type { MeetingPlan, Session } from '#local/scenario/calendar.ts';
import type { Person } from '#local/scenario/people.ts';
import { sharingSettings } from '#local/zoom-simulator/recording-settings.ts';

/*
 * The planting hooks the demo's incidents use for the meeting audit trail and recording sharing, on a hand-made
 * meeting (the benign uses are in scenario.test.ts).
 */

const T0 = Date.UTC(2026, 10, 25, 14);
const MIN = 60_000;
const person = (name: string, email: string, kind: Person['kind']): Person => ({ name, email, kind }) as Person;
const victim = person('Dana Reyes', 'dana.reyes@example.com', 'internal');
const caller = person('Zoom Support', '', 'guest');
const latecomer = person('Kofi Mensah', 'kofi.mensah@example.com', 'internal');
const session = (p: Person, join: number, leave: number, extra: Partial<Session> = {}): Session =>
  ({ person: p, name: p.name, email: p.email, join, leave, ...extra }) as Session;

function meeting(): MeetingPlan {
  return {
    id: 98_261_002_851,
    uuid: 'u==',
    topic: 'Laptop trouble',
    sessions: [
      session(victim, T0, T0 + 40 * MIN),
      session(caller, T0 + 2 * MIN, T0 + 30 * MIN),
      session(latecomer, T0 + 35 * MIN, T0 + 40 * MIN),
      session(latecomer, T0, T0 + 10 * MIN, { waitingRoomOnly: true }),
    ],
    recorded: false,
  } as unknown as MeetingPlan;
}

describe('plantRemoteControl', () => {
  it('adds the request and the grant to the trail, naming both as they showed in the meeting', () => {
    const m = meeting();
    plantRemoteControl(m, { at: T0 + 10 * MIN, sharer: victim, controller: caller });
    const trail = remoteControlTrail(m);
    expect(trail).toEqual([
      {
        meeting_number: '982 6100 2851',
        activity_time: '2026-11-25 14:09:47:655',
        operator: 'Zoom Support',
        activity_category: 'Remote Control',
        activity_detail: 'Zoom Support requested remote control',
      },
      {
        meeting_number: '982 6100 2851',
        activity_time: '2026-11-25 14:10:00:000',
        operator: 'Dana Reyes',
        operator_email: 'dana.reyes@example.com',
        activity_category: 'Remote Control',
        activity_detail: 'Dana Reyes gave remote control to Zoom Support',
      },
    ]);
    // What the poller makes of it.
    expect(trail.map((e) => meetingActivityRow(e))).toMatchObject([
      { meeting_id: '98261002851', operator: 'Zoom Support', operator_email: null },
      { meeting_id: '98261002851', operator: 'Dana Reyes', activity_time: T0 + 10 * MIN },
    ]);
  });

  it('leaves the request out when asked, and keeps every hand-over of the meeting', () => {
    const m = meeting();
    plantRemoteControl(m, { at: T0 + 5 * MIN, sharer: victim, controller: caller, requested: false });
    plantRemoteControl(m, { at: T0 + 36 * MIN, sharer: latecomer, controller: victim, requested: false });
    expect(remoteControlTrail(m).map((e) => e.activity_detail)).toEqual([
      'Dana Reyes gave remote control to Zoom Support',
      'Kofi Mensah gave remote control to Dana Reyes',
    ]);
  });

  it.each([
    ['before the controller joined', T0 + MIN],
    ['after the controller left', T0 + 31 * MIN],
  ])('refuses a hand-over %s', (_name, at) => {
    expect(() => plantRemoteControl(meeting(), { at, sharer: victim, controller: caller })).toThrow(/Zoom Support is not in the meeting then/);
  });

  it('does not count a waiting room as being in the meeting', () => {
    expect(() => plantRemoteControl(meeting(), { at: T0 + 5 * MIN, sharer: latecomer, controller: victim })).toThrow(
      /Kofi Mensah is not in the meeting/,
    );
  });
});

describe('shareRecording', () => {
  it('records the meeting and sets how its recording is shared', () => {
    const m = meeting();
    shareRecording(m, sharingSettings('publicly', { viewer_download: true }));
    expect(m.recorded).toBe(true);
    expect(m.sharing).toMatchObject({ share_recording: 'publicly', password: '', viewer_download: true, recording_authentication: false });
  });
});
