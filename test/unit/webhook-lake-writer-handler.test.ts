import { createHash } from 'node:crypto';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { parquetReadObjects } from 'hyparquet';
import { describe, expect, it } from 'vitest';
import { S3ObjectStore } from '#adapters/s3-object-store.ts';
import { fromEnv, makeHandler, type WebhookWriterDeps } from '../../lambdas/handlers/webhook-lake-writer.handler.ts';
import { RecordingLog } from '../fakes/recording-log.ts';
import { MemoryObjectStore } from '../support/memory-object-store.ts';
import { webhookBody } from '#core/webhook/envelope.ts';

const NOW = Date.UTC(2024, 9, 14, 15, 1);
const EVENT_TS = Date.UTC(2024, 9, 14, 15, 0, 12);
const PRIVATE = 'dave.private@example.com';

// Synthetic Zoom bodies (zoom-reference §2).
const joined = webhookBody({
  event: 'meeting.participant_joined',
  eventTs: EVENT_TS,
  payload: {
    account_id: 'AcctQm2X',
    object: {
      id: 85746382910,
      uuid: 'uuJ==',
      host_id: 'Hst1',
      topic: 'Board',
      participant: { user_id: '16778240', user_name: 'Dave', join_time: '2024-10-14T15:00:05Z', email: PRIVATE },
    },
  },
});
const completed = webhookBody(
  {
    event: 'recording.completed',
    eventTs: EVENT_TS,
    payload: {
      account_id: 'AcctQm2X',
      object: {
        id: 85746382910,
        uuid: 'uuJ==',
        host_id: 'Hst1',
        host_email: PRIVATE,
        topic: 'Board',
        start_time: '2024-10-14T14:00:00Z',
        share_url: 'https://example.zoom.us/rec/share/x',
        total_size: 1024,
        recording_count: 1,
        recording_files: [],
      },
    },
  },
  { download_token: 'dl-token-secret' },
);

/** The EventBridge event the bus rule puts on the queue, as EventBridge serialises it. */
const busEvent = (detailType: string, detail: unknown, source = 'zoomlake.webhook') =>
  JSON.stringify({
    version: '0',
    id: `evt-${detailType}`,
    'detail-type': detailType,
    source,
    account: '123456789012',
    time: '2024-10-14T15:01:00Z',
    region: 'eu-west-1',
    resources: [],
    detail,
  });

/** One SQS record as Lambda's SQS event source mapping delivers it. */
const sqsRecord = (messageId: string, body: string): SQSRecord => ({
  messageId,
  receiptHandle: `AQEB${messageId}==`,
  body,
  attributes: { ApproximateReceiveCount: '1', SentTimestamp: String(NOW), SenderId: 'AIDAEXAMPLE', ApproximateFirstReceiveTimestamp: String(NOW) },
  messageAttributes: {},
  md5OfBody: createHash('md5').update(body).digest('hex'),
  eventSource: 'aws:sqs',
  eventSourceARN: 'arn:aws:sqs:eu-west-1:123456789012:zoomlake-webhook-writer',
  awsRegion: 'eu-west-1',
});

function setup() {
  const lake = new MemoryObjectStore();
  let n = 0;
  const deps: WebhookWriterDeps = { lake, clock: { now: () => NOW }, newId: () => `f${++n}` };
  const log = new RecordingLog();
  return { lake, log, lines: log.lines, handle: makeHandler(deps, log) };
}

async function rawBodies(lake: MemoryObjectStore): Promise<unknown[]> {
  const raws: unknown[] = [];
  for (const key of await lake.list('zoom/webhook_events/')) {
    const bytes = lake.objects.get(key)!;
    const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    raws.push(...(await parquetReadObjects({ file })).map((r) => r.raw));
  }
  return raws.sort();
}

