import type { Alert } from './alert.ts';

/** The EventBridge `source` and `detail-type` of every alert event (DESIGN §8). */
export const ALERT_EVENT_SOURCE = 'zoomlake';
export const ALERT_DETAIL_TYPE = 'Zoom Security Alert';

/** What happened to one alert handed to delivery. */
export interface DeliveryResult {
  readonly alertId: string;
  /** notified: first in its dedup window, written and published; suppressed: a repeat, count and last_seen updated. */
  readonly outcome: 'notified' | 'suppressed';
  /** How many times this detection and dedup key were raised in the current window, this one included. */
  readonly count: number;
}

/**
 * Hands alerts from every source (realtime checks, the scheduled runner, correlation) to suppression, the
 * `alerts` table and the alert bus. Implementations: lambdas/core/alerts/ (core, over the ports).
 */
export interface AlertDelivery {
  deliver(alerts: readonly Alert[]): Promise<DeliveryResult[]>;
}
