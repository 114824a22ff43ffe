import { createHash } from 'node:crypto';
import { durationMs, type Detection } from '../detect/detection.ts';
import { ConditionFailedError, StorageError } from '../errors.ts';
import type { LakeWriter } from '../lake/writer.ts';
import type { AlertDelivery, Clock, DeliveryResult, EventPublisher, StateItem, StateStore } from '../ports.ts';
import { type Alert, ALERT_DETAIL_TYPE, ALERT_EVENT_SOURCE, alertRow, alertSchema } from './alert.ts';

/** Evidence rows carried on the bus; the `alerts` table keeps them all. Keeps an event well under EventBridge's 1 MB. */
export const MAX_EVENT_EVIDENCE_ROWS = 50;
/** Suppression window for a detection without one of its own. */
export const DEFAULT_DEDUP_WINDOW_MS = 24 * 3_600_000;
/**
 * Reads and conditional writes one delivery may spend on a suppression item. A lost race means another delivery of
 * the same alert made progress, so n concurrent deliveries need at most n tries each.
 */
const MAX_TRIES = 100;
/**
 * A claim not marked delivered after this long belongs to a delivery that died between claiming and publishing (a
 * crash, a Lambda timeout): a repeat takes it over and notifies. Longer than any delivery can run (Lambda's 15 minutes).
 */
export const STALE_CLAIM_MS = 15 * 60_000;

/** The `detail` of an alert event on the bus: the alert (evidence capped) plus delivery facts. */
export type AlertEventDetail = Alert & {
  /** Raises of this detection and dedup key in the current window, this one included (1 when notified). */
  readonly count: number;
  /** Evidence rows the alert had; `evidence` holds at most MAX_EVENT_EVIDENCE_ROWS of them. */
  readonly evidence_total: number;
};

/** Suppression windows by detection id, with a default. */
export interface DedupWindows {
  readonly byDetection: Readonly<Record<string, number>>;
  /** @default DEFAULT_DEDUP_WINDOW_MS */
  readonly defaultMs?: number;
}

/** Each detection's suppression window (`dedup.window` in its detection.yml), by id. */
export function dedupWindowsOf(detections: readonly Pick<Detection, 'id' | 'dedup'>[]): DedupWindows {
  return { byDetection: Object.fromEntries(detections.map((d) => [d.id, durationMs(d.dedup.window)])) };
}

/** What {@link SuppressingAlertDelivery} needs from the outside. */
export interface SuppressingAlertDeliveryDeps {
  readonly state: StateStore;
  /** A fresh lake writer for the `alerts` table, named after `writerId`. */
  readonly newWriter: (writerId: string) => LakeWriter;
  /** The alert bus. */
  readonly publisher: EventPublisher;
  readonly clock: Clock;
  readonly windows: DedupWindows;
  /** Names the lake files this delivery writes. @default 'alerts' */
  readonly writerId?: string;
  /**
   * Claims made before this time are stale whatever their age: locally one process owns the data folder, so a claim
   * left undelivered by an earlier process died with it. @default none (only STALE_CLAIM_MS)
   */
  readonly claimsStaleBefore?: number;
}

/** An alert that is not a valid {@link Alert}; nothing of its batch was delivered. */
export class AlertValidationError extends Error {
  override readonly name = 'AlertValidationError';
}

/** The state item suppressing repeats of one detection and dedup key. */
export function suppressionKey(detectionId: string, dedupKey: string): { pk: string; sk: string } {
  // Hashed: a dedup key is row values joined and may exceed DynamoDB's 1 KB sort key.
  return { pk: `alert-suppression#${detectionId}`, sk: createHash('sha256').update(dedupKey).digest('hex').slice(0, 32) };
}

/** The bus event detail of a notified alert. */
export function alertEventDetail(alert: Alert, count: number): AlertEventDetail {
  return { ...alert, evidence: alert.evidence.slice(0, MAX_EVENT_EVIDENCE_ROWS), evidence_total: alert.evidence.length, count };
}

