import { createHash, createHmac } from 'node:crypto';
import type { APIGatewayProxyEvent, APIGatewayProxyEventV2 } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest';
import type { BusEvent, EventPublisher } from '#core/ports.ts';
import { WEBHOOK_EVENT_SOURCE, WEBHOOK_INLINE_BODY_BYTES, type ReceiverDeps } from '#core/webhook/receive.ts';
import { zoomSignature } from '#core/webhook/verify.ts';
import { webhookBody } from '#core/webhook/envelope.ts';
import { S3ObjectWriter } from '#adapters/s3-object-writer.ts';
import { fromEnv, makeHandler, verifiedCounter } from '../../lambdas/handlers/zoom-webhook.handler.ts';
import { FakeClock } from '../fakes/fake-clock.ts';
import { capturedMetrics } from '../fakes/recording-log.ts';
import { MemoryObjectStore } from '../support/memory-object-store.ts';

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

const SECRET = 'webhook-secret-token-3f9a';
const NOW = Date.UTC(2024, 4, 6, 7, 8, 9);
const TIMESTAMP = String(NOW / 1000);

class RecordingPublisher implements EventPublisher {
  readonly events: BusEvent[] = [];
  async publish(events: readonly BusEvent[]): Promise<void> {
    this.events.push(...events);
  }
}

function deps(publisher: EventPublisher = new RecordingPublisher()): ReceiverDeps {
  return {
    publisher,
    bodies: new MemoryObjectStore(),
    clock: new FakeClock(NOW),
    secret: async () => SECRET,
    options: { replayWindowSeconds: 300, maxBodyBytes: 4_096, inlineBodyBytes: WEBHOOK_INLINE_BODY_BYTES },
  };
}

/** An API Gateway HTTP API payload 2.0 event as Lambda receives it for `POST /zoom/webhook`. */
function apiEvent(body: string, options: { base64?: boolean; headers?: Record<string, string> } = {}): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: 'POST /zoom/webhook',
    rawPath: '/zoom/webhook',
    rawQueryString: '',
    headers: {
      'content-length': String(Buffer.byteLength(body)),
      'content-type': 'application/json; charset=utf-8',
      host: 'abc123.execute-api.eu-west-1.amazonaws.com',
      'user-agent': 'Zoom Marketplace/1.0a',
      'x-forwarded-for': '198.51.100.7',
      'x-forwarded-port': '443',
      'x-forwarded-proto': 'https',
      ...options.headers,
    },
    requestContext: {
      accountId: '123456789012',
      apiId: 'abc123',
      domainName: 'abc123.execute-api.eu-west-1.amazonaws.com',
      domainPrefix: 'abc123',
      http: { method: 'POST', path: '/zoom/webhook', protocol: 'HTTP/1.1', sourceIp: '198.51.100.7', userAgent: 'Zoom Marketplace/1.0a' },
      requestId: 'Ab1CdEfGhIjKlMn=',
      routeKey: 'POST /zoom/webhook',
      stage: '$default',
      time: '06/May/2024:07:08:09 +0000',
      timeEpoch: NOW,
    },
    body: options.base64 ? Buffer.from(body, 'utf8').toString('base64') : body,
    isBase64Encoded: options.base64 ?? false,
  };
}

/**
 * An API Gateway REST API (payload 1.0) proxy event as the ZoomWebhookApi delivers it: every media type is binary, so
 * the body arrives base64-encoded, and header names keep the case the client sent.
 */
function restEvent(body: string, headers: Record<string, string>): APIGatewayProxyEvent {
  const allHeaders = {
    'Content-Type': 'application/json; charset=utf-8',
    Host: 'abc123.execute-api.eu-west-1.amazonaws.com',
    'User-Agent': 'Zoom Marketplace/1.0a',
    ...headers,
  };
  return {
    resource: '/zoom/webhook',
    path: '/zoom/webhook',
    httpMethod: 'POST',
    headers: allHeaders,
    multiValueHeaders: Object.fromEntries(Object.entries(allHeaders).map(([name, value]) => [name, [value]])),
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: null,
    stageVariables: null,
    requestContext: {
      accountId: '123456789012',
      apiId: 'abc123',
      authorizer: undefined,
      httpMethod: 'POST',
      path: '/zoomlake/zoom/webhook',
      protocol: 'HTTP/1.1',
      requestId: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef',
      requestTimeEpoch: NOW,
      resourceId: 'r1',
      resourcePath: '/zoom/webhook',
      stage: 'zoomlake',
      identity: {
        accessKey: null,
        accountId: null,
        apiKey: null,
        apiKeyId: null,
        caller: null,
        clientCert: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp: '198.51.100.7',
        user: null,
        userAgent: 'Zoom Marketplace/1.0a',
        userArn: null,
      },
    },
    body: Buffer.from(body, 'utf8').toString('base64'),
    isBase64Encoded: true,
  };
}

