import { RegExpParser, type AST } from '@eslint-community/regexpp';

/**
 * The regular-expression syntax `sensitiveMeetingPatterns` may use. A pattern runs in three engines: RE2 (re2js in
 * real time and the pollers, DuckDB locally), Java syntax (Trino's Joni, in Athena) and JavaScript (this check
 * compiles it with the `u` flag). Only what all three read the same way is accepted: literals, `.`, classes `[...]`
 * with ranges, `^`, `$`, `\b`, `\B`, alternation, groups `(...)` and `(?:...)`, and the greedy or lazy quantifiers
 * `?`, `*`, `+`, `{n,m}`. Patterns are parsed by regexpp (the parser ESLint uses) in Unicode mode, which already
 * refuses Java-only syntax (possessive quantifiers, atomic groups, `\Q...\E`, `\h`, inline flags); the walk below
 * refuses the rest.
 *
 * What still differs, and why it is accepted: `.` and `$` differ only around line breaks, which a meeting topic does
 * not hold; `\b` counts only ASCII letters and digits as word characters in RE2 (JavaScript's `iu` flags add the
 * long s and the Kelvin sign) but every letter in Trino, so `\bboard` matches "éboard" in real time and not in
 * Athena (a `\b` written next to a non-ASCII letter is refused, as it could never mean what it says);
 * case-insensitive matching of non-ASCII letters follows each engine's Unicode simple case folding.
 */

/** The most repetitions RE2 allows in `{n,m}`. */
export const MAX_REPEAT = 1_000;

const parser = new RegExpParser({ ecmaVersion: 2024 });
// Escapes whose meaning is the same everywhere: the control characters, \xHH, and escaped syntax characters.
const SAME_ESCAPE = /^\\([tnrf]|x[0-9a-fA-F]{2}|[\^$\\.*+?()[\]{}|/-])$/;
const INLINE_FLAGS = /^\(\?[a-zA-Z]+[:)]/;
// Java syntax a user may bring from Trino, named when the pattern does not parse (only then: `a\\++`, a repeated "+", is valid).
const JAVA_ONLY: readonly (readonly [RegExp, string])[] = [
  [/(^|[^\\])[*+?}]\+/, 'a possessive quantifier (*+, ++, ?+, {n}+)'],
  [/\(\?>/, 'an atomic group (?>...)'],
  [/\\[QE]/, 'quoting with \\Q...\\E'],
];

/** The parsed pattern, or the reason it is not a JavaScript regular expression in Unicode mode. */
export function parsePortable(source: string): { pattern: AST.Pattern } | { problem: string } {
  if (INLINE_FLAGS.test(source)) {
    return {
      problem: `starts with inline flags ${quote(INLINE_FLAGS.exec(source)?.[0] ?? '')}, which JavaScript does not read; patterns are already case-insensitive`,
    };
  }
  let pattern: AST.Pattern;
  try {
    pattern = parser.parsePattern(source, 0, source.length, { unicode: true });
    new RegExp(source, 'iu');
  } catch (error) {
    // regexpp and V8 both say "Invalid regular expression: /<source>/u: <reason>"; the pattern is quoted once, by the caller.
    const reason = (error as Error).message.split(': ').at(-1);
    const javaOnly = JAVA_ONLY.find(([re]) => re.test(source));
    return {
      problem: javaOnly ? `uses ${javaOnly[1]}, which JavaScript and DuckDB (RE2) cannot read` : `is not a valid regular expression (${reason})`,
    };
  }
  const problem = problemIn(pattern, undefined);
  return problem === undefined ? { pattern } : { problem };
}

const quote = (s: string): string => JSON.stringify(s);
const uses = (what: string, node: AST.Node, why: string): string => `uses ${what} ${quote(node.raw)}, which ${why}`;

