import { Prng } from '#core/prng.ts';
import { error, findMeeting, type Route } from './api.ts';
import type { SimRecordingSettings } from './org.ts';

/*
 * Cloud recordings' sharing settings (GET /meetings/{meetingId}/recordings/settings): what a company's recordings
 * usually look like (shared inside the account behind a passcode), and the endpoint serving them.
 */

/** How a recording is shared, the rest of its settings at Zoom's defaults. */
export function sharingSettings(
  share: SimRecordingSettings['share_recording'],
  fields: Partial<Omit<SimRecordingSettings, 'share_recording'>> = {},
): SimRecordingSettings {
  return {
    share_recording: share,
    recording_authentication: share === 'internally',
    authentication_option: share === 'internally' ? 'signIn_D8cJuqWVQ623CI4Q8yQK0Q' : '',
    authentication_domains: '',
    password: '',
    viewer_download: false,
    on_demand: false,
    approval_type: 2,
    send_email_to_host: false,
    show_social_share_buttons: share === 'publicly',
    ...fields,
  };
}

/** A viewing passcode as Zoom makes them: letters, digits and a symbol. */
export function recordingPasscode(rng: Prng): string {
  return `${rng.chars(7)}${rng.pick(['.', '*', '@', '+'])}${rng.int(10, 99)}`;
}

/**
 * The routine sharing of a recording: mostly shared inside the account, signed in and behind a passcode; now and then
 * not shared at all; never public (public recordings are chosen on purpose, see the organisations that make them).
 */
export function routineSharing(rng: Prng): SimRecordingSettings {
  return rng.chance(0.12) ? sharingSettings('none') : sharingSettings('internally', { password: recordingPasscode(rng) });
}

/** A recording published on purpose: public, no passcode, downloadable (a product video for the website). */
export const PUBLISHED_ON_PURPOSE: SimRecordingSettings = sharingSettings('publicly', { viewer_download: true });

/** GET /meetings/{meetingId}/recordings/settings: the settings of an instance's (or a number's latest) recording. */
export const RECORDING_SETTINGS_ROUTE: Route = {
  name: 'GET /meetings/{meetingId}/recordings/settings',
  pattern: /^\/meetings\/([^/]+)\/recordings\/settings$/,
  category: 'Light',
  access: 'paid',
  defaultPageSize: 30,
  handle(req) {
    const meeting = findMeeting(req.org, req.params[0] ?? '');
    const recording = meeting && req.org.recordings.find((r) => r.uuid === meeting.uuid && !r.trashed);
    if (!recording) return error(404, 3301, 'There is no recording for this meeting.');
    return { kind: 'object', body: { ...recording.sharing, topic: recording.topic } };
  },
};
