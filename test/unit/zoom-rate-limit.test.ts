import { describe, expect, it } from 'vitest';
import { ZoomBudgetError } from '#core/zoom/errors.ts';
import { type ZoomPlan, ZoomRateLimiter } from '#core/zoom/rate-limit.ts';
import { FakeClock } from '../fakes/fake-clock.ts';
import type { ZoomCategory } from '#core/ports.ts';

const NOW = Date.UTC(2026, 10, 26, 15, 30, 0);
const MIDNIGHT = Date.UTC(2026, 10, 27);

/** 500 requests arriving over 10 s in five bursts of 100 (one every 2 s); returns when each was let through. */
function burst(limiter: ZoomRateLimiter, clock: FakeClock, categoryOf: (i: number) => ZoomCategory): number[] {
  const grants: number[] = [];
  for (let i = 0; i < 500; i++) {
    clock.set(NOW + Math.floor(i / 100) * 2000);
    const wait = limiter.acquire(categoryOf(i));
    expect(wait).toBeGreaterThanOrEqual(0);
    grants.push(clock.now() + wait);
  }
  return grants;
}

/** The most grants in any span [t, t + spanMs) over the recorded times. */
function maxInAnySpan(grants: readonly number[], spanMs: number): number {
  const sorted = [...grants].sort((a, b) => a - b);
  let most = 0;
  for (let i = 0; i < sorted.length; i++) {
    let j = i;
    while (j < sorted.length && sorted[j]! < sorted[i]! + spanMs) j++;
    most = Math.max(most, j - i);
  }
  return most;
}

describe('ZoomRateLimiter pacing', () => {
  it.each<[string, ZoomPlan, ZoomCategory, number | undefined, number, number]>([
    // name, plan, category, cap, allowed per window, window ms
    ['free Heavy: 1/s', 'free', 'Heavy', undefined, 1, 1000],
    ['pro Heavy: 10/s', 'pro', 'Heavy', undefined, 10, 1000],
    ['pro Medium: 20/s', 'pro', 'Medium', undefined, 20, 1000],
    ['business Light: 80/s', 'business', 'Light', undefined, 80, 1000],
    ['enterprise Heavy: 40/s', 'enterprise', 'Heavy', undefined, 40, 1000],
    ['business Light capped at 5/s', 'business', 'Light', 5, 5, 1000],
    ['pro Light capped at 2.5/s: 2 per second', 'pro', 'Light', 2.5, 2, 1000],
    ['pro Light capped at 0.5/s: one per 2 s', 'pro', 'Light', 0.5, 1, 2000],
    ['business Resource-intensive: 20/min', 'business', 'ResourceIntensive', undefined, 20, 60_000],
    ['pro Resource-intensive: 10/min', 'pro', 'ResourceIntensive', undefined, 10, 60_000],
  ])('%s', (_name, plan, category, cap, allowed, windowMs) => {
    const clock = new FakeClock(NOW);
    const limiter = new ZoomRateLimiter({ timerMarginMs: 0, clock, plan, apiBudgetShare: 1, maxRequestsPerSecond: cap });
    const grants = burst(limiter, clock, () => category);
    expect(maxInAnySpan(grants, windowMs)).toBeLessThanOrEqual(allowed);
    expect(maxInAnySpan(grants, 1000)).toBeLessThanOrEqual(Math.max(1, cap ?? allowed));
    // Not stricter than needed: the last request goes out about when the rate says it can.
    const busiest = Math.max(...grants) - NOW;
    const ideal = Math.max(8000, (Math.ceil(500 / allowed) - 1) * windowMs);
    expect(busiest).toBeLessThanOrEqual(ideal + windowMs);
    expect(maxInAnySpan(grants, windowMs)).toBe(Math.min(allowed, 100));
  });

  it('lets a request through at once when the window has room', () => {
    const clock = new FakeClock(NOW);
    const limiter = new ZoomRateLimiter({ timerMarginMs: 0, clock, plan: 'pro', apiBudgetShare: 1 });
    expect(Array.from({ length: 10 }, () => limiter.acquire('Heavy'))).toEqual(Array(10).fill(0));
    expect(limiter.acquire('Heavy')).toBe(1000);
  });

  it('paces categories apart from each other and under the overall cap together', () => {
    const clock = new FakeClock(NOW);
    const limiter = new ZoomRateLimiter({ timerMarginMs: 0, clock, plan: 'pro', apiBudgetShare: 1, maxRequestsPerSecond: 15 });
    const categories: ZoomCategory[] = [];
    const grants = burst(limiter, clock, (i) => {
      categories.push(i % 2 === 0 ? 'Heavy' : 'Light');
      return categories.at(-1)!;
    });
    expect(maxInAnySpan(grants, 1000)).toBeLessThanOrEqual(15);
    expect(
      maxInAnySpan(
        grants.filter((_, i) => categories[i] === 'Heavy'),
        1000,
      ),
    ).toBeLessThanOrEqual(10);
  });

  it.each([
    ['a negative share', -0.1, undefined],
    ['a share above 1', 1.5, undefined],
    ['a NaN share', Number.NaN, undefined],
    ['a zero cap', 1, 0],
    ['an infinite cap', 1, Number.POSITIVE_INFINITY],
  ])('rejects %s', (_name, apiBudgetShare, maxRequestsPerSecond) => {
    expect(() => new ZoomRateLimiter({ clock: new FakeClock(NOW), plan: 'pro', apiBudgetShare, maxRequestsPerSecond })).toThrow(RangeError);
  });
});

