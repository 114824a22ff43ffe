import { join } from 'node:path';
import type { AlertDelivery, BusEvent, EventPublisher } from '#core/ports.ts';
import { processRealtimeDetail, type RealtimeDeps, type RealtimeOutcome } from '#core/realtime/process.ts';
import { compileSettings } from '#core/realtime/config.ts';
import { appendDurably } from '../adapters/durable-file.ts';
import type { LocalRuntime } from './runtime.ts';

/**
 * The local counterpart of bus rule -> queue -> realtime function: accepted webhook events are queued in memory and
 * run through the realtime checks one at a time, after the receiver has answered. An event that fails is written to
 * the dead-letter file with its reason (what the queue's DLQ would hold), never dropped silently.
 */
export class LocalRealtime {
  private tail: Promise<void> = Promise.resolve();

  constructor(
    private readonly deps: RealtimeDeps,
    private readonly deadLetterFile: string,
    private readonly log: (line: string) => void,
    /** Called after each event, e.g. by the bench to time alerts. */
    private readonly onOutcome?: (outcome: RealtimeOutcome, detail: unknown) => void,
  ) {}

  /** Queues events for the checks; returns at once. */
  enqueue(events: readonly BusEvent[]): void {
    for (const event of events) this.tail = this.tail.then(() => this.process(event.detail));
  }

  /** Resolves when every queued event has been processed. */
  idle(): Promise<void> {
    return this.tail;
  }

  /** A publisher that hands events to `inner` (the lake pipeline's spool) and, once it accepted them, to the checks. */
  publisherAfter(inner: EventPublisher): EventPublisher {
    return {
      publish: async (events) => {
        await inner.publish(events);
        this.enqueue(events);
      },
    };
  }

  private async process(detail: unknown): Promise<void> {
    let outcome: RealtimeOutcome;
    try {
      outcome = await processRealtimeDetail(detail, this.deps);
    } catch (error) {
      outcome = { status: 'rejected', reason: `error: ${error instanceof Error ? error.name : 'unknown'}` };
    }
    if (outcome.status === 'rejected' || outcome.status === 'retry') {
      this.log(JSON.stringify({ realtime: outcome.status, reason: outcome.reason }));
      await appendDurably(this.deadLetterFile, JSON.stringify({ detail, reason: outcome.reason }) + '\n').catch((e: unknown) =>
        this.log(JSON.stringify({ realtime: 'dead_letter_write_failed', reason: e instanceof Error ? e.name : 'unknown' })),
      );
    }
    this.onOutcome?.(outcome, detail);
  }
}

/** What makeLocalRealtime may replace, for tests and the bench. */
export interface LocalRealtimeOptions {
  /** @default the local delivery: suppression in the state store, the `alerts` table and `<dir>/alerts.jsonl`, echoed */
  readonly delivery?: AlertDelivery;
  readonly onOutcome?: (outcome: RealtimeOutcome, detail: unknown) => void;
}

/**
 * The realtime checks of a local deployment: state in the runtime's state store, bodies from its lake folder, alerts
 * to `<dir>/alerts.jsonl` with one console line per notified alert (`echo`).
 */
export function makeLocalRealtime(rt: LocalRuntime, echo: (line: string) => void, options: LocalRealtimeOptions = {}): LocalRealtime {
  const delivery = options.delivery ?? rt.alertDelivery({ echo });
  const settings = compileSettings({ ...rt.config, ...rt.config.realtime });
  // An event recovered from the spool may have been claimed by the process that crashed: its claim is taken over.
  return new LocalRealtime(
    { state: rt.state, bodies: rt.store, delivery, clock: rt.clock, settings, registry: rt.registry, claimsStaleBefore: rt.startedAt },
    join(rt.paths.dir, 'state', 'realtime-dead-letters.jsonl'),
    echo,
    options.onOutcome,
  );
}
