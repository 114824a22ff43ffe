import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { alertId } from '#core/alerts/alert.ts';
import { fromEnv, makeHandler } from '../../lambdas/handlers/alert-notifier.handler.ts';
import { RecordingLog } from '../fakes/recording-log.ts';
import { LEAK, SENTINEL, consoleOutputOf, errorTexts, secretsOf } from '../support/malformed-secrets.ts';

/** A local stand-in for Slack and PagerDuty: records each request and answers from a per-path script. */
interface Received {
  readonly path: string;
  readonly contentType: string | undefined;
  readonly body: unknown;
}
const received: Received[] = [];
let script: number[] = [];
let server: Server;
let base = '';

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

beforeAll(async () => {
  server = createServer((req, res) => {
    void readBody(req).then((text) => {
      received.push({ path: req.url ?? '', contentType: req.headers['content-type'], body: JSON.parse(text) as unknown });
      const status = script.shift() ?? 200;
      res.writeHead(status, { 'content-type': 'text/plain' });
      res.end(status < 300 ? 'ok' : status === 400 ? 'invalid_payload' : 'upstream trouble');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  received.length = 0;
  script = [];
});

const ROUTING_KEY = 'Rk0123456789abcdefABCDEF01234567';
const SLACK_PATH = '/services/T0SECRET/B0SECRET/abcdefSECRETtoken123456';
const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:zoomlake/slack-AbCdEf';

const detail = {
  alert_id: alertId('zoom.recording.deleted', 'host@corp.example', Date.UTC(2026, 10, 20), 86_400_000),
  detection_id: 'zoom.recording.deleted',
  title: 'Cloud recording deleted',
  severity: 'critical',
  source: 'realtime',
  first_seen: '2026-11-20T10:00:00.000Z',
  last_seen: '2026-11-20T10:00:00.000Z',
  dedup_key: 'host@corp.example',
  entities: { user_email: 'host@corp.example', meeting_uuid: 'abc==' },
  evidence: [{ operator: 'host@corp.example', topic: 'EVIDENCE-Board-M&A-Project-Falcon' }],
  mitre: ['T1485'],
  runbook: 'https://runbooks.example/recording-deleted',
  count: 1,
  evidence_total: 1,
};
const event = (extra: Record<string, unknown> = {}) => ({
  version: '0',
  id: 'a1b2',
  'detail-type': 'Zoom Security Alert',
  source: 'zoomlake',
  account: '123456789012',
  time: '2026-11-20T10:00:01Z',
  region: 'eu-west-1',
  resources: [],
  detail,
  ...extra,
});

/** Secrets Manager as the handler sees it: the Slack URL or routing key by secret id. */
const secrets = secretsOf;

function notifier(channel: 'slack' | 'pagerduty', extraEnv: Record<string, string> = {}) {
  const secretValue = channel === 'slack' ? `${base}${SLACK_PATH}` : ROUTING_KEY;
  const env = {
    NOTIFY_CHANNEL: channel,
    NOTIFY_SECRET_ID: SECRET_ARN,
    PAGERDUTY_EVENTS_URL: `${base}/v2/enqueue`,
    NOTIFY_TIMEOUT_MS: '2000',
    ...extraEnv,
  };
  const deps = fromEnv(env, secrets({ [SECRET_ARN]: secretValue }));
  const sleeps: number[] = [];
  const log = new RecordingLog();
  const handler = makeHandler(
    {
      ...deps,
      post: {
        ...deps.post,
        sleep: async (ms) => {
          sleeps.push(ms);
        },
      },
    },
    log,
  );
  return { handler, log, logs: log.lines, sleeps, secretValue };
}

/** Nothing secret or personal in any log line or error: not the URL, its path, the key, or evidence. */
function expectClean(texts: readonly string[], secretValue: string) {
  for (const text of texts) {
    for (const forbidden of [secretValue, SLACK_PATH, 'SECRET', ROUTING_KEY, 'EVIDENCE-Board', 'host@corp.example'])
      expect(text).not.toContain(forbidden);
  }
}

describe('alert-notifier handler against a local receiver', () => {
  it('posts a Slack message to the webhook URL from the secret', async () => {
    const { handler, logs, secretValue } = notifier('slack');
    expect(await handler(event())).toMatchObject({ outcome: 'sent', channel: 'slack', status: 200, attempts: 1 });
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({ path: SLACK_PATH, contentType: 'application/json' });
    const body = received[0]?.body as { text: string; blocks: { type: string }[] };
    expect(body.text).toBe('[CRITICAL] Cloud recording deleted (host@corp.example)');
    expect(body.blocks.map((b) => b.type)).toEqual(['header', 'section', 'section', 'section', 'context']);
    expect(JSON.stringify(body)).not.toContain('EVIDENCE-Board');
    expect(logs.map((l) => JSON.parse(l) as unknown)).toEqual([
      { outcome: 'sent', channel: 'slack', alertId: detail.alert_id, detectionId: detail.detection_id, status: 200, attempts: 1 },
    ]);
    expectClean(logs, secretValue);
  });

  it('posts a PagerDuty Events v2 trigger to the events URL', async () => {
    const { handler, logs, secretValue } = notifier('pagerduty');
    script = [202];
    expect(await handler(event())).toMatchObject({ outcome: 'sent', channel: 'pagerduty', status: 202 });
    expect(received[0]?.path).toBe('/v2/enqueue');
    expect(received[0]?.body).toMatchObject({
      routing_key: ROUTING_KEY,
      event_action: 'trigger',
      dedup_key: detail.alert_id,
      payload: {
        severity: 'critical',
        source: 'host@corp.example',
        timestamp: '2026-11-20T10:00:00.000Z',
        summary: '[CRITICAL] Cloud recording deleted (host@corp.example)',
      },
    });
    expectClean(logs, secretValue);
  });

  it.each(['slack', 'pagerduty'] as const)('%s: retries 5xx with backoff, then succeeds', async (channel) => {
    const { handler, logs, sleeps, secretValue } = notifier(channel);
    script = [500, 503];
    expect(await handler(event())).toMatchObject({ outcome: 'sent', attempts: 3 });
    expect(received).toHaveLength(3);
    expect(sleeps).toHaveLength(2);
    expect(sleeps[1]).toBeGreaterThan(sleeps[0] ?? Infinity);
    expect(received[2]?.body).toEqual(received[0]?.body);
    expectClean(logs, secretValue);
  });

  it.each(['slack', 'pagerduty'] as const)('%s: does not retry a 4xx and throws a non-retryable error', async (channel) => {
    const { handler, log, logs, secretValue } = notifier(channel);
    script = [400];
    const error = await handler(event()).catch((e: unknown) => e);
    expect(error).toMatchObject({
      name: 'NotifyError',
      retryable: false,
      message: `${channel} rejected the notification: HTTP 400 (invalid_payload)`,
    });
    expect(received).toHaveLength(1);
    expect(JSON.parse(logs[0] ?? '')).toMatchObject({ outcome: 'failed', channel, retryable: false });
    expect(log.levels()).toEqual(['ERROR']);
    expectClean([...logs, (error as Error).message, (error as Error).stack ?? ''], secretValue);
  });

  it('throws after the last 5xx so EventBridge retries, with nothing secret in logs or the error', async () => {
    const { handler, logs, secretValue } = notifier('slack', { NOTIFY_MAX_ATTEMPTS: '3' });
    script = [500, 500, 500, 500];
    const error = await handler(event()).catch((e: unknown) => e);
    expect(error).toMatchObject({ retryable: true, message: 'slack notification failed after 3 attempts: HTTP 500' });
    expect(received).toHaveLength(3);
    expectClean([...logs, (error as Error).message, (error as Error).stack ?? ''], secretValue);
  });

  it('skips a replayed archive event and logs the replay', async () => {
    const { handler, logs } = notifier('slack');
    expect(await handler(event({ 'replay-name': 'incident-42' }))).toMatchObject({ outcome: 'skipped_replay', replayName: 'incident-42' });
    expect(received).toHaveLength(0);
    expect(JSON.parse(logs[0] ?? '')).toMatchObject({ outcome: 'skipped_replay', channel: 'slack' });
  });

  it('sends a replay when NOTIFY_REPLAYS is true', async () => {
    const { handler } = notifier('slack', { NOTIFY_REPLAYS: 'true' });
    expect(await handler(event({ 'replay-name': 'incident-42' }))).toMatchObject({ outcome: 'sent' });
    expect(received).toHaveLength(1);
  });

  it('retries a receiver that is down, then fails retryably naming only the error code', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const deps = fromEnv(
      { NOTIFY_CHANNEL: 'slack', NOTIFY_SECRET_ID: SECRET_ARN, NOTIFY_MAX_ATTEMPTS: '2' },
      secrets({ [SECRET_ARN]: `http://127.0.0.1:${port}${SLACK_PATH}` }),
    );
    const log = new RecordingLog();
    const handler = makeHandler({ ...deps, post: { ...deps.post, sleep: async () => undefined } }, log);
    const error = await handler(event()).catch((e: unknown) => e);
    expect(error).toMatchObject({ retryable: true, message: 'slack notification failed after 2 attempts: ECONNREFUSED' });
    expectClean([...log.lines, (error as Error).message], `127.0.0.1:${port}${SLACK_PATH}`);
  });

  it("fails with the secret's name, not a value, when the secret is missing", async () => {
    const deps = fromEnv({ NOTIFY_CHANNEL: 'pagerduty', NOTIFY_SECRET_ID: 'zoomlake/missing' }, secrets({}));
    const log = new RecordingLog();
    await expect(makeHandler(deps, log)(event())).rejects.toThrow('secret "zoomlake/missing" not found');
    expect(log.records).toMatchObject([{ level: 'ERROR', fields: { outcome: 'failed', retryable: false } }]);
  });

  it.each([
    { channel: 'slack' as const, name: 'the bare token', raw: SENTINEL, says: 'is not a URL (expected the incoming webhook URL)' },
    {
      channel: 'slack' as const,
      name: 'broken JSON',
      raw: `{"webhookUrl":"https://hooks.slack.com/services/${SENTINEL}"`,
      says: 'is not valid JSON',
    },
    {
      channel: 'slack' as const,
      name: 'JSON under another key',
      raw: JSON.stringify({ url: `https://hooks.slack.com/services/${SENTINEL}` }),
      says: 'is JSON without a "webhookUrl" string',
    },
    { channel: 'slack' as const, name: 'a plain-http URL', raw: `http://hooks.slack.com/services/${SENTINEL}`, says: 'must be an https URL' },
    { channel: 'pagerduty' as const, name: 'a short key', raw: SENTINEL, says: 'is not a 32-character integration (routing) key' },
    { channel: 'pagerduty' as const, name: 'broken JSON', raw: `{"routingKey":"${SENTINEL}`, says: 'is not valid JSON' },
  ])('fails on a $channel secret that is $name, naming the secret and never quoting it', async ({ channel, raw, says }) => {
    const handler = makeHandler(fromEnv({ NOTIFY_CHANNEL: channel, NOTIFY_SECRET_ID: SECRET_ARN }, secrets({ [SECRET_ARN]: raw })));
    let error: unknown;
    const output = await consoleOutputOf(async () => {
      error = await handler(event()).then(
        () => undefined,
        (e: unknown) => e,
      );
    });
    expect(error).toMatchObject({ name: 'NotifyError', retryable: false, message: `the ${channel} secret "${SECRET_ARN}" ${says}` });
    expect(output).toHaveLength(1);
    expect(JSON.parse(output[0] ?? '')).toMatchObject({ level: 'ERROR', outcome: 'failed', error: (error as Error).message });
    for (const text of [...errorTexts(error), ...output]) expect(text).not.toContain(LEAK);
    expect(received).toEqual([]);
  });

  it.each([
    { name: 'no channel', env: { NOTIFY_SECRET_ID: SECRET_ARN } },
    { name: 'an unknown channel', env: { NOTIFY_CHANNEL: 'email', NOTIFY_SECRET_ID: SECRET_ARN } },
    { name: 'no secret id', env: { NOTIFY_CHANNEL: 'slack' } },
    { name: 'a bad PagerDuty URL', env: { NOTIFY_CHANNEL: 'pagerduty', NOTIFY_SECRET_ID: SECRET_ARN, PAGERDUTY_EVENTS_URL: 'nope' } },
  ])('refuses an environment with $name', ({ env }) => {
    expect(() => fromEnv(env, secrets({}))).toThrow();
  });
});