describe('ZoomRateLimiter daily budget', () => {
  it.each<[string, ZoomPlan, number, number]>([
    ['pro, 0.1% of 30,000', 'pro', 0.001, 30],
    ['business, 0.1% of 60,000', 'business', 0.001, 60],
    ['enterprise, 0.05% of 60,000', 'enterprise', 0.0005, 30],
  ])('%s: Heavy and Resource-intensive share it, Light does not', (_name, plan, share, allowed) => {
    const clock = new FakeClock(NOW);
    const limiter = new ZoomRateLimiter({ timerMarginMs: 0, clock, plan, apiBudgetShare: share });
    expect(limiter.dailyRemaining('Heavy')).toBe(allowed);
    for (let i = 0; i < allowed; i++) {
      clock.advance(limiter.acquire(i % 3 === 0 ? 'ResourceIntensive' : 'Heavy'));
    }
    expect(limiter.dailyRemaining('ResourceIntensive')).toBe(0);
    const at = clock.now();
    let thrown: unknown;
    try {
      limiter.acquire('Heavy');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ZoomBudgetError);
    expect((thrown as ZoomBudgetError).retryable).toBe(true);
    expect((thrown as ZoomBudgetError).retryAfterMs).toBe(Date.UTC(2026, 10, 27) - at);
    expect(() => limiter.acquire('ResourceIntensive')).toThrow(ZoomBudgetError);
    expect(limiter.acquire('Light')).toBeGreaterThanOrEqual(0);
    expect(limiter.dailyRemaining('Light')).toBeUndefined();

    clock.set(MIDNIGHT - 1);
    expect(() => limiter.acquire('Heavy')).toThrow(ZoomBudgetError);
    clock.set(MIDNIGHT);
    expect(limiter.dailyRemaining('Heavy')).toBe(allowed);
    expect(limiter.acquire('Heavy')).toBeGreaterThanOrEqual(0);
    expect(limiter.dailyRemaining('Heavy')).toBe(allowed - 1);
  });

  it('a refused request reserves no slot and uses no budget', () => {
    const clock = new FakeClock(NOW);
    const limiter = new ZoomRateLimiter({ timerMarginMs: 0, clock, plan: 'pro', apiBudgetShare: 0 });
    expect(() => limiter.acquire('Heavy')).toThrow(/daily zoom api budget share spent: 0 of 0 Heavy\+ResourceIntensive/);
    expect(limiter.dailyRemaining('Heavy')).toBe(0);
  });

  it("applies the share to a free plan's per-category daily limits", () => {
    const clock = new FakeClock(NOW);
    const limiter = new ZoomRateLimiter({ timerMarginMs: 0, clock, plan: 'free', apiBudgetShare: 0.5 });
    expect([limiter.dailyRemaining('Light'), limiter.dailyRemaining('Medium'), limiter.dailyRemaining('Heavy')]).toEqual([3000, 1000, 500]);
  });
});

describe('ZoomRateLimiter timer margin', () => {
  it('spaces windows by 25 ms more than the limit by default, against timer and event-loop skew', () => {
    const clock = new FakeClock(NOW);
    const limiter = new ZoomRateLimiter({ clock, plan: 'pro', apiBudgetShare: 1, maxRequestsPerSecond: 1 });
    expect([limiter.acquire('Light'), limiter.acquire('Light'), limiter.acquire('Light')]).toEqual([0, 1025, 2050]);
  });
});
