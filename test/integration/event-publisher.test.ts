import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { EventBridgePublisher, type EventBridgePublisherOptions } from '#adapters/eventbridge-publisher.ts';
import { StorageError } from '#core/errors.ts';
import type { BusEvent } from '#core/ports.ts';
import { type JsonlEventLine, JsonlPublisher } from '#local/adapters/jsonl-publisher.ts';
import { eventPublisherContract, type PublishedEvent } from '../contract/event-publisher.contract.ts';
import { awsJsonError, createAwsJsonServer } from '../fakes/aws-json-server.ts';
import { closeServer, deadEndpoint, listenOnLoopback, loopbackClientConfig } from '../fakes/aws-test-clients.ts';
import { EventBridgeFake, type FakeEntry } from '../fakes/eventbridge-fake.ts';
import { FakeClock } from '../fakes/fake-clock.ts';

const dirs: string[] = [];
const fake = new EventBridgeFake();
let client: EventBridgeClient;
let nextBus = 0;

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'zoomlake-events-'));
  dirs.push(dir);
  return dir;
}

function asPublished(entry: FakeEntry): PublishedEvent {
  return {
    time: Math.round((entry.Time ?? Number.NaN) * 1000),
    source: entry.Source ?? '',
    detailType: entry.DetailType ?? '',
    detail: JSON.parse(entry.Detail ?? 'null'),
  };
}

async function readLines(file: string): Promise<unknown[]> {
  const text = await readFile(file, 'utf8').catch((err: unknown) => {
    if (err instanceof Error && 'code' in err && err.code === 'ENOENT') return '';
    throw err;
  });
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line));
}

beforeAll(async () => {
  // One SDK attempt: retries in these tests must come from the publisher, where they can be counted.
  client = new EventBridgeClient(loopbackClientConfig(await fake.start(), 1));
});

