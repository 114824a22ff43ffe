import type { AST } from '@eslint-community/regexpp';
import { parsePortable } from './portable.ts';

/**
 * Matches meeting topics against the portable patterns in time linear in the topic. JavaScript's engine
 * backtracks: `.*.*.*.*x` takes seconds on a 200-character topic, and a topic is chosen by whoever schedules the
 * meeting. So a pattern is compiled once into a Thompson NFA and run as a set of states (no backtracking): at most
 * (characters + 1) x (program size) steps. Each single-character atom (literal, class, `.`) is still decided by a
 * one-character JavaScript RegExp with the `iu` flags, so the match means exactly what `new RegExp(p, 'iu')` does.
 * Written here because no linear-time engine is a dependency (re2js or the native re2 binding would be one).
 */

/**
 * Topics are cut to this many code points before matching. Zoom's create-meeting API takes topics of up to 200
 * characters (its API reference; not yet in shared/zoom-reference.md), so a genuine topic is never cut; a longer one
 * (a forged or malformed event) costs no more than this. `$` does not match at the cut.
 */
export const MAX_TOPIC_CHARS = 512;

/** The most NFA states a pattern compiles to (a `{n,m}` repeat counts its element n to m times). */
export const MAX_PROGRAM = 10_000;

/** A compiled sensitive-meeting pattern. */
export interface TopicPattern {
  /** The pattern as configured. */
  readonly source: string;
  /** Whether the pattern matches somewhere in the topic (case-insensitive). */
  test(topic: string): boolean;
}

/** What one match did: for tests and the benchmark, which bound the work rather than time it. */
export interface MatchTrace {
  readonly matched: boolean;
  /** Code points of the topic the engine read (at most MAX_TOPIC_CHARS). */
  readonly inputLength: number;
  /** NFA states visited; never more than (inputLength + 1) x programSize. */
  readonly steps: number;
  /** Instructions in the compiled program. */
  readonly programSize: number;
}

type Inst =
  | { op: 'char'; test: (ch: string) => boolean; next: number }
  | { op: 'split'; next: number; alt: number }
  | { op: 'jump'; next: number }
  | { op: 'assert'; kind: 'start' | 'end' | 'word' | 'nonword'; next: number }
  | { op: 'match' };

/** Why `source` cannot be a sensitive-meeting pattern (not portable, or too large), or undefined when it can. */
export function topicPatternProblem(source: string): string | undefined {
  const compiled = compileProgram(source);
  return 'problem' in compiled ? compiled.problem : undefined;
}

/** Compiles a sensitive-meeting pattern; throws a RangeError naming it (`name: "source" problem`) when it cannot be one. */
export function compileTopicPattern(source: string, name = 'pattern'): TopicPattern {
  const program = programOf(source, name);
  return { source, test: (topic) => run(program, topic).matched };
}

/** Compiles every pattern of `sensitiveMeetingPatterns`, naming a bad one by index and text. */
export function compileTopicPatterns(sources: readonly string[], key = 'sensitiveMeetingPatterns'): TopicPattern[] {
  return sources.map((source, i) => compileTopicPattern(source, `${key}.${i}`));
}

/** Runs `source` on `topic` and reports the work done. */
export function traceTopicMatch(source: string, topic: string): MatchTrace {
  return run(programOf(source, 'pattern'), topic);
}

function programOf(source: string, name: string): Inst[] {
  const compiled = compileProgram(source);
  if ('problem' in compiled) throw new RangeError(`${name}: ${JSON.stringify(source)} ${compiled.problem}`);
  return compiled.program;
}

function compileProgram(source: string): { program: Inst[] } | { problem: string } {
  const parsed = parsePortable(source);
  if ('problem' in parsed) return parsed;
  const program: Inst[] = [];
  emitAlternatives(program, parsed.pattern.alternatives);
  program.push({ op: 'match' });
  if (program.length > MAX_PROGRAM) return { problem: `is too large (${program.length} states once its repeats are counted out; at most ${MAX_PROGRAM})` };
  return { program };
}

const atoms = new Map<string, (ch: string) => boolean>();
/** A one-code-point test with JavaScript's own meaning of the atom under `iu`. */
function atom(raw: string): (ch: string) => boolean {
  let test = atoms.get(raw);
  if (test === undefined) {
    const re = new RegExp(`^(?:${raw})$`, 'iu');
    test = (ch) => re.test(ch);
    atoms.set(raw, test);
  }
  return test;
}
const wordChar = atom('\\w');

