import { createHash } from 'node:crypto';
import { DAY, HOUR, MIN, type Place } from './model.ts';

/** A stable number in [0, 1) from any text: for choices that must not depend on generation order. */
export function h01(...parts: (string | number)[]): number {
  const d = createHash('sha256').update(parts.join('\u0000')).digest();
  return d.readUInt32BE(0) / 4294967296;
}

/** A stable integer in [min, max] from text. */
export function hInt(min: number, max: number, ...parts: (string | number)[]): number {
  return min + Math.floor(h01(...parts) * (max - min + 1));
}

/** A stable pick from a non-empty list. */
export function hPick<T>(items: readonly T[], ...parts: (string | number)[]): T {
  const item = items[Math.floor(h01(...parts) * items.length)];
  if (item === undefined) throw new Error('hPick on an empty list');
  return item;
}

export const dayStr = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
export const dayStart = (ms: number): number => Math.floor(ms / DAY) * DAY;

/** Zoom's timestamp format: ISO UTC without milliseconds. */
export const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** The UTC instant of `localMinutes` after local midnight of the calendar date `dayMs` (UTC midnight) in `place`. */
export const atLocal = (dayMs: number, localMinutes: number, place: Place): number => dayMs + localMinutes * MIN - place.tz * HOUR;

/** The local calendar date (UTC midnight of it) and minutes of day of instant `ms` in `place`. */
export function localOf(ms: number, place: Place): { day: number; minutes: number; weekday: number } {
  const shifted = ms + place.tz * HOUR;
  const day = dayStart(shifted);
  return { day, minutes: Math.floor((shifted - day) / MIN), weekday: new Date(day).getUTCDay() };
}

export const weekday = (dayMs: number): number => new Date(dayMs).getUTCDay();
export const isWeekend = (dayMs: number): boolean => weekday(dayMs) === 0 || weekday(dayMs) === 6;

/** Zoom user ids: 22 characters of [A-Za-z0-9_-]. */
export function zoomId(...parts: (string | number)[]): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const d = createHash('sha256')
    .update(['zoom-id', ...parts].join('\u0000'))
    .digest();
  let out = '';
  for (let i = 0; i < 22; i++) out += alphabet[(d[i] ?? 0) % 64];
  return out;
}

/** A meeting instance UUID: base64 of 16 bytes, as Zoom's (may hold '/', '+', '='). */
export function meetingUuid(...parts: (string | number)[]): string {
  return createHash('sha256')
    .update(['uuid', ...parts].join('\u0000'))
    .digest()
    .subarray(0, 16)
    .toString('base64');
}

/** A participant UUID as the dashboard shows it (upper-case GUID, as in the corpus). */
export function participantUuid(...parts: (string | number)[]): string {
  const hex = createHash('sha256')
    .update(['puuid', ...parts].join('\u0000'))
    .digest('hex')
    .toUpperCase();
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** A recording file id (lower-case GUID). */
export function fileId(...parts: (string | number)[]): string {
  const hex = createHash('sha256')
    .update(['file', ...parts].join('\u0000'))
    .digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

export const hex = (n: number, ...parts: (string | number)[]): string =>
  createHash('sha256')
    .update(['hex', ...parts].join('\u0000'))
    .digest('hex')
    .slice(0, n);

/** A MAC address as Zoom's dashboard shows it ("f85e-a012-92d8" in the corpus). */
export const macAddr = (...parts: (string | number)[]): string => {
  const x = hex(12, 'mac', ...parts);
  return `${x.slice(0, 4)}-${x.slice(4, 8)}-${x.slice(8, 12)}`;
};

export const slug = (s: string): string =>
  s
    .toLowerCase()
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^a-z0-9]+/g, '');
