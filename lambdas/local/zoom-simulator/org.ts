import type { SimChat } from './chat.ts';
import type { Seed } from '#core/prng.ts';

/*
 * The Zoom API simulator's organisation: users, sign-in activity, the admin operation log, past meetings with their
 * participants and audit trail, cloud recordings with their sharing settings and Team Chat, in the shapes Zoom's API
 * returns, and Zoom's date formats.
 * generate-org.ts builds one from a seed; the demo scenario builds its own (lambdas/local/scenario).
 */

/** The company's own email domain; every other domain is external. */
export const ORG_DOMAIN = 'example.com';

/** A user as `GET /users` returns it. */
export interface SimUser {
  readonly id: string;
  readonly email: string;
  readonly first_name: string;
  readonly last_name: string;
  readonly display_name: string;
  /** 1 Basic, 2 Licensed. */
  readonly type: 1 | 2;
  readonly status: 'active' | 'inactive' | 'pending';
  /** '0' owner, '1' admin, '2' member. */
  readonly role_id: string;
  readonly dept: string;
  readonly group_ids: string[];
  readonly im_group_ids: string[];
  readonly last_login_time?: string;
  readonly last_client_version?: string;
  readonly created_at: string;
  readonly user_created_at: string;
  readonly timezone: string;
  readonly verified: 0 | 1;
  readonly pmi: number;
  readonly employee_unique_id: string;
  readonly custom_attributes: { key: string; name: string; value: string }[];
}

/** A sign-in/sign-out record as `GET /report/activities` returns it (some lack ip/client/version, as in Zoom). */
export interface SimActivity {
  readonly email: string;
  readonly time: string;
  readonly type: 'Sign in' | 'Sign out';
  readonly ip_address?: string;
  readonly client_type?: string;
  readonly version?: string;
}

/** An admin audit record as `GET /report/operationlogs` returns it; operator/action may be absent, as in Zoom. */
export interface SimOperationLog {
  readonly time: string;
  readonly operator?: string;
  readonly category_type: string;
  readonly action?: string;
  readonly operation_detail: string;
}

/** Who a participant is, for tests; Zoom itself only shows this through blank fields. */
export type ParticipantKind = 'internal' | 'external' | 'guest' | 'dial_in';

/** One join session of one participant, with every dashboard field (`/metrics/meetings/{id}/participants`). */
export interface SimParticipant {
  readonly kind: ParticipantKind;
  /** The Zoom user id of a signed-in participant (an outsider's is from their own company's account); '' otherwise. */
  readonly id: string;
  /** Per-meeting participant id; a new one for every join session. */
  readonly user_id: string;
  readonly participant_user_id: string;
  readonly participant_uuid: string;
  readonly user_name: string;
  readonly email: string;
  readonly registrant_id: string;
  readonly join_time: string;
  readonly leave_time: string;
  readonly leave_reason: string;
  readonly role: 'host' | 'attendee';
  readonly device: string;
  readonly client: string;
  readonly os: string;
  readonly os_version: string;
  readonly device_name: string;
  readonly version: string;
  readonly ip_address: string;
  readonly internal_ip_addresses: string[];
  readonly location: string;
  readonly network_type: string;
  readonly data_center: string;
  readonly full_data_center: string;
  readonly connection_type: string;
  readonly pc_name: string;
  readonly domain: string;
  readonly mac_addr: string;
  readonly harddisk_id: string;
  readonly camera: string;
  readonly microphone: string;
  readonly speaker: string;
  readonly share_desktop: boolean;
  readonly share_application: boolean;
  readonly share_whiteboard: boolean;
  readonly recording: boolean;
  readonly audio_call: { call_number: string; call_type: string; zoom_number: string }[];
}

