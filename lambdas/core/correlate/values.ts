/* Small conversions the correlation steps share. */

/** An instant (epoch ms) as ISO-8601 UTC text. */
export const iso = (ms: number) => new Date(ms).toISOString();
/** One day in milliseconds. */
export const DAY_MS = 86_400_000;

/** A query result cell as text: NULL for "" and for anything but a string or a number. */
export const cellText = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : null);
