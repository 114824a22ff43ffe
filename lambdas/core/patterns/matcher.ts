import { RE2JS } from 're2js';
import { parsePortable } from './portable.ts';

/**
 * Matches meeting topics against the portable patterns with re2js, a pure-JavaScript port of RE2. JavaScript's own
 * engine backtracks: `.*.*.*.*x` takes seconds on a 200-character topic, and a topic is chosen by whoever schedules
 * the meeting. RE2 runs in time linear in the topic by construction (a DFA, falling back to an NFA or a bit-state
 * backtracker that visits each (instruction, position) pair at most once), and it is the engine DuckDB runs the same
 * patterns in, so real time and the detections' SQL read a pattern alike.
 */

/**
 * Topics are cut to this many code points before matching. Zoom's create-meeting API takes topics of up to 200
 * characters (its API reference; not yet in shared/zoom-reference.md), so a genuine topic is never cut; a longer one
 * (a forged or malformed event) costs no more than this. `$` does not match at the cut.
 */
export const MAX_TOPIC_CHARS = 512;

/** The most RE2 instructions a pattern compiles to (a `{n,m}` repeat counts its element out up to m times). */
export const MAX_PROGRAM = 10_000;

/** A compiled sensitive-meeting pattern. */
export interface TopicPattern {
  /** The pattern as configured. */
  readonly source: string;
  /** Whether the pattern matches somewhere in the topic (case-insensitive). */
  test(topic: string): boolean;
}

interface Compiled {
  /** The pattern, for a topic read whole. */
  readonly whole: RE2JS;
  /**
   * The pattern, for a cut topic handed over with one code point past the cut: a match must end by the cut (the
   * appended `(?s:.*.)\z` takes that code point), while `$` and `\b` at the cut still see that the topic goes on.
   */
  readonly cut: RE2JS;
}

/** Why `source` cannot be a sensitive-meeting pattern (not portable, or too large), or undefined when it can. */
export function topicPatternProblem(source: string): string | undefined {
  const compiled = compile(source);
  return 'problem' in compiled ? compiled.problem : undefined;
}

/** Compiles a sensitive-meeting pattern; throws a RangeError naming it (`name: "source" problem`) when it cannot be one. */
export function compileTopicPattern(source: string, name = 'pattern'): TopicPattern {
  const compiled = compile(source);
  if ('problem' in compiled) throw new RangeError(`${name}: ${JSON.stringify(source)} ${compiled.problem}`);
  const { whole, cut } = compiled;
  return {
    source,
    test: (topic) => {
      const window = topicWindow(topic);
      return window.cut ? cut.test(window.text) : whole.test(window.text);
    },
  };
}

/** Compiles every pattern of `sensitiveMeetingPatterns`, naming a bad one by index and text. */
export function compileTopicPatterns(sources: readonly string[], key = 'sensitiveMeetingPatterns'): TopicPattern[] {
  return sources.map((source, i) => compileTopicPattern(source, `${key}.${i}`));
}

/**
 * What the engine is handed for `topic`: its first MAX_TOPIC_CHARS code points and, when it is longer, the next one
 * (`cut`), so `\b` at the cut sees the real next character. The engine's work is linear in this text, whatever the topic.
 */
export function topicWindow(topic: string): { readonly text: string; readonly cut: boolean } {
  let end = 0;
  let count = 0;
  for (const ch of topic) {
    end += ch.length;
    if (++count > MAX_TOPIC_CHARS) return { text: topic.slice(0, end), cut: true };
  }
  return { text: topic, cut: false };
}

function compile(source: string): Compiled | { problem: string } {
  const parsed = parsePortable(source);
  if ('problem' in parsed) return parsed;
  let whole: RE2JS;
  let cut: RE2JS;
  try {
    whole = RE2JS.compile(source, RE2JS.CASE_INSENSITIVE);
    cut = RE2JS.compile(`(?:${source})(?s:.*.)\\z`, RE2JS.CASE_INSENSITIVE);
  } catch (error) {
    // Not expected once the pattern is portable; said in one line rather than thrown, since config validation calls this.
    return { problem: `is not read by RE2 (${(error as Error).message.split('\n')[0] ?? ''})` };
  }
  const size = whole.re2().numberOfInstructions() as number;
  if (size > MAX_PROGRAM) return { problem: `is too large (${size} instructions once its repeats are counted out; at most ${MAX_PROGRAM})` };
  return { whole, cut };
}
