import { configSchema } from '#config/schema.ts';

/** Everyday patterns in the portable subset (the defaults first). */
export const PORTABLE: readonly string[] = [
  ...configSchema.parse({}).sensitiveMeetingPatterns,
  'board', '^board$', 'reduction in force', 'reduction[ \\t]+in[ \\t]+force', 'q[1-4] earnings', '(?:board )?meeting', 'm&a|merger',
  '[a-z]{2,5}-review', 'a.b', '\\.', '\\x41cquisition', '[\\-/]', '(ab){2}', 'board.*?minutes', 'übernahme', 'fusión|adquisición', '\\Bboard',
  '(?:exec|board) (?:offsite|retreat)?', 'layoffs?', 'incident[^s]', 'ⓑoard', 'board\\b', '\\(confidential\\)', 'x{1000}',
];

/** Topics that tell the engines apart if they differ: case, word edges, non-ASCII letters, odd spaces, emoji. */
export const TOPICS = [
  '', 'Board meeting', 'BOARD prep', 'Onboarding', 'dashboard review', 'whiteboard', 'The board.', 'board', 'M&A sync', 'Merger talks',
  'reduction in force', 'Reduction   in force', 'Q3 earnings call', 'q9 earnings', 'legal review', 'paralegal', 'privileged & confidential',
  'Übernahme Projekt X', 'fusión', 'ⓑoard', 'ⒷOARD', 'éboard', 'board\u00a0meeting', '(confidential) board', 'abab', 'xxx', 'a.b', 'axb',
  'KELVIN \u212a', 'ſtrategy', 'layoff', 'layoffs', 'exec offsite', 'board retreat', 'incidents', 'incident!', '😀 board 😀',
];
