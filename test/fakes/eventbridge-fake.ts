import { AwsJsonFake, awsJsonError, type JsonReply } from './aws-json-server.ts';

/** One PutEvents entry as the fake received it; `Time` is epoch seconds, as the JSON protocol sends it. */
export interface FakeEntry {
  readonly Source?: string;
  readonly DetailType?: string;
  readonly Detail?: string;
  readonly EventBusName?: string;
  readonly Time?: number;
}

/** Why the fake refuses one entry. */
export interface EntryFailure {
  readonly code: string;
  readonly message: string;
}

/** Decides the fate of an entry; `previousAttempts` counts earlier PutEvents calls that carried the same Detail. */
export type EntryFailurePolicy = (entry: FakeEntry, previousAttempts: number) => EntryFailure | undefined;

/**
 * EventBridge's PutEvents over the AWS JSON 1.1 protocol on loopback. Records every call's entries, accepts them
 * unless `failEntry` says otherwise, and answers like EventBridge (FailedEntryCount plus per-entry results).
 */
export class EventBridgeFake extends AwsJsonFake {
  /** Entries of each PutEvents call, in call order. */
  readonly calls: FakeEntry[][] = [];
  /** Entries the fake accepted, in order. */
  readonly accepted: FakeEntry[] = [];
  /** Per-entry failure policy; accept everything by default. */
  failEntry: EntryFailurePolicy = () => undefined;
  private readonly seen = new Map<string, number>();
  private nextId = 0;

  constructor() {
    super();
  }

  /** Forgets recorded calls and attempts, and accepts everything again. */
  reset(): void {
    this.calls.length = 0;
    this.accepted.length = 0;
    this.seen.clear();
    this.failEntry = () => undefined;
  }

  protected handle(target: string, body: unknown): JsonReply {
    if (target !== 'AWSEvents.PutEvents') return awsJsonError(400, 'UnknownOperationException', `unsupported ${target}`);
    const entries = readEntries(body);
    if (!entries || entries.length === 0 || entries.length > 10) {
      return awsJsonError(400, 'ValidationException', 'Entries must hold 1 to 10 entries');
    }
    this.calls.push(entries);
    let failed = 0;
    const results = entries.map((entry) => {
      const id = entry.Detail ?? '';
      const previous = this.seen.get(id) ?? 0;
      this.seen.set(id, previous + 1);
      const failure = this.failEntry(entry, previous);
      if (failure) {
        failed++;
        return { ErrorCode: failure.code, ErrorMessage: failure.message };
      }
      this.accepted.push(entry);
      return { EventId: `fake-${this.nextId++}` };
    });
    return { status: 200, body: { FailedEntryCount: failed, Entries: results } };
  }
}

function readEntries(body: unknown): FakeEntry[] | undefined {
  if (typeof body !== 'object' || body === null || !('Entries' in body) || !Array.isArray(body.Entries)) return undefined;
  return body.Entries.map((raw: unknown): FakeEntry => {
    const entry = typeof raw === 'object' && raw !== null ? raw : {};
    const text = (key: string): string | undefined => {
      const value: unknown = Object.getOwnPropertyDescriptor(entry, key)?.value;
      return typeof value === 'string' ? value : undefined;
    };
    const time: unknown = Object.getOwnPropertyDescriptor(entry, 'Time')?.value;
    return {
      Source: text('Source'),
      DetailType: text('DetailType'),
      Detail: text('Detail'),
      EventBusName: text('EventBusName'),
      Time: typeof time === 'number' ? time : undefined,
    };
  });
}
