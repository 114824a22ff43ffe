import type { Clock, ZoomCategory } from '../ports.ts';
import { msUntilUtcMidnight, ZoomBudgetError } from './errors.ts';

const DAY_MS = 86_400_000;

/**
 * Zoom's account plans, as the config (`planTier`), the handlers' environment and the simulator name them: the plans
 * whose rate limits differ (Business, Education and Partner share Enterprise's).
 */
export const ZOOM_PLANS = ['free', 'pro', 'business', 'enterprise'] as const;
export type ZoomPlan = (typeof ZOOM_PLANS)[number];

/** Plans whose accounts have the dashboard API (participant details): the poller's source and the correlation's FetchDetails. */
export const DASHBOARD_PLANS: readonly ZoomPlan[] = ['business', 'enterprise'];

/** At most `count` requests in any `windowMs`-long span. */
export interface ZoomRate {
  readonly count: number;
  readonly windowMs: number;
}

/** A daily limit shared by several categories; it resets at 00:00 UTC. */
export interface ZoomDailyLimit {
  readonly categories: readonly ZoomCategory[];
  readonly limit: number;
}

const perSecond = (count: number): ZoomRate => ({ count, windowMs: 1000 });
const perMinute = (count: number): ZoomRate => ({ count, windowMs: 60_000 });
const BUSINESS_RATES: Record<ZoomCategory, ZoomRate> = {
  Light: perSecond(80),
  Medium: perSecond(60),
  Heavy: perSecond(40),
  ResourceIntensive: perMinute(20),
};

/** Per-account request rates by plan and category (zoom-reference §4); Resource-intensive is counted per minute. */
export const ZOOM_RATES: Readonly<Record<ZoomPlan, Readonly<Record<ZoomCategory, ZoomRate>>>> = {
  free: { Light: perSecond(4), Medium: perSecond(2), Heavy: perSecond(1), ResourceIntensive: perMinute(10) },
  pro: { Light: perSecond(30), Medium: perSecond(20), Heavy: perSecond(10), ResourceIntensive: perMinute(10) },
  business: BUSINESS_RATES,
  enterprise: BUSINESS_RATES,
};

const HEAVY_AND_RI: readonly ZoomCategory[] = ['Heavy', 'ResourceIntensive'];

/** Per-account daily limits by plan (zoom-reference §4): Pro shares 30,000 Heavy+Resource-intensive calls a day, Business+ 60,000. */
export const ZOOM_DAILY_LIMITS: Readonly<Record<ZoomPlan, readonly ZoomDailyLimit[]>> = {
  free: [
    { categories: ['Light'], limit: 6_000 },
    { categories: ['Medium'], limit: 2_000 },
    { categories: ['Heavy'], limit: 1_000 },
    { categories: ['ResourceIntensive'], limit: 30_000 },
  ],
  pro: [{ categories: HEAVY_AND_RI, limit: 30_000 }],
  business: [{ categories: HEAVY_AND_RI, limit: 60_000 }],
  enterprise: [{ categories: HEAVY_AND_RI, limit: 60_000 }],
};

/** How the limiter is set up. */
export interface ZoomRateLimiterOptions {
  readonly clock: Clock;
  readonly plan: ZoomPlan;
  /** Our share (0..1) of the account's daily budgets: the limits are per account, shared with every other app on it. */
  readonly apiBudgetShare: number;
  /** An absolute cap over all categories, below the plan's rates (e.g. 0.1 for a polite poller). @default no cap */
  readonly maxRequestsPerSecond?: number;
  /**
   * Added to every window: timers fire a millisecond early now and then, and a busy event loop can bunch sends
   * after planned gaps, so the margin keeps the real send times, not only the planned ones, under Zoom's limit.
   * @default 25
   */
  readonly timerMarginMs?: number;
}

/**
 * A sliding window log: the grant times of the last `count` requests. A classic token bucket with burst B lets
 * B + r requests through some 1-second span, which is exactly what trips Zoom's per-second 429s; this one
 * guarantees at most `count` in every `windowMs` span, whatever its alignment.
 */
class SlidingWindow {
  private readonly grants: number[] = [];
  constructor(
    private readonly rate: ZoomRate,
    private readonly marginMs: number,
  ) {}

  /** The earliest time at or after `t` this window allows a grant, keeping grants in order. */
  earliest(t: number): number {
    let at = t;
    const last = this.grants.at(-1);
    if (last !== undefined && last > at) at = last;
    const oldest = this.grants.length >= this.rate.count ? this.grants[this.grants.length - this.rate.count] : undefined;
    const free = oldest === undefined ? undefined : oldest + this.rate.windowMs + this.marginMs;
    if (free !== undefined && free > at) at = free;
    return at;
  }

