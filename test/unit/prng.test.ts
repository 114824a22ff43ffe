import { describe, expect, it } from 'vitest';
import { Prng } from '#core/prng.ts';

describe('Prng', () => {
  it('started from a raw state, gives the plain mulberry32 sequence (the bench, the report layout and tests rely on it)', () => {
    const rng = Prng.fromState(1);
    expect([rng.next(), rng.next(), rng.next()]).toEqual([0.6270739405881613, 0.002735721180215478, 0.5274470399599522]);
  });

  it('gives the same stream for the same seed and label, and another for another label', () => {
    const draws = (seed: string | number, label: string) => {
      const rng = new Prng(seed, label);
      return Array.from({ length: 5 }, () => rng.next());
    };
    expect(draws(42, 'org')).toEqual(draws(42, 'org'));
    expect(draws(42, 'org')).not.toEqual(draws(42, 'faults'));
    expect(draws('42', 'org')).toEqual(draws(42, 'org'));
  });
});
