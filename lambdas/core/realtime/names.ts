/**
 * Display-name normalisation for impersonation checks, the same steps as the scheduled detection
 * zoom.participant.guest_impersonates_internal: lower case; drop "(...)"/"[...]" parts and the words
 * guest/external/extern/ext/visitor; fold diacritics and Cyrillic/Greek look-alike letters; keep letters only.
 */

// The scheduled query's translate() table, character for character, so both paths compute the same key.
const FROM = 'àáâãäåāăąçćčďèéêëēėęěìíîïīįıñńňòóôõöøōőùúûüūůűųýÿžźżšśşřţťłđаеорсухіјѕαοιν';
const TO = 'aaaaaaaaacccdeeeeeeeeiiiiiiinnnoooooooouuuuuuuuyyzzzsssrttldaeopcyxijsaoiv';
const FOLD = new Map([...FROM].map((c, i) => [c, TO[i]!]));
const NOISE = /\([^)]*\)|\[[^\]]*\]|\b(guest|external|extern|ext|visitor)\b/gu;

/** The comparison key of a display name ('' when nothing is left). */
export function nameKey(name: string): string {
  const lowered = name.toLowerCase().replace(NOISE, '');
  const folded = [...lowered].map((c) => FOLD.get(c) ?? c).join('');
  // Diacritics the table lacks (e.g. ŕ, ǹ) fold too: decompose and drop the combining marks.
  return folded.normalize('NFKD').replace(/\p{M}/gu, '').replace(/[^\p{L}]/gu, '');
}

/** Whether a name has at least two words; a lone first name matches too many outsiders to mean anything. */
export function isFullName(name: string): boolean {
  return /\S\s+\S/u.test(name.trim());
}

/** Levenshtein distance, stopping early once it exceeds `max`. */
export function withinEdits(a: string, b: string, max: number): boolean {
  if (Math.abs(a.length - b.length) > max) return false;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      cur.push(v);
      rowMin = Math.min(rowMin, v);
    }
    if (rowMin > max) return false;
    prev = cur;
  }
  return prev[b.length]! <= max;
}

/** A participant as the scheduled detections key it: the lower-case email, else `guest:<lower-case display name>`. */
export function participantKey(email: string | null, userName: string | null): string {
  const e = email?.trim().toLowerCase();
  if (e) return e;
  const n = userName?.trim();
  return `guest:${(n === undefined || n === '' ? '(no name)' : n).toLowerCase()}`;
}