afterAll(async () => {
  client?.destroy();
  await fake.close();
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

eventPublisherContract('EventBridgePublisher on a PutEvents fake', async (clock) => {
  const bus = `bus-${nextBus++}`;
  const publisher = new EventBridgePublisher(bus, clock, client, { sleep: async () => {} });
  return {
    publisher,
    published: async () => fake.accepted.filter((entry) => entry.EventBusName === bus).map(asPublished),
  };
});

eventPublisherContract('JsonlPublisher', async (clock) => {
  const file = path.join(await tempDir(), 'nested', 'alerts.jsonl');
  return {
    publisher: new JsonlPublisher(file, clock),
    published: async () =>
      (await readLines(file)).map((line) => {
        const { time, ...rest } = line as JsonlEventLine;
        return { time: Date.parse(time), ...rest };
      }),
  };
});

describe('EventBridgePublisher', () => {
  const sleeps: number[] = [];
  const events = (n: number, tag = 'e'): BusEvent[] =>
    Array.from({ length: n }, (_, i) => ({ source: 'zoomlake', detailType: 'Zoom Security Alert', detail: { id: `${tag}-${i}` } }));
  const make = (options: EventBridgePublisherOptions = {}) =>
    new EventBridgePublisher('alerts', new FakeClock(), client, { sleep: async (ms) => void sleeps.push(ms), ...options });
  const ids = (entries: readonly FakeEntry[]) => entries.map((entry) => (JSON.parse(entry.Detail ?? '{}') as { id: string }).id);

  beforeEach(() => {
    fake.reset();
    sleeps.length = 0;
  });

  it('sends 25 events in 3 calls of at most 10, to its bus', async () => {
    await make().publish(events(25));
    expect(fake.calls.map((call) => call.length)).toEqual([10, 10, 5]);
    expect(fake.accepted.every((entry) => entry.EventBusName === 'alerts')).toBe(true);
    expect(ids(fake.accepted)).toEqual(events(25).map((event) => (event.detail as { id: string }).id));
  });

  it('keeps each call under the request size limit', async () => {
    const big = (i: number): BusEvent => ({ source: 'zoomlake', detailType: 'T', detail: { id: `big-${i}`, blob: 'x'.repeat(400_000) } });
    await make().publish([big(0), big(1), big(2), big(3), big(4)]);
    expect(fake.calls.map((call) => call.length)).toEqual([2, 2, 1]);
  });

  it('resends only the entries EventBridge reported as failed, after a backoff', async () => {
    fake.failEntry = (entry, previous) =>
      previous === 0 && ['e-3', 'e-7', 'e-17'].some((id) => entry.Detail?.includes(`"${id}"`))
        ? { code: 'ThrottlingException', message: 'Rate exceeded' }
        : undefined;
    await make().publish(events(25));
    expect(fake.calls.map(ids)).toEqual([
      Array.from({ length: 10 }, (_, i) => `e-${i}`),
      ['e-3', 'e-7'],
      Array.from({ length: 10 }, (_, i) => `e-${i + 10}`),
      ['e-17'],
      Array.from({ length: 5 }, (_, i) => `e-${i + 20}`),
    ]);
    expect(ids(fake.accepted).sort()).toEqual(
      events(25)
        .map((event) => (event.detail as { id: string }).id)
        .sort(),
    );
    expect(sleeps).toEqual([100, 100]);
  });

  it('gives up after 3 attempts with a retryable StorageError that counts the failures and quotes no payload', async () => {
    fake.failEntry = (entry) =>
      entry.Detail?.includes('PAYLOAD-MARKER') ? { code: 'InternalFailure', message: `bad entry ${entry.Detail}` } : undefined;
    const batch = events(15);
    batch[4] = { source: 'zoomlake', detailType: 'T', detail: { id: 'e-4', secret: 'PAYLOAD-MARKER' } };
    const err = await make()
      .publish(batch)
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(err).toBeInstanceOf(StorageError);
    expect(err).toMatchObject({ retryable: true, message: expect.stringMatching(/^1 of 10 events .*alerts.*3 attempts.*InternalFailure/) });
    expect((err as Error).message).not.toContain('PAYLOAD-MARKER');
    expect(fake.calls.map((call) => call.length)).toEqual([10, 1, 1]);
    expect(sleeps).toEqual([100, 200]);
  });

  it('honours maxAttempts and maxEntryBytes options', async () => {
    fake.failEntry = () => ({ code: 'ThrottlingException', message: 'Rate exceeded' });
    await expect(make({ maxAttempts: 5, baseDelayMs: 10 }).publish(events(1))).rejects.toMatchObject({ retryable: true });
    expect(fake.calls).toHaveLength(5);
    expect(sleeps).toEqual([10, 20, 40, 80]);
    fake.reset();
    await expect(
      make({ maxEntryBytes: 256 * 1024 }).publish([{ source: 's', detailType: 't', detail: { b: 'x'.repeat(300_000) } }]),
    ).rejects.toMatchObject({
      retryable: false,
    });
    expect(fake.calls).toEqual([]);
  });

  it.each([
    ['throttling', 400, 'ThrottlingException', true],
    ['an internal error', 500, 'InternalException', true],
    ['access denied', 400, 'AccessDeniedException', false],
    ['a missing bus', 400, 'ResourceNotFoundException', false],
  ])('maps a whole-request failure (%s) to a StorageError with the right retryable flag', async (_case, status, type, retryable) => {
    const failing = createAwsJsonServer(() => awsJsonError(status, type, 'Detail PAYLOAD-MARKER rejected'));
    const failingClient = new EventBridgeClient(loopbackClientConfig(await listenOnLoopback(failing), 1));
    try {
      const err = await new EventBridgePublisher('alerts', new FakeClock(), failingClient, { sleep: async () => {} }).publish(events(1)).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(StorageError);
      expect(err).toMatchObject({ retryable, message: expect.stringContaining(type) });
      expect((err as Error).message).not.toContain('PAYLOAD-MARKER');
    } finally {
      failingClient.destroy();
      await closeServer(failing);
    }
  });

  it('maps a refused connection to a retryable StorageError', async () => {
    const down = new EventBridgeClient(loopbackClientConfig(await deadEndpoint(), 1));
    try {
      await expect(new EventBridgePublisher('alerts', new FakeClock(), down).publish(events(1))).rejects.toMatchObject({
        name: 'StorageError',
        retryable: true,
      });
    } finally {
      down.destroy();
    }
  });
});

describe('JsonlPublisher', () => {
  it('writes one JSON line per event with an ISO time, appending across calls', async () => {
    const file = path.join(await tempDir(), 'a', 'b', 'alerts.jsonl');
    const publisher = new JsonlPublisher(file, new FakeClock(Date.UTC(2024, 0, 2, 3, 4, 5, 6)));
    await publisher.publish([{ source: 'zoomlake', detailType: 'Zoom Security Alert', detail: { alert_id: 'a1' } }]);
    await publisher.publish([{ source: 'zoomlake', detailType: 'Zoom Security Alert', detail: { alert_id: 'a2' }, time: 0 }]);
    expect((await readFile(file, 'utf8')).split('\n')).toEqual([
      '{"time":"2024-01-02T03:04:05.006Z","source":"zoomlake","detailType":"Zoom Security Alert","detail":{"alert_id":"a1"}}',
      '{"time":"1970-01-01T00:00:00.000Z","source":"zoomlake","detailType":"Zoom Security Alert","detail":{"alert_id":"a2"}}',
      '',
    ]);
  });

  it('keeps lines whole and batches together when publishes overlap', async () => {
    const file = path.join(await tempDir(), 'alerts.jsonl');
    const publisher = new JsonlPublisher(file, new FakeClock());
    const batches = Array.from({ length: 20 }, (_, b) =>
      Array.from({ length: 5 }, (_, i): BusEvent => ({ source: 's', detailType: 't', detail: { b, i, pad: 'p'.repeat(20_000) } })),
    );
    await Promise.all(batches.map((batch) => publisher.publish(batch)));
    const lines = (await readLines(file)) as { detail: { b: number; i: number } }[];
    expect(lines.map((line) => [line.detail.b, line.detail.i])).toEqual(batches.flatMap((batch, b) => batch.map((_, i) => [b, i])));
  });
});