/**
 * Delivers alerts once per detection and dedup key per window, whatever their source: the first raise claims a
 * suppression item (conditional put on absence, TTL = the detection's window from now) and is written to the `alerts`
 * table and published; a raise while the item lives only increments its `count` and raises its `last_seen`. The claim
 * is what makes concurrent deliveries of one alert notify exactly once. When writing or publishing fails, the claims of
 * that batch are released and the error is thrown, so a retry notifies instead of finding the alert suppressed. A
 * claim is marked `delivered` once published; one left undelivered by a delivery that died in between (a crash) is
 * taken over by the next raise once stale (STALE_CLAIM_MS, or `claimsStaleBefore`), so such an alert is notified
 * late rather than lost.
 */
export class SuppressingAlertDelivery implements AlertDelivery {
  constructor(private readonly deps: SuppressingAlertDeliveryDeps) {}

  async deliver(alerts: readonly Alert[]): Promise<DeliveryResult[]> {
    alerts.forEach((alert, i) => {
      const parsed = alertSchema.safeParse(alert);
      if (!parsed.success) {
        const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
        throw new AlertValidationError(`alert ${i} (${String((alert as Partial<Alert>).detection_id)}) is invalid: ${problems.join('; ')}`);
      }
    });
    const results: DeliveryResult[] = [];
    const claims: { alert: Alert; claim: string }[] = [];
    for (const alert of alerts) {
      const outcome = await this.suppress(alert);
      results.push({ alertId: alert.alert_id, outcome: outcome.claim === undefined ? 'suppressed' : 'notified', count: outcome.count });
      if (outcome.claim !== undefined) claims.push({ alert, claim: outcome.claim });
    }
    if (claims.length === 0) return results;
    try {
      const writer = this.deps.newWriter(this.deps.writerId ?? 'alerts');
      for (const { alert } of claims) {
        const added = writer.add('alerts', alertRow(alert));
        if (!added.ok) throw new AlertValidationError(`alert ${alert.alert_id} does not fit the alerts table: ${added.problems.join('; ')}`);
      }
      await writer.flush();
      await this.deps.publisher.publish(
        claims.map(({ alert }) => ({
          source: ALERT_EVENT_SOURCE,
          detailType: ALERT_DETAIL_TYPE,
          detail: alertEventDetail(alert, 1),
        })),
      );
    } catch (error) {
      await this.release(claims);
      throw error;
    }
    for (const claim of claims) await this.markDelivered(claim);
    return results;
  }

  private windowMs(detectionId: string): number {
    const { byDetection, defaultMs } = this.deps.windows;
    return Object.hasOwn(byDetection, detectionId) ? byDetection[detectionId]! : (defaultMs ?? DEFAULT_DEDUP_WINDOW_MS);
  }

  /** Claims the alert's suppression item (returns the claim token) or counts a repeat on it. */
  private async suppress(alert: Alert): Promise<{ claim?: string; count: number }> {
    const { state, clock } = this.deps;
    const key = suppressionKey(alert.detection_id, alert.dedup_key);
    const lastSeen = Date.parse(alert.last_seen);
    for (let attempt = 0; attempt < MAX_TRIES; attempt++) {
      const now = clock.now();
      const claim = `${alert.alert_id}@${now}`;
      try {
        await state.put(
          {
            ...key,
            attrs: {
              claim,
              alert_id: alert.alert_id,
              detection_id: alert.detection_id,
              count: 1,
              version: 1,
              first_notified: now,
              last_raised: now,
              last_seen: lastSeen,
              delivered: false,
            },
            expiresAt: Math.ceil((now + this.windowMs(alert.detection_id)) / 1000),
          },
          { kind: 'notExists' },
        );
        return { claim, count: 1 };
      } catch (error) {
        if (!(error instanceof ConditionFailedError)) throw error;
      }
      // A repeat: increment on the live item until our write is the one that lands, or the item is gone.
      for (; attempt < MAX_TRIES; attempt++) {
        const item = await state.get(key.pk, key.sk);
        if (item === undefined) break; // expired or released since: claim it anew
        if (this.isStale(item, clock.now())) {
          const taken = await this.takeOver(item, alert, lastSeen, clock.now());
          if (taken !== undefined) return taken;
          continue;
        }
        const count = await this.countRepeat(item, lastSeen, clock.now());
        if (count !== undefined) return { count };
      }
    }
    throw new StorageError(`suppression item ${key.pk}/${key.sk} kept changing under ${MAX_TRIES} tries; deliver again`, true);
  }

