import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '#config/load.ts';
import { configSchema } from '#config/schema.ts';
import { compileTopicPattern, compileTopicPatterns, MAX_PROGRAM, MAX_TOPIC_CHARS, topicPatternProblem, topicWindow } from '#core/patterns/matcher.ts';
import { Prng } from '#core/prng.ts';
import { compileSettings } from '#core/realtime/config.ts';
import { PORTABLE, TOPICS } from '../support/sensitive-patterns.ts';

/** The config error for `pattern` at index 1 (index 0 holds a good pattern), which must be a single line. */
function rejection(pattern: string): string {
  let error: unknown;
  try {
    parseConfig({ sensitiveMeetingPatterns: ['\\bboard', pattern] });
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(ConfigError);
  const lines = (error as Error).message.split('\n');
  expect(lines).toHaveLength(2);
  return lines[1] as string;
}

// Patterns a user may write that JavaScript, RE2 (DuckDB) and Trino do not read alike, with the construct named.
const NOT_PORTABLE: readonly (readonly [string, string, string])[] = [
  ['lookahead', 'board(?= meeting)', 'uses a lookahead "(?= meeting)"'],
  ['negative lookahead', 'board(?!ing)', 'uses a lookahead "(?!ing)"'],
  ['lookbehind', '(?<=the )board', 'uses a lookbehind "(?<=the )"'],
  ['negative lookbehind', '(?<!on)board', 'uses a lookbehind "(?<!on)"'],
  ['numbered back-reference', '(board) \\1', 'uses the back-reference "\\\\1"'],
  ['named back-reference', '(a)\\k<x>', 'is not a valid regular expression'],
  ['named group and its reference', '(?<w>board)\\k<w>', 'uses a named group "(?<w>board)"'],
  ['possessive quantifier', 'boa*+rd', 'uses a possessive quantifier'],
  ['atomic group', '(?>board|boar)d', 'uses an atomic group (?>...)'],
  ['Java quoting', '\\Qm&a\\E', 'uses quoting with \\Q...\\E'],
  ['inline flags', '(?i)board', 'starts with inline flags "(?i)"'],
  ['scoped inline flags', '(?i:board)', 'starts with inline flags "(?i:"'],
  ['Unicode property', '\\p{Lu}oard', 'uses the Unicode property "\\\\p{Lu}"'],
  ['negated Unicode property', '\\P{L}board', 'uses the Unicode property "\\\\P{L}"'],
  ['digit escape', 'q\\d earnings', 'uses the class escape "\\\\d", which may cover non-ASCII digits'],
  ['word escape', '\\w+board', 'uses the class escape "\\\\w"'],
  ['space escape', 'reduction\\sin force', 'uses the class escape "\\\\s"'],
  ['negated class escape', '\\Dboard', 'uses the class escape "\\\\D"'],
  ['class escape in a class', '[\\d.]+ earnings', 'uses the class escape "\\\\d"'],
  ['\\u escape', 'fusi\\u00f3n', 'uses the escape "\\\\u00f3"'],
  ['\\u{} escape', 'fusi\\u{f3}n', 'uses the escape "\\\\u{f3}"'],
  ['control escape', '\\cAboard', 'uses the escape "\\\\cA"'],
  ['null escape', 'board\\0', 'uses the escape "\\\\0"'],
  ['vertical-tab escape', 'board\\v', 'uses the escape "\\\\v"'],
  ['nested class', '[[a]board', 'uses "[" inside the class "[[a]"'],
  ['class intersection', '[a-z&&b]oard', 'uses "&&" inside the class'],
  ['backspace in a class', '[\\b]board', 'uses the escape "\\\\b", which is a backspace in JavaScript only'],
  ['empty class', 'board[]', 'uses the empty class "[]"'],
  ['match-anything class', 'board[^]', 'uses the empty class "[^]"'],
  ["repeat over RE2's limit", 'x{1001}', 'uses the repeat count "x{1001}"'],
  ['nested quantifier', '(?:a+)+b', 'repeats a quantifier or an alternation ("a+" inside "(?:a+)+")'],
  ['repeated alternation', '(board|boar)*d', 'repeats a quantifier or an alternation ("(board|boar)" inside "(board|boar)*")'],
  ['\\b next to a non-ASCII letter', '\\bübernahme', 'uses "\\\\b" next to "ü"'],
  ['unclosed group', '(board', 'is not a valid regular expression (Unterminated group)'],
  ['lone bracket', 'board]', 'is not a valid regular expression (Lone quantifier brackets)'],
  ['identity escape outside Unicode mode', 'm\\&a', 'is not a valid regular expression (Invalid escape)'],
];

describe('sensitiveMeetingPatterns portability', () => {
  it.each(NOT_PORTABLE)('refuses a %s, naming the pattern and the construct in one line', (_name, pattern, construct) => {
    const line = rejection(pattern);
    expect(line).toContain(`sensitiveMeetingPatterns.1: ${JSON.stringify(pattern)} `);
    expect(line).toContain(construct);
  });

  it.each(PORTABLE)('accepts %j, and JavaScript compiles it with the u flag', (pattern) => {
    expect(topicPatternProblem(pattern)).toBeUndefined();
    expect(() => new RegExp(pattern, 'iu')).not.toThrow();
    expect(parseConfig({ sensitiveMeetingPatterns: [pattern] }).sensitiveMeetingPatterns).toEqual([pattern]);
  });

  it('refuses a pattern whose repeats count out to more instructions than the matcher runs', () => {
    const pattern = 'a{1000}'.repeat(Math.ceil(MAX_PROGRAM / 1000) + 1);
    expect(rejection(pattern)).toContain(`is too large (`);
  });

  it('names the index and text of a bad pattern where patterns are compiled at run time (poller, realtime checks)', () => {
    expect(() => compileTopicPatterns(['board', '(?=x)y'])).toThrow('sensitiveMeetingPatterns.1: "(?=x)y" uses a lookahead "(?=x)"');
    expect(() =>
      compileSettings({
        meetingStateHours: 72,
        idempotencyHours: 48,
        internalDomains: [],
        sensitiveMeetingPatterns: ['\\d'],
        watchedUsers: [],
        minClientVersion: '6.0.0',
        supportNames: [],
      }),
    ).toThrow('sensitiveMeetingPatterns.0: "\\\\d" uses the class escape');
  });
});

describe('linear-time topic matching (re2js)', () => {
  it.each(PORTABLE)('matches %j as JavaScript does with the iu flags, as the portable subset promises', (pattern) => {
    const compiled = compileTopicPattern(pattern);
    const reference = new RegExp(pattern, 'iu');
    for (const topic of TOPICS) expect(compiled.test(topic), topic).toBe(reference.test(topic));
  });

  it('agrees with JavaScript on 3,000 generated portable patterns and topics', () => {
    // The shared seeded PRNG, so the random cases are the same on every run.
    const rng = Prng.fromState(14);
    const random = () => rng.next();
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
    const atoms = ['a', 'b', 'B', 'é', ' ', '.', '[a-b]', '[^a]', '[é ]', '\\.', '-'];
    const piece = (depth: number): string => {
      const r = random();
      if (r < 0.1) return pick(['^', '$', '\\b', '\\B']);
      if (r < 0.2 && depth < 2) return `(?:${sequence(depth + 1)}|${sequence(depth + 1)})${pick(['', '?', '??'])}`;
      return `${pick(atoms)}${pick(['', '', '?', '*', '+', '{1,2}', '{2}', '*?', '+?', '{0,3}?'])}`;
    };
    const sequence = (depth: number): string => Array.from({ length: 1 + Math.floor(random() * 3) }, () => piece(depth)).join('');
    let compared = 0;
    for (let i = 0; i < 3_000; i++) {
      const pattern = random() < 0.2 ? `${sequence(0)}|${sequence(0)}` : sequence(0);
      if (topicPatternProblem(pattern) !== undefined) continue;
      const compiled = compileTopicPattern(pattern);
      const reference = new RegExp(pattern, 'iu');
      for (let j = 0; j < 4; j++) {
        const topic = Array.from({ length: Math.floor(random() * 10) }, () => pick(['a', 'b', 'A', 'B', 'é', ' ', '.', '-', 'x'])).join('');
        expect(compiled.test(topic), `${pattern} on ${JSON.stringify(topic)}`).toBe(reference.test(topic));
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(8_000);
  });

  // `.*.*.*.*x` takes seconds in JavaScript's backtracking engine on a 200-character topic and grows as the fifth
  // power of the length. RE2 is linear in its input by construction, so what bounds the work is that input: at most
  // MAX_TOPIC_CHARS code points (and one more, read only by `\b` and `$`), whatever the topic.
  const aaa = 'a'.repeat(100_000);
  it.each([
    ['a polynomial-backtracking pattern', '.*.*.*.*x', aaa, `${'a'.repeat(MAX_TOPIC_CHARS - 1)}x${aaa}`],
    ['a long alternation of near-misses', 'a{0,20}b|a*c|(?:aa)?d', aaa, `${aaa.slice(0, 300)}d${aaa}`],
    [
      'the defaults on a huge topic',
      configSchema.parse({}).sensitiveMeetingPatterns.join('|'),
      'boar '.repeat(20_000),
      `${'boar '.repeat(100)}board${'boar '.repeat(20_000)}`,
    ],
  ])('hands the engine a bounded window of a hostile topic and still matches right: %s', (_name, pattern, miss, hit) => {
    const compiled = compileTopicPattern(pattern);
    for (const topic of [miss, hit]) {
      const window = topicWindow(topic);
      expect([...window.text]).toHaveLength(MAX_TOPIC_CHARS + 1);
      expect(window.cut).toBe(true);
      expect(topic.startsWith(window.text)).toBe(true);
    }
    expect(compiled.test(miss)).toBe(false);
    expect(compiled.test(hit)).toBe(true);
    expect(compiled.test(`${miss}x`), 'a match past the cut is not seen').toBe(false);
  });

  it(`never matches more than ${MAX_TOPIC_CHARS} code points, however long the topic`, () => {
    for (const topic of ['a'.repeat(MAX_TOPIC_CHARS), 'a'.repeat(MAX_TOPIC_CHARS + 1), 'a'.repeat(100_000), '😀'.repeat(MAX_TOPIC_CHARS * 2)]) {
      expect(compileTopicPattern(`^.{${MAX_TOPIC_CHARS}}`).test(topic), topic.length.toString()).toBe(true);
      expect(compileTopicPattern(`.{${MAX_TOPIC_CHARS + 1}}`).test(topic), topic.length.toString()).toBe(false);
    }
    expect(topicWindow('short topic')).toEqual({ text: 'short topic', cut: false });
  });

  // JavaScript's iu flags fold the long s (U+017F) and the Kelvin sign (U+212A) into \w, so its \b sees a word
  // edge beside them; RE2 (re2js here, DuckDB in the detections) keeps \w to ASCII. Real time follows RE2.
  it.each([
    ['\\bstrategy', 'ſtrategy', false],
    ['\\Bstrategy', 'xſtrategy', false],
    ['test\\b', 'test\u212a', true],
  ])('reads \\b as RE2 does where JavaScript differs: %s on %j', (pattern, topic, inRe2) => {
    expect(new RegExp(pattern, 'iu').test(topic)).toBe(!inRe2);
    expect(compileTopicPattern(pattern).test(topic)).toBe(inRe2);
  });

  it('refuses the classic exponential patterns, which would hang Trino', () => {
    for (const pattern of ['(a+)+b', '(a|a)*b', '(a|aa)+b', '(.*a){10}', '(?:a*)*b'])
      expect(topicPatternProblem(pattern), pattern).toMatch(/^repeats a quantifier or an alternation/);
  });

  it(`reads only the first ${MAX_TOPIC_CHARS} code points, and does not take the cut for the end of the topic`, () => {
    const pattern = compileTopicPattern('secret$');
    expect(pattern.test(`${'x'.repeat(MAX_TOPIC_CHARS - 6)}secret`)).toBe(true);
    expect(pattern.test(`${'x'.repeat(MAX_TOPIC_CHARS - 6)}secret and more`)).toBe(false);
    expect(compileTopicPattern('needle').test(`${'x'.repeat(MAX_TOPIC_CHARS)}needle`)).toBe(false);
    expect(compileTopicPattern('😀$').test('😀'.repeat(MAX_TOPIC_CHARS))).toBe(true);
    expect(compileTopicPattern('😀$').test('😀'.repeat(MAX_TOPIC_CHARS * 2))).toBe(false);
    expect([...topicWindow('😀'.repeat(MAX_TOPIC_CHARS * 2)).text]).toHaveLength(MAX_TOPIC_CHARS + 1);
  });

  it('sees the real character after the cut for \\b', () => {
    const topic = (next: string) => `${'x'.repeat(MAX_TOPIC_CHARS - 5)}board${next}`;
    expect(compileTopicPattern('board\\b').test(topic(' minutes'))).toBe(true);
    expect(compileTopicPattern('board\\b').test(topic('ing'))).toBe(false);
  });
});