/** Zoom's two signing headers for `body`, in the lower case API Gateway delivers. */
function signed(body: string, secret = SECRET): Record<string, string> {
  return { 'x-zm-request-timestamp': TIMESTAMP, 'x-zm-signature': zoomSignature(secret, TIMESTAMP, Buffer.from(body, 'utf8')) };
}

const MEETING_STARTED = webhookBody({
  event: 'meeting.started',
  eventTs: NOW,
  payload: { account_id: 'acct-1', object: { id: '81234567890', uuid: 'uuid==', topic: 'Ünïcödé board review ✓' } },
});

let consoleSpies: MockInstance[] = [];
let written: string[] = [];
beforeEach(() => {
  consoleSpies = (['log', 'info', 'warn', 'error', 'debug'] as const).map((level) => vi.spyOn(console, level).mockImplementation(() => undefined));
  written = [];
  // The handler's logger (Powertools) writes straight to stdout and stderr, not through console.
  for (const stream of [process.stdout, process.stderr]) {
    vi.spyOn(stream, 'write').mockImplementation((chunk) => {
      written.push(String(chunk).trimEnd());
      return true;
    });
  }
});
afterEach(() => vi.restoreAllMocks());

/** Everything the handler wrote to the console, stdout or stderr, one string per call. */
function consoleOutput(): string[] {
  return [...consoleSpies.flatMap((spy) => spy.mock.calls.map((args) => args.map(String).join(' '))), ...written];
}

