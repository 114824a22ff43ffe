import type { ZoomPlan } from '#core/zoom/rate-limit.ts';

/** Zoom's account plans, as far as API behaviour differs. */
export type Plan = ZoomPlan;

/** Zoom's rate-limit labels. */
export type RateCategory = 'Light' | 'Medium' | 'Heavy' | 'Resource-intensive';

/** Per-plan limits from zoom-reference §4: requests per window and the window length. */
const QPS: Record<Plan, Record<RateCategory, number>> = {
  free: { Light: 4, Medium: 2, Heavy: 1, 'Resource-intensive': 10 },
  pro: { Light: 30, Medium: 20, Heavy: 10, 'Resource-intensive': 10 },
  business: { Light: 80, Medium: 60, Heavy: 40, 'Resource-intensive': 20 },
  enterprise: { Light: 80, Medium: 60, Heavy: 40, 'Resource-intensive': 20 },
};

/** Resource-intensive limits are per minute; the others per second. */
function windowMs(category: RateCategory): number {
  return category === 'Resource-intensive' ? 60_000 : 1000;
}

/** Which daily budget a request draws from: Free has one per category; Pro+ share one for Heavy and Resource-intensive. */
function dailyBucket(plan: Plan, category: RateCategory, heavyOverride: number | null): { key: string; limit: number } | undefined {
  if (plan === 'free') {
    const limits: Record<RateCategory, number> = { Light: 6000, Medium: 2000, Heavy: 1000, 'Resource-intensive': 30_000 };
    const limit = (category === 'Heavy' || category === 'Resource-intensive') && heavyOverride !== null ? heavyOverride : limits[category];
    return { key: category, limit };
  }
  if (category !== 'Heavy' && category !== 'Resource-intensive') return undefined;
  return { key: 'Heavy', limit: heavyOverride ?? (plan === 'pro' ? 30_000 : 60_000) };
}

/** The next 00:00 UTC after `now`, when Zoom resets daily limits. */
export function nextUtcMidnight(now: number): number {
  return Math.floor(now / 86_400_000) * 86_400_000 + 86_400_000;
}

/** Why a request was refused, with the headers Zoom sends on a 429. */
export interface RateLimitRefusal {
  readonly type: 'QPS' | 'Daily-limit';
  readonly headers: Record<string, string>;
  readonly message: string;
}

/** Settings the limiter reads on every request (they change at runtime through the fault switches). */
export interface RateLimitSettings {
  readonly plan: Plan;
  readonly enforceQps: boolean;
  /** Overrides the plan's daily Heavy budget (null: the plan's own). */
  readonly dailyHeavyLimit: number | null;
}

/** Counts accepted requests per category over a sliding window and per UTC day. */
export class RateLimiter {
  private readonly recent = new Map<RateCategory, number[]>();
  private readonly daily = new Map<string, number>();
  private day = -1;

  /** Admits the request (and counts it) or says why not. */
  admit(category: RateCategory, now: number, settings: RateLimitSettings): RateLimitRefusal | undefined {
    const today = Math.floor(now / 86_400_000);
    if (today !== this.day) {
      this.day = today;
      this.daily.clear();
    }
    const bucket = dailyBucket(settings.plan, category, settings.dailyHeavyLimit);
    const used = bucket ? (this.daily.get(bucket.key) ?? 0) : 0;
    if (bucket && used >= bucket.limit) {
      return {
        type: 'Daily-limit',
        message: `You have reached the maximum daily rate limit for this API. Refer to the response header for details on when you can make another request.`,
        headers: {
          'X-RateLimit-Category': category,
          'X-RateLimit-Type': 'Daily-limit',
          'X-RateLimit-Limit': String(bucket.limit),
          'X-RateLimit-Remaining': '0',
          'Retry-After': new Date(nextUtcMidnight(now)).toISOString().replace(/\.\d{3}Z$/, 'Z'),
        },
      };
    }
    const window = windowMs(category);
    const limit = QPS[settings.plan][category];
    const stamps = (this.recent.get(category) ?? []).filter((t) => t > now - window);
    this.recent.set(category, stamps);
    if (settings.enforceQps && stamps.length >= limit) {
      const oldest = stamps[0] ?? now;
      return {
        type: 'QPS',
        message:
          window === 1000
            ? 'You have reached the maximum per-second rate limit for this API. Try again later.'
            : 'You have reached the maximum per-minute rate limit for this API. Try again later.',
        headers: {
          'X-RateLimit-Category': category,
          'X-RateLimit-Type': 'QPS',
          'Retry-After': String(Math.max(1, Math.ceil((oldest + window - now) / 1000))),
        },
      };
    }
    // The window never holds more than `limit` stamps, so the array stays bounded.
    stamps.push(now);
    if (stamps.length > limit) stamps.splice(0, stamps.length - limit);
    if (bucket) this.daily.set(bucket.key, used + 1);
    return undefined;
  }

  /** Headers Zoom adds to successful responses of daily-limited categories. */
  remainingHeaders(category: RateCategory, settings: RateLimitSettings): Record<string, string> {
    const bucket = dailyBucket(settings.plan, category, settings.dailyHeavyLimit);
    if (!bucket) return {};
    return {
      'X-RateLimit-Limit': String(bucket.limit),
      'X-RateLimit-Remaining': String(Math.max(0, bucket.limit - (this.daily.get(bucket.key) ?? 0))),
    };
  }
}

/** The per-second (or per-window) limit for a plan and category, for tests that check a client's pace. */
export function rateLimitFor(plan: Plan, category: RateCategory): { readonly limit: number; readonly windowMs: number } {
  return { limit: QPS[plan][category], windowMs: windowMs(category) };
}

/** The most requests seen in any `windowMs`-long interval: lets a test prove a client stayed under a rate. */
export function peakRequests(times: readonly number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let peak = 0;
  let lo = 0;
  for (let hi = 0; hi < sorted.length; hi++) {
    while ((sorted[hi] as number) - (sorted[lo] as number) >= windowMs) lo++;
    peak = Math.max(peak, hi - lo + 1);
  }
  return peak;
}
