import { describe, expect, it } from 'vitest';
import { StorageError } from '#core/errors.ts';
import type { BusEvent, EventPublisher } from '#core/ports.ts';
import { FakeClock } from '../fakes/fake-clock.ts';

/** An event as it reached the bus (or the file), with `time` in epoch ms. */
export interface PublishedEvent {
  readonly time: number;
  readonly source: string;
  readonly detailType: string;
  readonly detail: unknown;
}

/** A publisher under test (default limits) and a way to read back what it published. */
export interface EventPublisherHarness {
  readonly publisher: EventPublisher;
  published(): Promise<PublishedEvent[]>;
}

/** Makes a publisher with nothing published yet that reads time from `clock`. */
export type EventPublisherFactory = (clock: FakeClock) => Promise<EventPublisherHarness>;

const START_MS = Date.UTC(2024, 0, 1, 12);

/** The EventPublisher semantics every adapter must share (ports.ts), EventBridge's limits included. */
export function eventPublisherContract(name: string, makePublisher: EventPublisherFactory): void {
  describe(`EventPublisher contract: ${name}`, () => {
    it('publishes every event in order with its fields intact, timed by the event or else the clock', async () => {
      const clock = new FakeClock(START_MS);
      const { publisher, published } = await makePublisher(clock);
      const alert = { alert_id: 'a1', severity: 'high', entities: { user_email: 'ceo@example.com' }, evidence: [{ n: 1 }], note: 'ünïcode' };
      await publisher.publish([
        { source: 'zoomlake', detailType: 'Zoom Security Alert', detail: alert, time: Date.UTC(2024, 0, 1, 9) },
        { source: 'zoomlake.webhook', detailType: 'meeting.ended', detail: { id: 2 } },
      ]);
      expect(await published()).toEqual([
        { time: Date.UTC(2024, 0, 1, 9), source: 'zoomlake', detailType: 'Zoom Security Alert', detail: alert },
        { time: START_MS, source: 'zoomlake.webhook', detailType: 'meeting.ended', detail: { id: 2 } },
      ]);
    });

    it('publishes a batch larger than one PutEvents call, in order', async () => {
      const { publisher, published } = await makePublisher(new FakeClock(START_MS));
      const events: BusEvent[] = Array.from({ length: 25 }, (_, i) => ({ source: 'zoomlake', detailType: 'T', detail: { i } }));
      await publisher.publish(events);
      expect((await published()).map((event) => event.detail)).toEqual(events.map((event) => event.detail));
    });

    it('does nothing for an empty batch', async () => {
      const { publisher, published } = await makePublisher(new FakeClock(START_MS));
      await publisher.publish([]);
      expect(await published()).toEqual([]);
    });

    it('accepts an entry above the old 256 KB limit', async () => {
      const { publisher, published } = await makePublisher(new FakeClock(START_MS));
      await publisher.publish([{ source: 'zoomlake', detailType: 'T', detail: { blob: 'b'.repeat(900_000) } }]);
      expect(await published()).toHaveLength(1);
    });

    it('rejects a batch with an entry over 1 MiB up front: non-retryable, nothing published, no payload in the message', async () => {
      const { publisher, published } = await makePublisher(new FakeClock(START_MS));
      const err = await publisher
        .publish([
          { source: 'zoomlake', detailType: 'T', detail: { ok: true } },
          { source: 'zoomlake', detailType: 'T', detail: { blob: `PAYLOAD-MARKER${'b'.repeat(1024 * 1024)}` } },
        ])
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(err).toBeInstanceOf(StorageError);
      expect(err).toMatchObject({ retryable: false, message: expect.stringContaining('entry limit') });
      expect((err as Error).message).not.toContain('PAYLOAD-MARKER');
      expect(await published()).toEqual([]);
    });

    it.each<[string, unknown]>([
      ['an array', ['a']],
      ['a string', 'text'],
      ['null', null],
      ['undefined', undefined],
      ['a BigInt inside', { n: 1n }],
    ])('rejects a detail that is %s with a non-retryable StorageError', async (_case, detail) => {
      const { publisher, published } = await makePublisher(new FakeClock(START_MS));
      await expect(publisher.publish([{ source: 'zoomlake', detailType: 'T', detail }])).rejects.toMatchObject({
        name: 'StorageError',
        retryable: false,
      });
      expect(await published()).toEqual([]);
    });
  });
}