describe('zoom-webhook handler', () => {
  it('accepts a signed plain-text body and publishes it unchanged', async () => {
    const publisher = new RecordingPublisher();
    const reply = await makeHandler(deps(publisher))(apiEvent(MEETING_STARTED, { headers: signed(MEETING_STARTED) }));
    expect(reply).toEqual({ statusCode: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ status: 'ok' }) });
    expect(publisher.events).toEqual([
      {
        source: WEBHOOK_EVENT_SOURCE,
        detailType: 'meeting.started',
        detail: { receivedAt: NOW, payloadSha256: sha256(MEETING_STARTED), body: MEETING_STARTED },
        time: NOW,
      },
    ]);
  });

  it('verifies a base64-encoded body over its decoded bytes, multi-byte characters included', async () => {
    const publisher = new RecordingPublisher();
    const reply = await makeHandler(deps(publisher))(apiEvent(MEETING_STARTED, { base64: true, headers: signed(MEETING_STARTED) }));
    expect(reply.statusCode).toBe(200);
    expect(publisher.events[0]?.detail).toEqual({ receivedAt: NOW, payloadSha256: sha256(MEETING_STARTED), body: MEETING_STARTED });
  });

  it('reads the Zoom headers whatever their case', async () => {
    const { 'x-zm-request-timestamp': timestamp, 'x-zm-signature': signature } = signed(MEETING_STARTED);
    const headers = { 'X-Zm-Request-Timestamp': timestamp ?? '', 'X-ZM-SIGNATURE': signature ?? '', 'X-Zm-Trackingid': 'v=2.0;clid=aw1;rid=42' };
    const publisher = new RecordingPublisher();
    const reply = await makeHandler(deps(publisher))(apiEvent(MEETING_STARTED, { headers }));
    expect(reply.statusCode).toBe(200);
    expect(publisher.events[0]?.detail).toMatchObject({ trackingId: 'v=2.0;clid=aw1;rid=42' });
  });

  it('verifies a REST API (payload 1.0) request over the decoded body bytes, header names as Zoom sent them', async () => {
    const { 'x-zm-request-timestamp': timestamp, 'x-zm-signature': signature } = signed(MEETING_STARTED);
    const publisher = new RecordingPublisher();
    const reply = await makeHandler(deps(publisher))(
      restEvent(MEETING_STARTED, { 'X-Zm-Request-Timestamp': timestamp ?? '', 'X-Zm-Signature': signature ?? '' }),
    );
    expect(reply).toEqual({ statusCode: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ status: 'ok' }) });
    expect(publisher.events[0]?.detail).toEqual({ receivedAt: NOW, payloadSha256: sha256(MEETING_STARTED), body: MEETING_STARTED });
  });

  it('refuses a REST API request whose decoded bytes differ from the signed ones', async () => {
    const headers = signed(MEETING_STARTED);
    const altered = MEETING_STARTED.replace('board', 'Board');
    const publisher = new RecordingPublisher();
    const reply = await makeHandler(deps(publisher))(
      restEvent(altered, { 'X-Zm-Request-Timestamp': headers['x-zm-request-timestamp'] ?? '', 'X-Zm-Signature': headers['x-zm-signature'] ?? '' }),
    );
    expect(reply.statusCode).toBe(401);
    expect(publisher.events).toEqual([]);
  });

  it('counts every request for VerifiedEvents: true only when its event was verified and published', async () => {
    const counted: boolean[] = [];
    const failing: EventPublisher = { publish: () => Promise.reject(new Error('bus down')) };
    const validation = JSON.stringify({ event: 'endpoint.url_validation', payload: { plainToken: 'plain-token-7c1e' } });
    await makeHandler(deps(), undefined, (v) => counted.push(v))(apiEvent(MEETING_STARTED, { headers: signed(MEETING_STARTED) }));
    await makeHandler(deps(), undefined, (v) => counted.push(v))(apiEvent(MEETING_STARTED, { headers: signed(MEETING_STARTED, 'another-secret') }));
    await makeHandler(deps(), undefined, (v) => counted.push(v))(apiEvent(validation, { headers: signed(validation) }));
    await makeHandler(deps(failing), undefined, (v) => counted.push(v))(apiEvent(MEETING_STARTED, { headers: signed(MEETING_STARTED) }));
    expect(counted).toEqual([true, false, false, false]);
  });

  it('answers endpoint.url_validation with the token and its HMAC', async () => {
    const body = webhookBody({ event: 'endpoint.url_validation', eventTs: NOW, payload: { plainToken: 'qgg8vlvZRS6UYooatFL8Aw' } });
    const reply = await makeHandler(deps())(apiEvent(body, { headers: signed(body) }));
    expect(reply.statusCode).toBe(200);
    expect(JSON.parse(String(reply.body))).toEqual({
      plainToken: 'qgg8vlvZRS6UYooatFL8Aw',
      encryptedToken: createHmac('sha256', SECRET).update('qgg8vlvZRS6UYooatFL8Aw').digest('hex'),
    });
  });

  it.each([
    ['a wrong signature', () => apiEvent(MEETING_STARTED, { headers: signed(MEETING_STARTED, 'another-secret') }), 401, 'unauthorized'],
    ['no signature', () => apiEvent(MEETING_STARTED, { headers: { 'x-zm-request-timestamp': TIMESTAMP } }), 401, 'unauthorized'],
    ['a signed body that is not JSON', () => apiEvent('not json {', { headers: signed('not json {') }), 400, 'invalid body'],
    ['a body over maxBodyBytes', () => apiEvent('x'.repeat(4_097), { headers: signed('x'.repeat(4_097)) }), 413, 'payload too large'],
  ])('maps %s to %i', async (_name, event, status, error) => {
    const publisher = new RecordingPublisher();
    const reply = await makeHandler(deps(publisher))(event());
    expect(reply).toEqual({ statusCode: status, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ error }) });
    expect(publisher.events).toEqual([]);
  });

  it('logs one JSON line per request with its level and only the outcome, reason code, event name and size', async () => {
    const handle = makeHandler(deps());
    await handle(apiEvent(MEETING_STARTED, { headers: signed(MEETING_STARTED) }));
    await handle(apiEvent(MEETING_STARTED, { headers: signed(MEETING_STARTED, 'another-secret') }));
    const lines = consoleOutput().map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(
      lines.map(({ timestamp, service, ...rest }) => {
        expect([typeof timestamp, service]).toEqual(['string', 'zoom-webhook']);
        return rest;
      }),
    ).toEqual([
      { level: 'INFO', message: 'webhook request', outcome: 'accepted', event: 'meeting.started', bytes: Buffer.byteLength(MEETING_STARTED) },
      {
        level: 'WARN',
        message: 'webhook request refused',
        outcome: 'unauthorized',
        reason: 'bad_signature',
        bytes: Buffer.byteLength(MEETING_STARTED),
      },
    ]);
  });

  it('logs a request it failed to publish as JSON at level ERROR', async () => {
    const publisher = new RecordingPublisher();
    publisher.publish = async () => {
      throw new Error('PutEvents failed: ThrottlingException');
    };
    const reply = await makeHandler(deps(publisher))(apiEvent(MEETING_STARTED, { headers: signed(MEETING_STARTED) }));
    expect(reply.statusCode).toBeGreaterThanOrEqual(500);
    expect(consoleOutput().map((line) => JSON.parse(line) as unknown)).toEqual([
      expect.objectContaining({ level: 'ERROR', outcome: 'publish_failed' }),
    ]);
  });

  it('never logs the body, the signature, the timestamp header or the secret', async () => {
    const validation = JSON.stringify({ event: 'endpoint.url_validation', payload: { plainToken: 'plain-token-7c1e' } });
    const handle = makeHandler(deps());
    const events = [
      apiEvent(MEETING_STARTED, { headers: signed(MEETING_STARTED) }),
      apiEvent(MEETING_STARTED, { base64: true, headers: signed(MEETING_STARTED) }),
      apiEvent(MEETING_STARTED, { headers: signed(MEETING_STARTED, 'another-secret') }),
      apiEvent(validation, { headers: signed(validation) }),
      apiEvent('{"broken": "acct-1"', { headers: signed('{"broken": "acct-1"') }),
    ];
    for (const event of events) await handle(event);
    const logged = consoleOutput().join('\n');
    expect(consoleOutput()).toHaveLength(events.length);
    for (const forbidden of [
      SECRET,
      'another-secret',
      signed(MEETING_STARTED)['x-zm-signature'],
      TIMESTAMP,
      'acct-1',
      'board review',
      'plain-token-7c1e',
      Buffer.from(MEETING_STARTED).toString('base64').slice(0, 24),
    ]) {
      expect(logged).not.toContain(forbidden);
    }
  });
});

