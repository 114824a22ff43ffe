import { join } from 'node:path';
import type { AlertDelivery, BusEvent, EventPublisher } from '#core/ports.ts';
import { processRealtimeDetail, type RealtimeDeps, type RealtimeOutcome } from '#core/realtime/process.ts';
import { compileSettings } from '#core/realtime/config.ts';
import { appendDurably } from '../adapters/durable-file.ts';
import type { LocalRuntime } from './runtime.ts';

/** Events checked at once by default: enough to share each state-journal fdatasync among many events. */
export const DEFAULT_REALTIME_CONCURRENCY = 64;

/**
 * The meeting instance an event belongs to, when its checks touch only that meeting's state and state shared in ways
 * safe under concurrency (markers then a query, conditional claims): meeting.* and webinar.* events with an object
 * uuid, body inline. Undefined for every other event (user.*, account.*, recording.*, a body by reference), which
 * runs alone, after every event queued before it and before any queued after it.
 */
function meetingOfDetail(detail: unknown): string | undefined {
  const body = typeof detail === 'object' && detail !== null && 'body' in detail ? detail.body : undefined;
  if (typeof body !== 'string') return undefined;
  let env: { event?: unknown; payload?: { object?: { uuid?: unknown } } } | null;
  try {
    env = JSON.parse(body) as typeof env;
  } catch {
    return undefined;
  }
  const event = env?.event;
  const uuid = env?.payload?.object?.uuid;
  if (typeof event !== 'string' || typeof uuid !== 'string' || uuid === '') return undefined;
  return event.startsWith('meeting.') || event.startsWith('webinar.') ? uuid : undefined;
}

/**
 * The local counterpart of bus rule -> queue -> realtime function: accepted webhook events are queued in memory and
 * run through the realtime checks after the receiver has answered, up to `concurrency` at once (the deployed function
 * runs up to 10 batches at once) so their state writes share the journal's fdatasync. Order is kept where the checks
 * depend on it: events of one meeting instance run one at a time in arrival order, and any other event (a user's
 * deactivation, a recording's deletion, ...) runs alone, after everything queued before it. An event that fails is
 * written to the dead-letter file with its reason (what the queue's DLQ would hold), never dropped silently.
 */
export class LocalRealtime {
  /** Every queued or running event's end. */
  private readonly queued = new Set<Promise<void>>();
  /** Per meeting instance, the end of its last queued event. */
  private readonly meetings = new Map<string, Promise<void>>();
  /** The end of the last event that runs alone. */
  private barrier: Promise<unknown> = Promise.resolve();
  private running = 0;
  private readonly slots: (() => void)[] = [];

  constructor(
    private readonly deps: RealtimeDeps,
    private readonly deadLetterFile: string,
    private readonly log: (line: string) => void,
    /** Called after each event, e.g. by the bench to time alerts. */
    private readonly onOutcome?: (outcome: RealtimeOutcome, detail: unknown) => void,
    private readonly concurrency = DEFAULT_REALTIME_CONCURRENCY,
  ) {}

  /** Queues events for the checks; returns at once. */
  enqueue(events: readonly BusEvent[]): void {
    for (const event of events) {
      const meeting = meetingOfDetail(event.detail);
      const after = meeting === undefined ? Promise.all(this.queued) : Promise.all([this.barrier, this.meetings.get(meeting)]);
      const done: Promise<void> = after.then(() => this.inSlot(() => this.process(event.detail)));
      if (meeting === undefined) {
        this.barrier = done;
      } else {
        this.meetings.set(meeting, done);
      }
      this.queued.add(done);
      void done.finally(() => {
        this.queued.delete(done);
        if (meeting !== undefined && this.meetings.get(meeting) === done) this.meetings.delete(meeting);
      });
    }
  }

  /** Resolves when every queued event has been processed. */
  async idle(): Promise<void> {
    while (this.queued.size > 0) await Promise.all(this.queued);
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

  /** Runs `work` once fewer than `concurrency` events are running, in the order the slots were asked for. */
  private async inSlot(work: () => Promise<void>): Promise<void> {
    if (this.running >= this.concurrency) await new Promise<void>((resolve) => this.slots.push(resolve));
    else this.running++;
    try {
      await work();
    } finally {
      const next = this.slots.shift();
      if (next) next();
      else this.running--;
    }
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
    try {
      this.onOutcome?.(outcome, detail);
    } catch (error) {
      this.log(JSON.stringify({ realtime: 'outcome_callback_failed', reason: error instanceof Error ? error.name : 'unknown' }));
    }
  }
}

/** What makeLocalRealtime may replace, for tests and the bench. */
export interface LocalRealtimeOptions {
  /** @default the local delivery: suppression in the state store, the `alerts` table and `<dir>/alerts.jsonl`, echoed */
  readonly delivery?: AlertDelivery;
  readonly onOutcome?: (outcome: RealtimeOutcome, detail: unknown) => void;
  /** Events checked at once. @default DEFAULT_REALTIME_CONCURRENCY */
  readonly concurrency?: number;
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
    options.concurrency,
  );
}
