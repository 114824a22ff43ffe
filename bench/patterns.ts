/**
 * Sensitive-pattern figures for `npm run bench`: the re2js matcher on ordinary topics with the default patterns,
 * and on a hostile topic with a pattern JavaScript's backtracking engine takes polynomial time on (timed there too, on
 * a shorter topic so the bench ends).
 */
import { configSchema } from '#config/schema.ts';
import { compileTopicPattern, compileTopicPatterns, topicWindow } from '#core/patterns/matcher.ts';

type Emit = (name: string, value: number, unit: string, extra?: Record<string, unknown>) => void;

const HOSTILE = '.*.*.*.*x';

/** Runs the patterns section of the bench. */
export function patternsBench(emit: Emit): void {
  const defaults = compileTopicPatterns(configSchema.parse({}).sensitiveMeetingPatterns);
  const topics = Array.from({ length: 20_000 }, (_, i) => `Weekly sync ${i} with the platform team about onboarding and dashboards`);
  let t = performance.now();
  let hits = 0;
  for (const topic of topics) if (defaults.some((p) => p.test(topic))) hits++;
  emit('topic_match_defaults_us_per_topic', ((performance.now() - t) * 1000) / topics.length, 'us', {
    topics: topics.length,
    patterns: defaults.length,
    hits,
  });

  const hostile = compileTopicPattern(HOSTILE);
  const long = 'a'.repeat(100_000);
  t = performance.now();
  hostile.test(long);
  const ms = performance.now() - t;
  emit('topic_match_hostile_ms', ms, 'ms', { pattern: HOSTILE, topicChars: long.length, readChars: [...topicWindow(long).text].length });

  const backtracking = new RegExp(HOSTILE, 'iu');
  const shorter = 'a'.repeat(120);
  t = performance.now();
  backtracking.test(shorter);
  emit('topic_match_hostile_js_regexp_ms', performance.now() - t, 'ms', {
    pattern: HOSTILE,
    topicChars: shorter.length,
    note: 'JavaScript RegExp, for comparison: grows as the fifth power of the length',
  });
}