describe('fromEnv', () => {
  const env = {
    EVENT_BUS_NAME: 'zoomlake-zoom-events',
    LAKE_BUCKET_NAME: 'zoomlake-lake',
    WEBHOOK_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:zoom-webhook-AbCdEf',
    REPLAY_WINDOW_SECONDS: '5400',
    MAX_BODY_BYTES: '2097152',
    // Set by Lambda: the region the S3 writer signs for.
    AWS_REGION: 'eu-west-1',
  };

  it('takes the receiver limits from the environment, bodies over 900,000 bytes going by reference', () => {
    expect(fromEnv(env).options).toEqual({ replayWindowSeconds: 5_400, maxBodyBytes: 2_097_152, inlineBodyBytes: 900_000 });
  });

  it("writes large bodies with the PutObject-only S3 writer, not the SDK's S3 client", () => {
    expect(fromEnv(env).bodies).toBeInstanceOf(S3ObjectWriter);
  });

  it.each(Object.keys(env))('refuses to start without %s', (name) => {
    expect(() => fromEnv({ ...env, [name]: undefined })).toThrow(name);
  });
});

describe('verifiedCounter', () => {
  it('writes one EMF line per request: VerifiedEvents 1 or 0 in namespace zoomlake, dimension FunctionName', () => {
    const { sink, lines } = capturedMetrics(new FakeClock(NOW));
    const count = verifiedCounter({ AWS_LAMBDA_FUNCTION_NAME: 'ZoomlakePipeline-WebhookHandler1A2B' }, sink);
    count(true);
    count(false);
    expect(lines.map((line) => JSON.parse(line) as unknown)).toEqual(
      [true, false].map((verified) => ({
        _aws: {
          Timestamp: NOW,
          CloudWatchMetrics: [{ Namespace: 'zoomlake', Dimensions: [['FunctionName']], Metrics: [{ Name: 'VerifiedEvents', Unit: 'Count' }] }],
        },
        FunctionName: 'ZoomlakePipeline-WebhookHandler1A2B',
        VerifiedEvents: verified ? 1 : 0,
      })),
    );
  });

  it('refuses to start without AWS_LAMBDA_FUNCTION_NAME', () => {
    expect(() => verifiedCounter({}, capturedMetrics(new FakeClock(NOW)).sink)).toThrow('AWS_LAMBDA_FUNCTION_NAME');
  });
});