/** A past meeting instance with its participants. */
export interface SimMeeting {
  readonly uuid: string;
  readonly id: number;
  readonly host_id: string;
  readonly host_email: string;
  readonly host_name: string;
  readonly topic: string;
  /** 2 scheduled, 4 on the host's personal meeting ID (PMI), 8 recurring with a fixed time. */
  readonly type: 2 | 4 | 8;
  readonly start_time: string;
  readonly end_time: string;
  /** Minutes. */
  readonly duration: number;
  readonly has_screen_share: boolean;
  readonly has_recording: boolean;
  readonly has_chat: boolean;
  readonly has_pstn: boolean;
  readonly participants: SimParticipant[];
}

/** One file of a cloud recording. */
export interface SimRecordingFile {
  readonly id: string;
  readonly meeting_id: string;
  readonly recording_start: string;
  readonly recording_end: string;
  readonly file_type: string;
  readonly file_extension: string;
  readonly file_size: number;
  readonly play_url: string;
  readonly download_url: string;
  readonly status: 'completed';
  readonly recording_type: string;
  readonly deleted_time?: string;
}

/**
 * A recording's sharing settings as GET /meetings/{meetingId}/recordings/settings returns them (Zoom's published
 * types, docs/zoom-contract.md). `password` is the viewing passcode, '' when there is none.
 */
export interface SimRecordingSettings {
  readonly share_recording: 'publicly' | 'internally' | 'none';
  readonly recording_authentication: boolean;
  readonly authentication_option: string;
  readonly authentication_domains: string;
  readonly password: string;
  readonly viewer_download: boolean;
  readonly on_demand: boolean;
  /** 0 automatic, 1 manual, 2 no registration. */
  readonly approval_type: 0 | 1 | 2;
  readonly send_email_to_host: boolean;
  readonly show_social_share_buttons: boolean;
}

/** A cloud recording as the recordings endpoints return it; `trashed` ones only appear with `trash=true`. */
export interface SimRecording {
  readonly uuid: string;
  readonly id: number;
  readonly account_id: string;
  readonly host_id: string;
  readonly topic: string;
  readonly type: number;
  readonly start_time: string;
  readonly timezone: string;
  readonly duration: number;
  readonly total_size: number;
  readonly recording_count: number;
  readonly share_url: string;
  readonly recording_files: SimRecordingFile[];
  readonly trashed: boolean;
  /** Served by the settings endpoint only, never in the recordings listing. */
  sharing: SimRecordingSettings;
}

/**
 * One entry of the meeting audit trail, as GET /report/meeting_activities returns it: every field a string, the
 * meeting number spaced ("982 610 0285"), the time as "2024-03-21 07:09:03:216" (UTC), no email for guests.
 */
export interface SimMeetingActivity {
  readonly meeting_number: string;
  readonly activity_time: string;
  readonly operator: string;
  readonly operator_email?: string;
  readonly activity_category: string;
  readonly activity_detail: string;
}

/** The whole synthetic organisation: the truth a poller's output is compared against. */
export interface SimulatedOrg {
  readonly seed: Seed;
  readonly accountId: string;
  readonly domain: string;
  /** First and last generated day, yyyy-mm-dd, inclusive. */
  readonly from: string;
  readonly to: string;
  readonly users: SimUser[];
  /** The employee who left during the range: deactivated, with activity only before `departedAt`. */
  readonly departed: { readonly userId: string; readonly email: string; readonly departedAt: string };
  readonly activities: SimActivity[];
  readonly operationLogs: SimOperationLog[];
  readonly meetings: SimMeeting[];
  readonly recordings: SimRecording[];
  /** The meeting audit trail of the listed meetings, oldest first. */
  readonly meetingActivities: SimMeetingActivity[];
  /** Team Chat channels of the active users and their messages (no 1:1 chats). */
  readonly chat: SimChat;
}

/** Parses a strict yyyy-mm-dd into UTC midnight ms, or undefined. */
export function parseDay(day: string): number | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return undefined;
  const ms = Date.parse(`${day}T00:00:00Z`);
  return Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== day ? undefined : ms;
}

/** UTC midnight ms as yyyy-mm-dd. */
export function formatDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** Zoom's timestamp format: ISO UTC without milliseconds. */
export function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