  record(t: number): void {
    this.grants.push(t);
    if (this.grants.length > this.rate.count) this.grants.shift();
  }
}

interface DailyCounter {
  readonly limit: ZoomDailyLimit;
  readonly allowed: number;
  day: number;
  used: number;
}

/** A per-second cap as a window: whole requests per second, or one request per 1/r seconds below 1 rps. */
function capRate(maxRequestsPerSecond: number): ZoomRate {
  if (maxRequestsPerSecond >= 1) return perSecond(Math.floor(maxRequestsPerSecond));
  return { count: 1, windowMs: Math.ceil(1000 / maxRequestsPerSecond) };
}

/**
 * Client-side pacing for Zoom's per-account limits: per-category rates by plan, an optional overall cap, and our
 * share of the daily budgets. Pure: it reads the injected clock and says how long to wait; the caller sleeps.
 */
export class ZoomRateLimiter {
  private readonly windows: Record<ZoomCategory, SlidingWindow>;
  private readonly cap: SlidingWindow | undefined;
  private readonly daily: DailyCounter[];

  constructor(private readonly options: ZoomRateLimiterOptions) {
    const { plan, apiBudgetShare, maxRequestsPerSecond } = options;
    if (!(apiBudgetShare >= 0 && apiBudgetShare <= 1)) throw new RangeError(`apiBudgetShare must be between 0 and 1, got ${apiBudgetShare}`);
    if (maxRequestsPerSecond !== undefined && !(maxRequestsPerSecond > 0 && Number.isFinite(maxRequestsPerSecond))) {
      throw new RangeError(`maxRequestsPerSecond must be a positive number, got ${maxRequestsPerSecond}`);
    }
    const rates = ZOOM_RATES[plan];
    const margin = options.timerMarginMs ?? 25;
    this.windows = {
      Light: new SlidingWindow(rates.Light, margin),
      Medium: new SlidingWindow(rates.Medium, margin),
      Heavy: new SlidingWindow(rates.Heavy, margin),
      ResourceIntensive: new SlidingWindow(rates.ResourceIntensive, margin),
    };
    this.cap = maxRequestsPerSecond === undefined ? undefined : new SlidingWindow(capRate(maxRequestsPerSecond), margin);
    this.daily = ZOOM_DAILY_LIMITS[plan].map((limit) => ({ limit, allowed: Math.floor(limit.limit * apiBudgetShare), day: -1, used: 0 }));
  }

  /**
   * Reserves a slot for one request of `category` and returns how long (ms) to wait before sending it.
   * Throws ZoomBudgetError, reserving nothing, when our share of the day's budget is spent.
   */
  acquire(category: ZoomCategory): number {
    const now = this.options.clock.now();
    const counter = this.counterFor(category, now);
    if (counter !== undefined && counter.used >= counter.allowed) {
      throw new ZoomBudgetError(
        `daily zoom api budget share spent: ${counter.used} of ${counter.allowed} ${counter.limit.categories.join('+')} calls (share of ${counter.limit.limit}), resets at 00:00 UTC`,
        msUntilUtcMidnight(now),
      );
    }
    const window = this.windows[category];
    let at = window.earliest(now);
    if (this.cap !== undefined) at = Math.max(at, this.cap.earliest(now));
    window.record(at);
    this.cap?.record(at);
    if (counter !== undefined) counter.used += 1;
    return at - now;
  }

  /** Calls of `category` left in today's budget share, or undefined when the plan has no daily limit for it. */
  dailyRemaining(category: ZoomCategory): number | undefined {
    const counter = this.counterFor(category, this.options.clock.now());
    return counter === undefined ? undefined : counter.allowed - counter.used;
  }

  /**
   * The daily budget `category` draws from, as a stable bucket name (e.g. `Heavy+ResourceIntensive`) and the calls
   * our share allows a day; undefined when the plan has no daily limit for it. A shared budget counts against this.
   */
  dailyShare(category: ZoomCategory): { readonly bucket: string; readonly allowed: number; readonly limit: number } | undefined {
    const counter = this.daily.find((c) => c.limit.categories.includes(category));
    return counter === undefined ? undefined : { bucket: counter.limit.categories.join('+'), allowed: counter.allowed, limit: counter.limit.limit };
  }

  private counterFor(category: ZoomCategory, now: number): DailyCounter | undefined {
    const counter = this.daily.find((c) => c.limit.categories.includes(category));
    if (counter === undefined) return undefined;
    const day = Math.floor(now / DAY_MS);
    if (counter.day !== day) {
      counter.day = day;
      counter.used = 0;
    }
    return counter;
  }
}