  /**
   * Increments `count` and raises `last_seen` on the item, conditioned on its version so concurrent repeats never
   * lose an increment; the window (TTL) is not extended. Undefined when another writer got there first.
   */
  private async countRepeat(item: StateItem, lastSeen: number, now: number): Promise<number | undefined> {
    const version = typeof item.attrs.version === 'number' ? item.attrs.version : 0;
    const count = (typeof item.attrs.count === 'number' ? item.attrs.count : 0) + 1;
    const stored = typeof item.attrs.last_seen === 'number' ? item.attrs.last_seen : lastSeen;
    try {
      await this.deps.state.put(
        { ...item, attrs: { ...item.attrs, count, version: version + 1, last_raised: now, last_seen: Math.max(stored, lastSeen) } },
        { kind: 'attrEquals', name: 'version', value: version },
      );
      return count;
    } catch (error) {
      if (error instanceof ConditionFailedError) return undefined;
      throw error;
    }
  }

  /** Whether the item is a claim never marked delivered whose delivery must have died (items without the flag predate it). */
  private isStale(item: StateItem, now: number): boolean {
    if (item.attrs.delivered !== false) return false;
    const claimedAt = typeof item.attrs.first_notified === 'number' ? item.attrs.first_notified : now;
    return now - claimedAt >= STALE_CLAIM_MS || (this.deps.claimsStaleBefore !== undefined && claimedAt < this.deps.claimsStaleBefore);
  }

  /** Takes a stale claim over for this alert (conditioned on its version); undefined when another writer got there first. */
  private async takeOver(item: StateItem, alert: Alert, lastSeen: number, now: number): Promise<{ claim: string; count: number } | undefined> {
    const version = typeof item.attrs.version === 'number' ? item.attrs.version : 0;
    const count = (typeof item.attrs.count === 'number' ? item.attrs.count : 0) + 1;
    const claim = `${alert.alert_id}@${now}`;
    try {
      await this.deps.state.put(
        {
          ...item,
          attrs: {
            ...item.attrs,
            claim,
            alert_id: alert.alert_id,
            count,
            version: version + 1,
            first_notified: now,
            last_raised: now,
            last_seen: lastSeen,
            delivered: false,
          },
          expiresAt: Math.ceil((now + this.windowMs(alert.detection_id)) / 1000),
        },
        { kind: 'attrEquals', name: 'version', value: version },
      );
      return { claim, count };
    } catch (error) {
      if (error instanceof ConditionFailedError) return undefined;
      throw error;
    }
  }

  /**
   * Marks a published claim delivered, keeping the repeats counted meanwhile. A failure is not the caller's: the alert
   * is out; the claim then reads as stale later and a repeat notifies it once more (at least once, never lost).
   */
  private async markDelivered({ alert, claim }: { alert: Alert; claim: string }): Promise<void> {
    const key = suppressionKey(alert.detection_id, alert.dedup_key);
    try {
      for (let attempt = 0; attempt < MAX_TRIES; attempt++) {
        const item = await this.deps.state.get(key.pk, key.sk);
        if (item === undefined || item.attrs.claim !== claim) return;
        const version = typeof item.attrs.version === 'number' ? item.attrs.version : 0;
        try {
          await this.deps.state.put(
            { ...item, attrs: { ...item.attrs, delivered: true, version: version + 1 } },
            { kind: 'attrEquals', name: 'version', value: version },
          );
          return;
        } catch (error) {
          if (!(error instanceof ConditionFailedError)) throw error;
        }
      }
    } catch {
      // See above: at least once.
    }
  }

  /** Gives up this batch's claims after a failed write or publish; a claim someone else holds since is left alone. */
  private async release(claims: readonly { alert: Alert; claim: string }[]): Promise<void> {
    for (const { alert, claim } of claims) {
      const key = suppressionKey(alert.detection_id, alert.dedup_key);
      try {
        await this.deps.state.delete(key.pk, key.sk, { kind: 'attrEquals', name: 'claim', value: claim });
      } catch {
        // The original failure is what the caller must see; a claim left behind expires with its window.
      }
    }
  }
}
