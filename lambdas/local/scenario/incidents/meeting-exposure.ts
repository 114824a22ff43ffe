import { HOUR_MS, MIN_MS } from '../timeline.ts';
import { isoSeconds as iso } from '../../zoom-simulator/org.ts';
import { sharingSettings } from '../../zoom-simulator/recording-settings.ts';
import { shareRecording } from '../audit-trail.ts';
import type { PlantKit } from './kit.ts';

/*
 * Incidents of meetings left open: Zoom warns that a board meeting's link is public and strangers use it, a deal
 * meeting's passcode and waiting room are removed, and a board meeting's recording is shared publicly.
 */

/**
 * 24. Zoom's At-Risk Meeting Notifier finds the link of the CEO's board committee meeting in a public post; in the
 * hour after the warning the meeting's next instance starts and two strangers join it through the link.
 */
export function riskAlertOnBoardLink(k: PlantKit): void {
  const { sessions, before, plant, incident, outsider, guestNamed, out, accountId } = k;
  const { ceo, cfo, counsel } = k.people.execs;
  const warnedAt = before(6, 30);
  const m = plant('Board committee - audit review', ceo, warnedAt + 20 * MIN_MS, 50, [cfo, counsel], undefined, 8);
  const guest = guestNamed('iPhone', { ip: '102.129.143.7', location: 'Lagos (NG)' });
  const stranger = outsider('proton-mail.example', { ip: '91.219.236.18', location: 'Kyiv (UA)' });
  m.sessions.push(sessions.session(m, guest, m.start + 8 * MIN_MS, m.start + 31 * MIN_MS));
  m.sessions.push(sessions.session(m, stranger, m.start + 15 * MIN_MS, m.start + 44 * MIN_MS));
  out.events.push({
    at: warnedAt,
    event: 'meeting.risk_alert',
    payload: {
      account_id: accountId,
      object: {
        id: m.id,
        uuid: m.uuid,
        host_id: ceo.userId,
        host_email: ceo.email,
        topic: m.topic,
        type: m.type,
        start_time: iso(m.start),
        timezone: 'UTC',
        armn_details: {
          post_platform: 'reddit',
          social_link: `https://www.reddit.example/r/zoomcodes/comments/${m.id.toString(36)}`,
          post_time: iso(warnedAt - 35 * MIN_MS),
          post_user: 'raid_coordinator',
          meeting_url: `https://example.zoom.us/j/${m.id}?pwd=${m.uuid.replace(/[^A-Za-z0-9]/g, '').slice(0, 20)}`,
          recommended_enable_settings: ['enablePassword', 'enableWaitingRoom', 'enableOnlyAuthenticated'],
          recommended_disable_settings: ['enableScreenShareForAll'],
        },
      },
    },
  });
  incident({
    id: 'risk-alert-board-link',
    detection: 'zoom.meeting.risk_alert',
    paths: ['realtime', 'scheduled'],
    time: iso(warnedAt),
    summary:
      `Zoom warns that the link of "${m.topic}" (hosted by ${ceo.email}) is posted publicly; in the hour after, ` +
      `"${guest.name}" and ${stranger.email} join it (the warning at once, the joins once the hour has closed)`,
    match: { meeting_id: String(m.id) },
    related: [String(m.id), m.uuid, guest.name, guest.home.ip, stranger.email, stranger.home.ip],
  });
}

/**
 * 25. A deal meeting created with a passcode and the waiting room is updated by a colleague to remove both (Zoom's
 * meeting.updated carries only the changed fields, the old ones in old_object).
 */
export function dealMeetingOpened(k: PlantKit): void {
  const { t, E, before, pick, incident, out, accountId, factory } = k;
  const { counsel } = k.people.execs;
  const id = factory.newId();
  const topic = 'Acquisition diligence - Project Heron';
  const createdAt = Math.max(t.liveFrom + 2 * HOUR_MS, E - 20 * HOUR_MS);
  const passcode = `Hr${id.toString(36).slice(-6)}`;
  out.events.push({
    at: createdAt,
    event: 'meeting.created',
    payload: {
      account_id: accountId,
      operator: counsel.email,
      operator_id: counsel.userId,
      object: {
        id,
        uuid: factory.newUuid(),
        host_id: counsel.userId,
        topic,
        type: 8,
        start_time: iso(E + 2 * 24 * HOUR_MS),
        duration: 60,
        timezone: 'UTC',
        password: passcode,
        settings: { waiting_room: true, meeting_authentication: false, join_before_host: false, use_pmi: false },
      },
    },
  });
  const assistant = pick((e) => e.dept === 'Legal' || e.dept === 'Finance');
  const at = before(3, 40);
  out.events.push({
    at,
    event: 'meeting.updated',
    payload: {
      account_id: accountId,
      operator: assistant.email,
      operator_id: assistant.userId,
      time_stamp: at,
      object: { id, password: '', settings: { waiting_room: false } },
      old_object: { id, password: passcode, settings: { waiting_room: true } },
    },
  });
  incident({
    id: 'deal-meeting-opened',
    detection: 'zoom.meeting.weak_settings',
    paths: ['scheduled'],
    time: iso(at),
    summary: `${assistant.email} removes the passcode and the waiting room from "${topic}" (hosted by ${counsel.email})`,
    match: { meeting_id: String(id) },
    related: [String(id), assistant.email],
  });
}

/** 26. The CFO shares the recording of a board committee meeting publicly, without a passcode, downloads allowed. */
export function boardRecordingPublic(k: PlantKit): void {
  const { before, plant, incident } = k;
  const { ceo, cfo, counsel } = k.people.execs;
  const m = plant('Board compensation committee', cfo, before(27), 45, [ceo, counsel]);
  shareRecording(m, sharingSettings('publicly', { viewer_download: true }));
  incident({
    id: 'board-recording-public',
    detection: 'zoom.recording.shared_publicly',
    paths: ['scheduled'],
    time: iso(m.end),
    summary: `${cfo.email} shares the recording of "${m.topic}" publicly, without a passcode`,
    match: { meeting_uuid: m.uuid },
    related: [m.uuid, String(m.id)],
  });
}
