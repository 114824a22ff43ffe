import type { Alert } from '#core/alerts/alert.ts';
import type { AlertDelivery, DeliveryResult } from '#core/ports.ts';

/** An in-memory AlertDelivery: suppression by (detection_id, dedup_key), every alert kept, notified ones listed. */
export class MemoryAlertDelivery implements AlertDelivery {
  readonly received: Alert[] = [];
  readonly notified: Alert[] = [];
  private readonly counts = new Map<string, number>();
  /** When set, the next deliver() throws it (once). */
  failNext: Error | undefined;

  async deliver(alerts: readonly Alert[]): Promise<DeliveryResult[]> {
    if (this.failNext) {
      const error = this.failNext;
      this.failNext = undefined;
      throw error;
    }
    return alerts.map((alert) => {
      this.received.push(alert);
      const key = `${alert.detection_id}\u0000${alert.dedup_key}`;
      const count = (this.counts.get(key) ?? 0) + 1;
      this.counts.set(key, count);
      if (count === 1) this.notified.push(alert);
      return { alertId: alert.alert_id, outcome: count === 1 ? 'notified' : 'suppressed', count };
    });
  }
}
