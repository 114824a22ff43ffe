import type { Alert } from '../../alerts/alert.ts';
import { isRecord, type Json } from '../../lake/cell-coercion.ts';
import type { ZoomEnvelope } from '../../webhook/envelope.ts';
import { REALTIME_IDS as ID, realtimeAlert } from '../catalog.ts';
import { weakenedSettings } from '../weakened-settings.ts';
import { lower, type CheckContext } from './context.ts';

/*
 * The check account.settings_updated runs: zoom.operation.security_setting_weakened, one alert per weakened setting
 * (weakened-settings.ts decides which changes weaken security).
 */

/** `settings` when the object has them, else the object itself without its id (as the lake's account_events keeps them). */
function settingsOf(v: unknown): unknown {
  if (!isRecord(v)) return undefined;
  if (isRecord(v.settings)) return v.settings;
  const { id: _id, ...rest } = v as Json;
  return rest;
}

/** The alerts an account.settings_updated event raises. */
export function settingsWeakened(env: ZoomEnvelope, at: number, ctx: CheckContext): Alert[] {
  const operator = lower(env.payload.operator);
  const bySetting = new Map<string, string[]>();
  for (const w of weakenedSettings(settingsOf(env.payload.object), settingsOf(env.payload.old_object))) {
    const detail = `${w.path}: ${w.oldValue ?? '(not sent)'} -> ${w.newValue}`;
    bySetting.set(w.setting, [...(bySetting.get(w.setting) ?? []), detail]);
  }
  const d = ctx.registry.get(ID.securitySettingWeakened);
  return [...bySetting].map(([setting, details]) =>
    realtimeAlert(
      d,
      {
        operator,
        setting,
        changes: details.length,
        sources: 'account_events',
        scopes: 'Account',
        details: details.sort().join(' | '),
      },
      at,
    ),
  );
}