// Thompson construction (Cox, "Regular Expression Matching Can Be Simple And Fast"): instructions are appended
// in order, forward targets patched once known.
function emitAlternatives(program: Inst[], alternatives: readonly AST.Alternative[]): void {
  const jumps: { op: 'jump'; next: number }[] = [];
  alternatives.forEach((alternative, i) => {
    if (i < alternatives.length - 1) {
      const split: Inst = { op: 'split', next: program.length + 1, alt: -1 };
      program.push(split);
      for (const e of alternative.elements) emitElement(program, e);
      const jump = { op: 'jump' as const, next: -1 };
      program.push(jump);
      jumps.push(jump);
      split.alt = program.length;
    } else {
      for (const e of alternative.elements) emitElement(program, e);
    }
  });
  for (const jump of jumps) jump.next = program.length;
}

function emitElement(program: Inst[], e: AST.Element): void {
  switch (e.type) {
    case 'Character':
    case 'CharacterClass':
    case 'CharacterSet':
    case 'ExpressionCharacterClass':
      program.push({ op: 'char', test: atom(e.raw), next: program.length + 1 });
      return;
    case 'Group':
    case 'CapturingGroup':
      emitAlternatives(program, e.alternatives);
      return;
    case 'Assertion':
      if (e.kind === 'start' || e.kind === 'end') program.push({ op: 'assert', kind: e.kind, next: program.length + 1 });
      else if (e.kind === 'word') program.push({ op: 'assert', kind: e.negate ? 'nonword' : 'word', next: program.length + 1 });
      else throw new RangeError(`lookaround ${e.raw} passed the portability check`);
      return;
    case 'Quantifier':
      for (let i = 0; i < e.min; i++) emitElement(program, e.element);
      if (e.max === Infinity) {
        const split: Inst = { op: 'split', next: program.length + 1, alt: -1 };
        const loop = program.length;
        program.push(split);
        emitElement(program, e.element);
        program.push({ op: 'jump', next: loop });
        split.alt = program.length;
      } else {
        const splits: { op: 'split'; next: number; alt: number }[] = [];
        for (let i = e.min; i < e.max; i++) {
          const split = { op: 'split' as const, next: program.length + 1, alt: -1 };
          program.push(split);
          splits.push(split);
          emitElement(program, e.element);
        }
        for (const split of splits) split.alt = program.length;
      }
      return;
    case 'Backreference':
      throw new RangeError(`back-reference ${e.raw} passed the portability check`);
  }
}

/** Simulates the NFA over the topic's first MAX_TOPIC_CHARS code points, every state at most once per position. */
function run(program: Inst[], topic: string): MatchTrace {
  const chars: string[] = [];
  for (const ch of topic) {
    chars.push(ch);
    // One code point past the cut is kept so \b at the cut sees the real next character.
    if (chars.length > MAX_TOPIC_CHARS) break;
  }
  const cut = chars.length > MAX_TOPIC_CHARS;
  const n = Math.min(chars.length, MAX_TOPIC_CHARS);
  const seen = new Int32Array(program.length).fill(-1);
  let steps = 0;
  let matched = false;
  const isWordAt = (i: number) => i >= 0 && i < chars.length && wordChar(chars[i] as string);

  /** Adds `pc` and the states reachable from it without reading a character to `list`, for position `pos`. */
  const add = (list: number[], start: number, pos: number) => {
    const stack = [start];
    while (stack.length > 0 && !matched) {
      const pc = stack.pop() as number;
      if (seen[pc] === pos) continue;
      seen[pc] = pos;
      steps++;
      const inst = program[pc] as Inst;
      switch (inst.op) {
        case 'match': matched = true; break;
        case 'char': list.push(pc); break;
        case 'jump': stack.push(inst.next); break;
        case 'split': stack.push(inst.alt, inst.next); break;
        case 'assert': {
          const holds = inst.kind === 'start' ? pos === 0
            : inst.kind === 'end' ? pos === n && !cut
              : (isWordAt(pos - 1) !== isWordAt(pos)) === (inst.kind === 'word');
          if (holds) stack.push(inst.next);
          break;
        }
      }
    }
  };

  let current: number[] = [];
  for (let pos = 0; pos <= n && !matched; pos++) {
    add(current, 0, pos); // unanchored: a match may start at any position
    if (matched || pos === n) break;
    const next: number[] = [];
    const ch = chars[pos] as string;
    for (const pc of current) {
      const inst = program[pc] as Extract<Inst, { op: 'char' }>;
      if (inst.test(ch)) add(next, inst.next, pos + 1);
      if (matched) break;
    }
    current = next;
  }
  return { matched, inputLength: n, steps, programSize: program.length };
}