describe('webhook-lake-writer handler', () => {
  it('writes a batch and reports exactly the records that must come back', async () => {
    const { lake, log, lines, handle } = setup();
    const bytes = Buffer.from(completed, 'utf8');
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const key = `webhook-bodies/dt=2024-10-14/${sha256}.json`;
    await lake.put(key, bytes);
    const event: SQSEvent = {
      Records: [
        sqsRecord('m-inline', busEvent('meeting.participant_joined', { receivedAt: NOW, trackingId: 'rid=1', body: joined })),
        sqsRecord('m-ref', busEvent('recording.completed', { receivedAt: NOW, bodyRef: { key, sha256, bytes: bytes.byteLength } })),
        sqsRecord('m-not-json', `{"detail": {"body": "${PRIVATE}"`),
        sqsRecord('m-other-source', busEvent('Object Created', { bucket: 'x' }, 'aws.s3')),
        sqsRecord('m-bad-detail', busEvent('meeting.participant_joined', { receivedAt: 'yesterday', body: joined })),
        sqsRecord('m-not-zoom', busEvent('zoom.unnamed_event', { receivedAt: NOW, body: `{"hello":"${PRIVATE}"}` })),
        sqsRecord(
          'm-missing-body',
          busEvent('recording.completed', {
            receivedAt: NOW,
            bodyRef: { key: `webhook-bodies/${'d'.repeat(64)}.json`, sha256: 'd'.repeat(64), bytes: 5 },
          }),
        ),
      ],
    };

    const reply = await handle(event);

    expect(reply.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual([
      'm-bad-detail',
      'm-missing-body',
      'm-not-json',
      'm-not-zoom',
      'm-other-source',
    ]);
    // The by-reference body was stored before masking existed: the writer masks its download token on the way in.
    expect(await rawBodies(lake)).toEqual([completed.replace('dl-token-secret', '[redacted]'), joined].sort());
    expect(lines.map((l) => JSON.parse(l) as unknown)).toEqual([
      {
        records: 7,
        written: 2,
        failed: 5,
        rejected: { message_not_json: 1, message_not_webhook_event: 1, detail_malformed: 1, not_envelope: 1 },
        retrying: { body_missing: 1 },
        incomplete: {},
      },
    ]);
    expect(log.levels()).toEqual(['ERROR']);
  });

  it('fails every written record when the lake write fails, so SQS redelivers them', async () => {
    const { lake, handle } = setup();
    lake.failNext = 10;
    const reply = await handle({ Records: [sqsRecord('m1', busEvent('meeting.participant_joined', { receivedAt: NOW, body: joined }))] });
    expect(reply).toEqual({ batchItemFailures: [{ itemIdentifier: 'm1' }] });
  });

  it.each([
    ['with time to spare', 120_000, [], 2],
    ['too close to its timeout', 29_999, ['m1', 'm2'], 0],
  ])('reads the time left from the Lambda context: %s', async (_name, left, failed, written) => {
    const { lines, handle } = setup();
    const records = [
      sqsRecord('m1', busEvent('meeting.participant_joined', { receivedAt: NOW, body: joined })),
      sqsRecord('m2', busEvent('recording.completed', { receivedAt: NOW, body: completed })),
    ];
    const reply = await handle({ Records: records }, { getRemainingTimeInMillis: () => left });
    expect(reply.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(failed);
    expect(JSON.parse(lines[0]!)).toMatchObject({ written, retrying: failed.length > 0 ? { out_of_time: failed.length } : {} });
  });

  it('answers an empty batch with no failures', async () => {
    expect(await setup().handle({ Records: [] })).toEqual({ batchItemFailures: [] });
  });

  it('throws on an event that is not an SQS batch, so Lambda retries the whole invocation', async () => {
    await expect(setup().handle({ detail: {} })).rejects.toThrow();
  });

  it('never logs payload text', async () => {
    const { lines, handle } = setup();
    await handle({
      Records: [
        sqsRecord('m1', busEvent('meeting.participant_joined', { receivedAt: NOW, body: joined })),
        sqsRecord('m2', `not json ${PRIVATE}`),
        sqsRecord('m3', busEvent('x.y', { receivedAt: NOW, body: `["${PRIVATE}"]` })),
        sqsRecord('m4', busEvent('recording.completed', { receivedAt: NOW, body: completed })),
      ],
    });
    const logged = lines.join('\n');
    for (const forbidden of [PRIVATE, 'Dave', 'dl-token-secret', 'AcctQm2X', 'm1', 'm2']) expect(logged).not.toContain(forbidden);
  });
});

describe('fromEnv', () => {
  it('builds the lake store from LAKE_BUCKET_NAME', () => {
    expect(fromEnv({ LAKE_BUCKET_NAME: 'zoomlake-lake-123456789012' }).lake).toBeInstanceOf(S3ObjectStore);
  });

  it.each([
    ['missing', {}],
    ['empty', { LAKE_BUCKET_NAME: '' }],
  ])('refuses to start with LAKE_BUCKET_NAME %s', (_name, env) => {
    expect(() => fromEnv(env)).toThrow('LAKE_BUCKET_NAME');
  });
});
