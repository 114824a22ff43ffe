import { isIP } from 'node:net';
import { isPlausibleEpochMs } from './instants.ts';
import type { CellValue } from '../schema/types.ts';
import { maskJsonText, maskUrlParams } from '../mask/credentials.ts';

/**
 * Coercions from Zoom JSON (webhooks and REST) to lake cells. Each returns NULL rather than throwing for a value
 * of an unexpected type, so one odd field never costs a whole record.
 */

/** A JSON object as read from Zoom. */
export type Json = Readonly<Record<string, unknown>>;
/** A row under construction. */
export type Cells = Record<string, CellValue>;

/** Whether a value is a JSON object (not an array, not null). */
export const isRecord = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
/** The value as an object, or an empty one. */
export const objectOrEmpty = (v: unknown): Json => (isRecord(v) ? v : {});

/** Text, NULL for "": Zoom sends "" for absent values (guest emails, unset ids); NULL says "not known" in SQL. */
export const nonEmptyText = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
/** An id as a string: meeting numbers arrive as numbers in some payloads and strings in others. */
export const idText = (v: unknown): string | null => (typeof v === 'number' && Number.isFinite(v) ? String(v) : nonEmptyText(v));
/** The first non-empty text. */
export const firstText = (...vs: unknown[]): string | null => vs.map(nonEmptyText).find((v) => v !== null) ?? null;
/** The first present id. */
export const firstId = (...vs: unknown[]): string | null => vs.map(idText).find((v) => v !== null) ?? null;

function integer(v: unknown, min: number, max: number): number | null {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : NaN;
  return Number.isInteger(n) && n >= min && n <= max ? n : null;
}
/** A 32-bit integer (number or digit string), else NULL. */
export const int32 = (v: unknown) => integer(v, -(2 ** 31), 2 ** 31 - 1);
/** A safe integer (number or digit string), else NULL. */
export const int64 = (v: unknown) => integer(v, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
/** A boolean, else NULL. */
export const bool = (v: unknown): boolean | null => (typeof v === 'boolean' ? v : null);

/** A well-formed IP address, else NULL (IPs are undocumented in some payloads). */
export function ip(v: unknown): string | null {
  const s = typeof v === 'string' ? v.trim() : '';
  return isIP(s) !== 0 ? s : null;
}

/** A number or numeric string as plausible epoch ms (seconds converted), else undefined. */
export function epochOf(v: unknown): number | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d+(\.\d+)?$/.test(v) ? Number(v) : NaN;
  if (!Number.isFinite(n)) return undefined;
  const ms = normaliseEpoch(n);
  return isPlausibleEpochMs(ms) ? ms : undefined;
}

/** Zoom documents event_ts in ms, but seconds have been seen; values below 1e11 are seconds. */
export function normaliseEpoch(value: number): number {
  return Math.round(value < 1e11 ? value * 1000 : value);
}

// Zoom times are ISO-8601 UTC; a time without an offset is read as UTC so the result never depends on the host's zone.
const ISO = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/i;

/** A plausible instant (epoch ms) from ISO-8601 text or an epoch number/digit string (seconds or ms), else undefined. */
export function instantOf(v: unknown): number | undefined {
  if (typeof v === 'string' && ISO.test(v)) {
    const ms = Date.parse(/T/i.test(v) && !/(Z|[+-]\d{2}:?\d{2})$/i.test(v) ? `${v}Z` : v);
    return isPlausibleEpochMs(ms) ? ms : undefined;
  }
  return epochOf(v);
}

/** A plausible instant in epoch ms (ISO-8601 or epoch seconds/ms), else NULL. */
export const instant = (v: unknown): number | null => instantOf(v) ?? null;
/** The first plausible instant. */
export const firstInstant = (...vs: unknown[]): number | null => vs.map(instant).find((v) => v !== null) ?? null;

/** A URL or text with credential URL parameters (`?pwd=`, `?tk=`, `?zak=`, access tokens) masked. */
export const masked = (v: unknown): string | null => {
  const t = nonEmptyText(v);
  return t === null ? null : maskUrlParams(t);
};

/** JSON text of a value with credentials masked; NULL when absent or too deeply nested to serialise (raw keeps it). */
export function json(v: unknown): string | null {
  if (v === undefined || v === null) return null;
  let serialised: string;
  try {
    serialised = JSON.stringify(v);
  } catch (error) {
    if (error instanceof RangeError) return null;
    throw error;
  }
  return maskJsonText(serialised);
}
