import { SuppressingAlertDelivery, type AlertEventDetail, type DedupWindows } from '#core/alerts/suppressing-delivery.ts';
import type { LakeWriter } from '#core/lake/writer.ts';
import type { AlertDelivery, BusEvent, Clock, EventPublisher, StateStore } from '#core/ports.ts';
import { printable } from '../terminal/escape.ts';
import { JsonlPublisher } from '../adapters/jsonl-publisher.ts';

export { dedupWindowsOf } from '#core/alerts/suppressing-delivery.ts';

/** One console line for a notified alert: severity, detection, title and entities (no evidence), terminal-safe. */
export function alertConsoleLine(detail: AlertEventDetail): string {
  const entities = Object.entries(detail.entities)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  return printable(`ALERT ${detail.severity.toUpperCase()} ${detail.detection_id}: ${detail.title}${entities === '' ? '' : ` (${entities})`}`);
}

/** The local alert bus: appends each event to the alerts file, then echoes a one-line summary of it. */
export class EchoingJsonlPublisher implements EventPublisher {
  private readonly jsonl: JsonlPublisher;

  constructor(
    alertsFile: string,
    clock: Clock,
    private readonly echo?: (line: string) => void,
  ) {
    this.jsonl = new JsonlPublisher(alertsFile, clock);
  }

  async publish(events: readonly BusEvent[]): Promise<void> {
    await this.jsonl.publish(events);
    if (this.echo) for (const event of events) this.echo(alertConsoleLine(event.detail as AlertEventDetail));
  }
}

/** What the local alert delivery is built from. */
export interface LocalAlertDeliveryOptions {
  readonly state: StateStore;
  readonly newWriter: (writerId: string) => LakeWriter;
  readonly clock: Clock;
  /** `<dir>/alerts.jsonl`: one line per notified alert (`{time, source, detailType, detail}`). */
  readonly alertsFile: string;
  readonly windows: DedupWindows;
  /** Receives one summary line per notified alert (the console for `zoomlake serve`). @default none */
  readonly echo?: (line: string) => void;
  /** When this runtime started: an undelivered claim older than that died with an earlier process. @default none */
  readonly claimsStaleBefore?: number;
}

/**
 * Alert delivery on one machine, with the same suppression as in AWS: suppression items in the embedded state store,
 * notified alerts in the local lake's `alerts` table and appended to `alerts.jsonl` (the local alert bus).
 */
export function localAlertDelivery(options: LocalAlertDeliveryOptions): AlertDelivery {
  return new SuppressingAlertDelivery({
    state: options.state,
    newWriter: options.newWriter,
    publisher: new EchoingJsonlPublisher(options.alertsFile, options.clock, options.echo),
    clock: options.clock,
    windows: options.windows,
    ...(options.claimsStaleBefore === undefined ? {} : { claimsStaleBefore: options.claimsStaleBefore }),
  });
}