/** The first non-portable construct under `node`; `repeat` is the enclosing quantifier when it repeats more than once. */
function problemIn(node: AST.Node, repeat: AST.Quantifier | undefined): string | undefined {
  switch (node.type) {
    case 'Pattern':
    case 'Group':
    case 'CapturingGroup': {
      if (node.type === 'CapturingGroup' && node.name !== null) return uses('a named group', node, 'engines spell differently: use (...) or (?:...)');
      if (repeat && node.alternatives.length > 1) return nestedRepeat(node, repeat);
      return first(node.alternatives, (a) => problemIn(a, repeat));
    }
    case 'Alternative':
      return first(node.elements, (e, i) => boundaryNextToNonAscii(node.elements, i) ?? problemIn(e, repeat));
    case 'Assertion':
      if (node.kind === 'lookahead' || node.kind === 'lookbehind')
        return uses(`a ${node.kind}`, node, 'DuckDB (RE2) cannot read: it has no lookaround');
      return undefined;
    case 'Quantifier': {
      const count = Math.max(node.min, Number.isFinite(node.max) ? node.max : 0);
      if (count > MAX_REPEAT) return uses('the repeat count', node, `DuckDB (RE2) refuses: it repeats at most ${MAX_REPEAT} times`);
      if (repeat) return nestedRepeat(node, repeat);
      return problemIn(node.element, node.max > 1 ? node : undefined);
    }
    case 'Backreference':
      return uses('the back-reference', node, 'DuckDB (RE2) cannot read: it has no back-references');
    case 'CharacterClass': {
      if (node.elements.length === 0)
        return uses('the empty class', node, 'JavaScript reads as nothing or anything, Java and RE2 as an error or a literal');
      return first(node.elements, (e, i) => {
        if (e.type === 'Character' && e.raw === '[') return uses('"[" inside the class', node, 'Java reads as a nested class: escape it as \\[');
        const next = node.elements[i + 1];
        if (e.type === 'Character' && e.raw === '&' && next?.type === 'Character' && next.raw === '&') {
          return uses('"&&" inside the class', node, 'Java reads as an intersection: write a single &');
        }
        if (e.type === 'Character' && e.raw === '\\b') return uses('the escape', e, 'is a backspace in JavaScript only');
        return problemIn(e, undefined);
      });
    }
    case 'CharacterClassRange':
      return problemIn(node.min, undefined) ?? problemIn(node.max, undefined);
    case 'CharacterSet':
      if (node.kind === 'any') return undefined;
      if (node.kind === 'property') return uses('the Unicode property', node, 'JavaScript, Java and RE2 name differently');
      return uses('the class escape', node, CLASS_ESCAPE[node.kind]);
    case 'Character':
      if (!node.raw.startsWith('\\') || SAME_ESCAPE.test(node.raw)) return undefined;
      return uses('the escape', node, ESCAPE[node.raw[1] ?? ''] ?? 'is not read the same way by JavaScript, Java and RE2');
    default:
      return uses('the construct', node, 'is not read the same way by JavaScript, Java and RE2');
  }
}

const CLASS_ESCAPE: Readonly<Record<'digit' | 'space' | 'word', string>> = {
  digit: 'may cover non-ASCII digits in one engine and not another: write [0-9]',
  space: 'differs between engines (JavaScript adds Unicode spaces such as the no-break space, RE2 leaves out \\v): write a space or [ \\t]',
  word: "follows each engine's own Unicode rules (which letters beyond ASCII count): write [a-z0-9_]",
};
const ESCAPE: Readonly<Record<string, string>> = {
  u: 'DuckDB (RE2) cannot read: write the character itself',
  c: 'DuckDB (RE2) cannot read: it has no control escapes',
  '0': 'Java and RE2 read as the start of an octal escape',
  v: 'Java reads as any vertical whitespace, JavaScript and RE2 as the vertical tab',
};

const nestedRepeat = (inner: AST.Node, repeat: AST.Quantifier): string =>
  `repeats a quantifier or an alternation (${quote(inner.raw)} inside ${quote(repeat.raw)}), which can backtrack exponentially in Trino (Athena): ` +
  'repeat a single character, class or fixed sequence instead';

/** `\b` or `\B` written next to a non-ASCII letter: JavaScript and RE2 never see a word character there, Trino does. */
function boundaryNextToNonAscii(elements: readonly AST.Element[], i: number): string | undefined {
  const e = elements[i];
  if (e?.type !== 'Assertion' || e.kind !== 'word') return undefined;
  const neighbour = [elements[i - 1], elements[i + 1]].find(
    (n) => n?.type === 'Character' && n.value > 0x7f && /\p{L}|\p{N}/u.test(String.fromCodePoint(n.value)),
  );
  if (neighbour === undefined) return undefined;
  return `uses ${quote(e.raw)} next to ${quote(neighbour.raw)}, which JavaScript and RE2 treat as a non-word character and Trino as a letter: drop the ${quote(e.raw)}`;
}

function first<T>(items: readonly T[], check: (item: T, index: number) => string | undefined): string | undefined {
  for (const [i, item] of items.entries()) {
    const problem = check(item, i);
    if (problem !== undefined) return problem;
  }
  return undefined;
}
