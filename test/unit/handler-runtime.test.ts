import { describe, expect, it } from 'vitest';
import { MASK } from '#core/mask/credentials.ts';
import { METRICS } from '#core/metrics.ts';
import { lazyHandler } from '#runtime/lazy-handler.ts';
import { handlerLogger } from '#runtime/log.ts';
import { emfMetrics } from '#runtime/metrics.ts';
import { zoomClientFromSecret } from '#runtime/zoom-client.ts';
import { FakeClock } from '../fakes/fake-clock.ts';
import { RecordingLog } from '../fakes/recording-log.ts';
import { consoleOutputOf, secretsOf } from '../support/malformed-secrets.ts';
import { MemoryStateStore } from '../support/memory-state-store.ts';

const NOW = Date.UTC(2026, 10, 20, 12);

describe('handlerLogger', () => {
  it('writes one JSON line per call with its level, message, time and service, then the fields', async () => {
    const log = handlerLogger('detection-runner');
    const output = await consoleOutputOf(async () => {
      log.info('detection run', { alerts: 2 });
      log.warn('source disabled', { source: 'activities' });
      log.error('detection run failed', { failed: 1 });
    });
    const lines = output.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.map(({ timestamp, ...rest }) => (expect(timestamp).toMatch(/^\d{4}-\d\d-\d\dT/), rest))).toEqual([
      { level: 'INFO', message: 'detection run', service: 'detection-runner', alerts: 2 },
      { level: 'WARN', message: 'source disabled', service: 'detection-runner', source: 'activities' },
      { level: 'ERROR', message: 'detection run failed', service: 'detection-runner', failed: 1 },
    ]);
  });

  it('masks credentials in the message and the fields: by field name, URL parameter and JSON text', async () => {
    const log = handlerLogger('alert-notifier');
    const output = await consoleOutputOf(async () => {
      log.error('post to https://zoom.us/j/1?pwd=s3cr3t failed', {
        join_url: 'https://zoom.us/j/88100000001?pwd=AbCdEf',
        access_token: 'tok-123',
        nested: { download_token: 'dl-1', ok: 'kept' },
        body: '{"password":"hunter2"}',
      });
    });
    expect(output).toHaveLength(1);
    expect(JSON.parse(output[0] ?? '')).toMatchObject({
      level: 'ERROR',
      message: `post to https://zoom.us/j/1?pwd=${MASK} failed`,
      join_url: `https://zoom.us/j/88100000001?pwd=${MASK}`,
      access_token: MASK,
      nested: { download_token: MASK, ok: 'kept' },
      body: `{"password":"${MASK}"}`,
    });
    for (const secret of ['s3cr3t', 'AbCdEf', 'tok-123', 'dl-1', 'hunter2']) expect(output[0]).not.toContain(secret);
  });
});

describe('emfMetrics', () => {
  it('refuses metrics of different dimension sets in one line', () => {
    const metrics = emfMetrics(new FakeClock(NOW), new RecordingLog());
    expect(() =>
      metrics({ Detection: 'x' }, [
        [METRICS.AlertsRaised, 1],
        [METRICS.CursorAdvanced as never, 1],
      ]),
    ).toThrow(/needs a line of its own/);
  });
});

describe('lazyHandler', () => {
  it('builds the handler on the first call only, and again after a build that threw', async () => {
    let builds = 0;
    const handler = lazyHandler(() => {
      builds += 1;
      if (builds === 1) throw new Error('environment not ready');
      return async (n: number) => n * 2;
    });
    expect(() => handler(1)).toThrow('environment not ready');
    expect(await handler(2)).toBe(4);
    expect(await handler(3)).toBe(6);
    expect(builds).toBe(2);
  });

  it("hands each invocation's context to the log, so its lines carry the request id", async () => {
    const log = handlerLogger('scheduled-poller');
    const handler = lazyHandler(() => async (_event: unknown, _context: unknown) => log.info('poll run', { source: 'users' }), log);
    const context = {
      awsRequestId: 'req-1',
      functionName: 'ZoomlakePipeline-Poller',
      invokedFunctionArn: 'arn:aws:lambda:eu-west-1:1:function:p',
      memoryLimitInMB: '1024',
    };
    const output = await consoleOutputOf(async () => {
      await handler({}, context);
      await handler({}, { ...context, awsRequestId: 'req-2' });
    });
    expect(output.map((line) => JSON.parse(line) as unknown)).toEqual([
      expect.objectContaining({ function_request_id: 'req-1', function_name: 'ZoomlakePipeline-Poller', source: 'users' }),
      expect.objectContaining({ function_request_id: 'req-2', cold_start: false, source: 'users' }),
    ]);
  });
});

describe('zoomClientFromSecret', () => {
  const settings = { clock: new FakeClock(NOW), plan: 'pro' as const, apiBudgetShare: 0.5, state: new MemoryStateStore(new FakeClock(NOW)) };
  const credentials = (clientId: string) => JSON.stringify({ accountId: 'acct', clientId, clientSecret: 'secret' });

  it('keeps one client while the secret is unchanged and builds a new one once it is rotated', async () => {
    const values: Record<string, string> = { zoom: credentials('one') };
    const api = zoomClientFromSecret(secretsOf(values), 'zoom', settings);
    const first = await api();
    expect(await api()).toBe(first);
    values.zoom = credentials('two');
    const rotated = await api();
    expect(rotated).not.toBe(first);
    expect(await api()).toBe(rotated);
  });

  it('fails on a malformed secret naming it, never quoting it', async () => {
    const api = zoomClientFromSecret(secretsOf({ zoom: '{"clientSecret":"LEAKED"' }), 'zoom', settings);
    const error = await api().then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error).toMatchObject({ name: 'SecretError', message: expect.stringMatching(/^secret "zoom" is not valid JSON/) });
    expect(error?.message).not.toContain('LEAKED');
  });
});
