import { isRecord } from '../lake/cell-coercion.ts';

/**
 * Account settings (Zoom account settings API names) whose change in the stated direction weakens the account,
 * and the setting name the alert reports: the same table as the scheduled detection
 * zoom.operation.security_setting_weakened, so both report the same (operator, setting) finding.
 * off: a protective switch turned false; on: a risky switch turned true; none: a mode set to none; lower: a number lowered.
 */
export const WATCHED_SETTINGS: readonly (readonly [path: string, setting: string, weakWhen: 'off' | 'on' | 'none' | 'lower'])[] = [
  ['in_meeting.e2e_encryption', 'e2e_encryption', 'off'],
  ['meeting_security.end_to_end_encrypted_meetings', 'e2e_encryption', 'off'],
  ['in_meeting.waiting_room', 'waiting_room', 'off'],
  ['meeting_security.waiting_room', 'waiting_room', 'off'],
  ['meeting_security.auto_security', 'secure_all_meetings', 'off'],
  ['meeting_security.meeting_password', 'meeting_passcode', 'off'],
  ['schedule_meeting.require_password_for_scheduling_new_meetings', 'meeting_passcode', 'off'],
  ['schedule_meeting.require_password_for_scheduled_meetings', 'meeting_passcode', 'off'],
  ['schedule_meeting.require_password_for_instant_meetings', 'meeting_passcode', 'off'],
  ['schedule_meeting.require_password_for_pmi_meetings', 'meeting_passcode', 'none'],
  ['schedule_meeting.embed_password_in_join_link', 'passcode_in_link', 'on'],
  ['meeting_security.embed_password_in_join_link', 'passcode_in_link', 'on'],
  ['schedule_meeting.enforce_login', 'meeting_authentication', 'off'],
  ['schedule_meeting.enforce_login_with_domains', 'meeting_authentication', 'off'],
  ['security.sign_in_with_two_factor_auth', 'two_factor_auth', 'none'],
  ['security.password_requirement.minimum_password_length', 'sign_in_password_requirement', 'lower'],
  ['security.password_requirement.have_letter', 'sign_in_password_requirement', 'off'],
  ['security.password_requirement.have_number', 'sign_in_password_requirement', 'off'],
  ['security.password_requirement.have_special_character', 'sign_in_password_requirement', 'off'],
  ['security.password_requirement.have_upper_and_lower_characters', 'sign_in_password_requirement', 'off'],
];

/** One weakened setting. */
export interface WeakenedSetting {
  readonly setting: string;
  readonly path: string;
  /** Lower-case old value, or undefined when Zoom did not send it. */
  readonly oldValue: string | undefined;
  readonly newValue: string;
}

/** A scalar at a dotted path as lower-case text (json_extract_scalar + lower in the scheduled query). */
function scalarAt(root: unknown, path: string): string | undefined {
  let node: unknown = root;
  for (const part of path.split('.')) {
    if (!isRecord(node)) return undefined;
    node = node[part];
  }
  return typeof node === 'string' || typeof node === 'number' || typeof node === 'boolean' ? String(node).toLowerCase() : undefined;
}

const toInt = (v: string | undefined): number | undefined => (v !== undefined && /^-?\d+$/.test(v) ? Number(v) : undefined);

/**
 * The watched settings an account.settings_updated change weakens. Zoom sends only the changed settings and may omit
 * old values, so a weak new value without an old one counts (as in the scheduled query).
 */
export function weakenedSettings(settings: unknown, oldSettings: unknown): WeakenedSetting[] {
  const out: WeakenedSetting[] = [];
  for (const [path, setting, weakWhen] of WATCHED_SETTINGS) {
    const newValue = scalarAt(settings, path);
    if (newValue === undefined) continue;
    const oldValue = scalarAt(oldSettings, path);
    const weak =
      weakWhen === 'off'
        ? newValue === 'false' && oldValue !== 'false'
        : weakWhen === 'on'
          ? newValue === 'true' && oldValue !== 'true'
          : weakWhen === 'none'
            ? newValue === 'none' && oldValue !== 'none'
            : (toInt(newValue) ?? Infinity) < (toInt(oldValue) ?? -Infinity);
    if (weak) out.push({ setting, path, oldValue, newValue });
  }
  return out;
}
