import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DETECTION_BUNDLE_FILE, bundleSha256, detectionBundle } from '#core/detect/bundle.ts';
import { REGISTRY } from '../support/registry.ts';
import type { MeetingEndedInput } from '#core/correlate/contract.ts';
import { compileCorrelationFilter, correlationReasons } from '#core/correlate/need.ts';
import type { StartDeps } from '#core/correlate/start.ts';
import { CONFIG_DEFAULTS } from '#config/schema.ts';
import { executionName } from '#core/correlate/execution-name.ts';
import type { CorrelationSettings } from '#core/correlate/settings.ts';
import { RETRYABLE_TASK_ERROR, type TaskDeps } from '#core/correlate/tasks.ts';
import { StorageError, ZoomlakeError } from '#core/errors.ts';
import { LakeWriter } from '#core/lake/writer.ts';
import { ZoomAuthError, ZoomServerError } from '#core/zoom/errors.ts';
import { fromEnv as starterFromEnv, makeHandler as makeStarter } from '../../lambdas/handlers/correlation-starter.handler.ts';
import { fromEnv as taskFromEnv, makeHandler as makeTask } from '../../lambdas/handlers/correlation-task.handler.ts';
import { FakeClock } from '../fakes/fake-clock.ts';
import { EmptyQueryEngine, ScriptedZoomApi, reportItem, type ScriptedAnswer } from '../support/correlation-fakes.ts';
import { MemoryAlertDelivery } from '../support/memory-alert-delivery.ts';
import { MemoryObjectStore } from '../support/memory-object-store.ts';
import { MemoryStateStore } from '../support/memory-state-store.ts';
import { RecordingLog } from '../fakes/recording-log.ts';
import { LEAK, MALFORMED_CREDENTIALS, consoleOutputOf, errorTexts, secretsOf } from '../support/malformed-secrets.ts';
import type { ExecutionStarter } from '#core/ports.ts';
import { webhookBody } from '#core/webhook/envelope.ts';

const NOW = Date.UTC(2026, 10, 20, 12, 0, 0);
/** Payload text that must never reach a log line or an error message. */
const TOPIC = 'Board: Project NIGHTJAR acquisition';
const EMAIL = 'ceo@acme.example';
const UUID = '/ab//c+d==';

const meetingEnded = (object: Record<string, unknown> = {}, event = 'meeting.ended') =>
  webhookBody({
    event,
    eventTs: Date.UTC(2026, 10, 20, 11, 0, 5),
    payload: {
      account_id: 'acc',
      operator: EMAIL,
      object: {
        id: 88100000001,
        uuid: UUID,
        host_id: 'host-1',
        host_email: EMAIL,
        topic: TOPIC,
        start_time: '2026-11-20T10:00:00Z',
        end_time: '2026-11-20T11:00:00Z',
        ...object,
      },
    },
  });

/** An EventBridge event from the webhook bus, as the rule delivers it to the starter. */
const busEvent = (detail: unknown, detailType = 'meeting.ended') => ({
  version: '0',
  id: 'evt-1',
  'detail-type': detailType,
  source: 'zoomlake.webhook',
  account: '123456789012',
  time: '2026-11-20T11:00:06Z',
  region: 'eu-west-1',
  resources: [],
  detail,
});
const inline = (body: string) => ({ receivedAt: NOW, trackingId: 'track-1', body });
const byReference = (body: string) => {
  const sha256 = createHash('sha256').update(body).digest('hex');
  return {
    key: `webhook-bodies/dt=2026-11-20/${sha256}.json`,
    detail: { receivedAt: NOW, bodyRef: { key: `webhook-bodies/dt=2026-11-20/${sha256}.json`, sha256, bytes: Buffer.byteLength(body) } },
  };
};

/** Step Functions' name uniqueness: a second start of a name starts nothing. */
class FakeStarter implements ExecutionStarter {
  readonly calls: { name: string; input: MeetingEndedInput }[] = [];
  readonly executions = new Map<string, MeetingEndedInput>();
  failNext: Error | undefined;

  async start(name: string, input: MeetingEndedInput): Promise<'started' | 'duplicate'> {
    this.calls.push({ name, input });
    if (this.failNext) {
      const error = this.failNext;
      this.failNext = undefined;
      throw error;
    }
    if (this.executions.has(name)) return 'duplicate';
    this.executions.set(name, input);
    return 'started';
  }
}

/** The default config's filter: sensitive topics (TOPIC is one) and, with a data-access source, outsiders. */
const FILTER = compileCorrelationFilter({
  meetings: 'needed',
  dataAccess: true,
  sensitiveMeetingPatterns: CONFIG_DEFAULTS.sensitiveMeetingPatterns,
  watchedUsers: [],
});

function starterSetup() {
  const bodies = new MemoryObjectStore();
  const starter = new FakeStarter();
  const log = new RecordingLog();
  const state = new MemoryStateStore(new FakeClock(NOW));
  const deps: StartDeps = { bodies, starter, executionName, reasons: (meeting) => correlationReasons(meeting, state, FILTER) };
  return { bodies, starter, log, state, lines: log.lines, handler: makeStarter(deps, log) };
}

const errorOf = (run: Promise<unknown>) =>
  run.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e as Error,
  );

describe('correlation starter handler', () => {
  it('starts one execution for meeting.ended, named after the hash of the meeting UUID, with the meeting as input', async () => {
    const { handler, starter, lines } = starterSetup();
    const name = `meeting-${createHash('sha256').update(UUID, 'utf8').digest('hex')}`;
    expect(await handler(busEvent(inline(meetingEnded())))).toEqual({ status: 'started', execution: name, reasons: ['sensitive_topic'] });
    expect(name).toMatch(/^[A-Za-z0-9_-]{1,80}$/);
    expect(starter.calls).toEqual([
      {
        name,
        input: {
          meeting_uuid: UUID,
          meeting_id: '88100000001',
          host_id: 'host-1',
          topic: TOPIC,
          start_time: '2026-11-20T10:00:00.000Z',
          end_time: '2026-11-20T11:00:00.000Z',
        },
      },
    ]);
    expect(lines.map((l) => JSON.parse(l))).toEqual([{ status: 'started', execution: name, reasons: ['sensitive_topic'] }]);
  });

  it('skips a meeting no correlation detection needs: ordinary topic, no outsider in the live meeting state', async () => {
    const { handler, starter, lines, log } = starterSetup();
    const name = executionName(UUID);
    expect(await handler(busEvent(inline(meetingEnded({ topic: 'Weekly sync' }))))).toEqual({ status: 'skipped', execution: name });
    expect(starter.calls).toEqual([]);
    expect(lines.map((l) => JSON.parse(l))).toEqual([{ status: 'skipped', execution: name }]);
    expect(log.levels()).toEqual(['INFO']);
  });

  it('starts an ordinary meeting that an outsider joined, as the realtime checks recorded it', async () => {
    const { handler, starter, state } = starterSetup();
    await state.put({ pk: `rt#meeting#${UUID}`, sk: 'external#eve@partner.test', attrs: { user_email: 'eve@partner.test', at: NOW } });
    expect(await handler(busEvent(inline(meetingEnded({ topic: 'Weekly sync' }))))).toMatchObject({
      status: 'started',
      reasons: ['outsiders_with_data_access'],
    });
    expect(starter.calls).toHaveLength(1);
  });

  it('answers a second identical event as a duplicate without throwing or starting another execution', async () => {
    const { handler, starter, lines } = starterSetup();
    const first = await handler(busEvent(inline(meetingEnded())));
    const second = await handler(busEvent(inline(meetingEnded())));
    expect(second).toEqual({
      status: 'duplicate',
      execution: first.status === 'started' ? first.execution : 'not started',
      reasons: ['sensitive_topic'],
    });
    expect(starter.executions.size).toBe(1);
    expect(lines.map((l) => (JSON.parse(l) as { status: string }).status)).toEqual(['started', 'duplicate']);
  });

  it('starts separate executions for separate meeting instances', async () => {
    const { handler, starter } = starterSetup();
    await handler(busEvent(inline(meetingEnded())));
    await handler(busEvent(inline(meetingEnded({ uuid: 'other-instance==' }))));
    expect(starter.executions.size).toBe(2);
  });

  it.each(['meeting.started', 'meeting.participant_joined', 'recording.completed'])('ignores %s without starting anything', async (event) => {
    const { handler, starter, lines } = starterSetup();
    expect(await handler(busEvent(inline(meetingEnded({}, event)), event))).toEqual({ status: 'ignored', event });
    expect(starter.calls).toEqual([]);
    expect(lines.map((l) => JSON.parse(l))).toEqual([{ status: 'ignored', event }]);
  });

  it.each<[string, unknown, RegExp]>([
    ['a detail without a body', { receivedAt: NOW }, /rejected \(detail_malformed\)/],
    ['a detail with a receive time that is no epoch', { receivedAt: 'yesterday', body: meetingEnded() }, /rejected \(detail_malformed\)/],
    [
      'a body reference outside the body prefix',
      { receivedAt: NOW, bodyRef: { key: 'zoom/users/x.json', sha256: 'a'.repeat(64), bytes: 1 } },
      /rejected \(detail_malformed\)/,
    ],
    ['no detail at all', undefined, /rejected \(detail_malformed\)/],
    ['a body that is not a Zoom envelope', inline('not json at all'), /rejected \(not_envelope\)/],
    ['meeting.ended without a meeting UUID', inline(meetingEnded({ uuid: undefined })), /rejected \(no_meeting_uuid\)/],
  ])('throws on %s, so the event ends in the dead-letter queue, and starts nothing', async (_name, detail, error) => {
    const { handler, starter, lines, log } = starterSetup();
    await expect(handler(busEvent(detail))).rejects.toThrow(error);
    expect(starter.calls).toEqual([]);
    expect(lines).toHaveLength(1);
    expect(log.levels()).toEqual(['ERROR']);
    expect(JSON.parse(lines[0] ?? '')).toMatchObject({ status: 'rejected' });
  });

  it('refuses an event that is not an object', async () => {
    const { handler, starter } = starterSetup();
    await expect(handler(null)).rejects.toThrow();
    expect(starter.calls).toEqual([]);
  });

  it('throws for a retry while the body stored by reference is not readable yet, then starts once it is', async () => {
    const { handler, bodies, starter } = starterSetup();
    const body = meetingEnded();
    const { key, detail } = byReference(body);
    await expect(handler(busEvent(detail))).rejects.toThrow(/not started: retry \(body_missing\)/);
    expect(starter.calls).toEqual([]);
    await bodies.put(key, new TextEncoder().encode(body));
    expect(await handler(busEvent(detail))).toEqual({ status: 'started', execution: executionName(UUID), reasons: ['sensitive_topic'] });
  });

  it('rejects a body by reference whose hash does not match', async () => {
    const { handler, bodies, starter } = starterSetup();
    const { key, detail } = byReference(meetingEnded());
    await bodies.put(key, new TextEncoder().encode(meetingEnded({ topic: 'tampered' })));
    await expect(handler(busEvent(detail))).rejects.toThrow(/rejected \(body_sha256_mismatch\)/);
    expect(starter.calls).toEqual([]);
  });

  it('lets a failed start through, so Lambda retries the event', async () => {
    const { handler, starter } = starterSetup();
    starter.failNext = new StorageError('start execution failed: ThrottlingException', true);
    await expect(handler(busEvent(inline(meetingEnded())))).rejects.toBeInstanceOf(StorageError);
    expect(await handler(busEvent(inline(meetingEnded())))).toMatchObject({ status: 'started' });
  });

  it('never logs or throws payload text such as the topic or an email', async () => {
    const { handler, bodies, lines } = starterSetup();
    const { detail } = byReference(meetingEnded());
    const errors: string[] = [];
    const events = [
      busEvent(inline(meetingEnded())),
      busEvent(inline(meetingEnded())),
      busEvent(inline(meetingEnded({}, 'meeting.started')), 'meeting.started'),
      busEvent(inline(meetingEnded({ uuid: undefined }))),
      busEvent(detail),
      busEvent({ receivedAt: NOW, body: 42, topic: TOPIC }),
    ];
    for (const event of events) await handler(event).catch((e: unknown) => errors.push(String(e)));
    expect(bodies.objects.size).toBe(0);
    expect(errors).toHaveLength(3);
    expect(lines).toHaveLength(events.length);
    for (const text of [...lines, ...errors]) {
      for (const secret of [TOPIC, 'NIGHTJAR', EMAIL, UUID]) expect(text).not.toContain(secret);
    }
  });
});

const INPUT: MeetingEndedInput = {
  meeting_uuid: UUID,
  meeting_id: '88100000001',
  host_id: 'host-1',
  topic: TOPIC,
  start_time: '2026-11-20T10:00:00.000Z',
  end_time: '2026-11-20T11:00:00.000Z',
};
const SETTINGS: CorrelationSettings = { enabled: true, waitSeconds: 600, notReadyRetries: 6, notReadyIntervalSeconds: 120 };
const SUMMARY = {
  meeting_uuid: UUID,
  meeting_id: '88100000001',
  topic: TOPIC,
  host_email: EMAIL,
  start_time: INPUT.start_time,
  end_time: INPUT.end_time,
  participants: 2,
  external_emails: ['eve@outside.example'],
  unauthenticated: [],
  impersonation: [],
  brief_joins: 0,
  distinct_ips: 1,
  countries: ['US'],
  sensitive_topic: true,
  watched_host: false,
  correlate_after: INPUT.end_time,
  stored_until: NOW / 1000 + 90 * 86_400,
};
const HOST = reportItem('Ann Host', EMAIL, '2026-11-20T10:00:00Z', '2026-11-20T11:00:00Z', 'host-1');

/** Every part of TaskDeps over in-memory fakes, with what each records. */
function taskSetup(report: ScriptedAnswer = [[HOST]]) {
  const clock = new FakeClock(NOW);
  const store = new MemoryObjectStore();
  const api = new ScriptedZoomApi({ report: [report] });
  const exposureQuery = new EmptyQueryEngine();
  const correlateQuery = new EmptyQueryEngine();
  const state = new MemoryStateStore(clock);
  const delivery = new MemoryAlertDelivery();
  let fetchBuilt = 0;
  const deps: Required<TaskDeps> = {
    fetch: async () => {
      fetchBuilt += 1;
      return { api, newWriter: () => new LakeWriter({ store, clock, newId: () => `f${store.objects.size}`, writerId: 'correlation' }) };
    },
    exposure: { query: exposureQuery, clock, settings: SETTINGS, registry: REGISTRY },
    correlate: { query: correlateQuery, clock, settings: SETTINGS, registry: REGISTRY },
    alerts: { delivery, clock, registry: REGISTRY },
  };
  const log = new RecordingLog();
  const run = (d: TaskDeps, event: unknown) => makeTask(d, log)(event);
  return { deps, run, log, lines: log.lines, api, store, exposureQuery, correlateQuery, state, delivery, fetchBuilt: () => fetchBuilt };
}

describe('correlation task handler', () => {
  it('runs FetchParticipants with the fetch dependencies, writing the participants to the lake', async () => {
    const t = taskSetup();
    expect(await t.run(t.deps, { task: 'FetchParticipants', meeting: INPUT })).toEqual({ participants: 1 });
    expect([...t.store.objects.keys()].every((k) => k.startsWith('zoom/meeting_participants/'))).toBe(true);
    expect(t.api.calls('report')).toBe(1);
    expect(t.lines.map((l) => JSON.parse(l))).toEqual([{ task: 'FetchParticipants', status: 'ok' }]);
    expect(t.log.levels()).toEqual(['INFO']);
  });

  it('runs FetchDetails against the dashboard', async () => {
    const t = taskSetup();
    expect(await t.run(t.deps, { task: 'FetchDetails', meeting: INPUT })).toEqual({ details: 0, available: true });
    expect(t.api.calls('metrics')).toBe(1);
    expect(t.api.calls('report')).toBe(0);
  });

  it('runs Exposure on its own query engine and returns the summary for StoreExposure (it stores nothing itself)', async () => {
    const t = taskSetup();
    expect(await t.run(t.deps, { task: 'Exposure', meeting: INPUT })).toMatchObject({
      meeting_uuid: UUID,
      participants: 0,
      correlate_after: INPUT.end_time,
      stored_until: NOW / 1000 + 90 * 86_400,
    });
    expect(t.exposureQuery.queries.length).toBeGreaterThan(0);
    expect(t.correlateQuery.queries).toEqual([]);
    expect(t.state.items.size).toBe(0);
    expect(t.fetchBuilt()).toBe(0);
  });

  it('runs Correlate on its own query engine', async () => {
    const t = taskSetup();
    expect(await t.run(t.deps, { task: 'Correlate', summary: SUMMARY })).toEqual({ alerts: [] });
    expect(t.correlateQuery.queries.length).toBeGreaterThan(0);
    expect(t.exposureQuery.queries).toEqual([]);
  });

  it('runs RaiseAlerts and ParticipantsUnavailable with the alert delivery', async () => {
    const t = taskSetup();
    expect(await t.run(t.deps, { task: 'RaiseAlerts', alerts: [] })).toEqual({ notified: 0, suppressed: 0 });
    expect(await t.run(t.deps, { task: 'ParticipantsUnavailable', meeting: INPUT, attempts: 7 })).toEqual({ notified: 1, suppressed: 0 });
    expect(t.delivery.notified.map((a) => a.detection_id)).toEqual(['zoom.correlation.participants_unavailable']);
    expect(t.fetchBuilt()).toBe(0);
  });

  it.each<[string, unknown, RegExp]>([
    ['an unknown task', { task: 'DeleteEverything', meeting: INPUT }, /invalid correlation task payload: task:/],
    ['a missing meeting', { task: 'FetchParticipants' }, /invalid correlation task payload: meeting:/],
    [
      'a meeting without its end time',
      { task: 'Exposure', meeting: { ...INPUT, end_time: undefined } },
      /invalid correlation task payload: meeting\.end_time:/,
    ],
    ['a non-positive attempt count', { task: 'ParticipantsUnavailable', meeting: INPUT, attempts: 0 }, /invalid correlation task payload: attempts:/],
    ['no payload at all', null, /invalid correlation task payload: \(root\):/],
  ])('fails clearly and for good on %s', async (_name, event, message) => {
    const t = taskSetup();
    const error = await errorOf(t.run(t.deps, event));
    expect(error).toBeInstanceOf(ZoomlakeError);
    expect(error).toMatchObject({ name: 'ZoomlakeError', retryable: false, message: expect.stringMatching(message) });
    expect(JSON.parse(t.lines[0] ?? '')).toMatchObject({ status: 'error', error: 'ZoomlakeError' });
    expect(t.fetchBuilt()).toBe(0);
  });

  it("throws MeetingNotReady under its own name, for the definition's Retry and Catch", async () => {
    const t = taskSetup([[]]);
    const error = await errorOf(t.run(t.deps, { task: 'FetchParticipants', meeting: INPUT }));
    expect(error.name).toBe('MeetingNotReady');
    expect(JSON.parse(t.lines[0] ?? '')).toEqual({ task: 'FetchParticipants', status: 'error', error: 'MeetingNotReady' });
    expect(t.log.levels()).toEqual(['ERROR']);
  });

  it('renames a retryable failure CorrelationRetryable, keeping the original as its cause', async () => {
    const cause = new ZoomServerError('zoom server error', { status: 503, endpoint: 'api' });
    const t = taskSetup(cause);
    const error = await errorOf(t.run(t.deps, { task: 'FetchParticipants', meeting: INPUT }));
    expect(error.name).toBe(RETRYABLE_TASK_ERROR);
    expect(error.cause).toBe(cause);
    expect(error.message).toContain('ZoomServerError');
    expect(JSON.parse(t.lines[0] ?? '')).toEqual({ task: 'FetchParticipants', status: 'error', error: 'CorrelationRetryable' });
  });

  it('renames a retryable storage failure of the delivery too', async () => {
    const t = taskSetup();
    t.delivery.failNext = new StorageError('PutEvents failed: ThrottlingException', true);
    const error = await errorOf(t.run(t.deps, { task: 'ParticipantsUnavailable', meeting: INPUT, attempts: 7 }));
    expect(error.name).toBe(RETRYABLE_TASK_ERROR);
  });

  it.each<[string, Error]>([
    ['a non-retryable Zoom error', new ZoomAuthError('invalid client', { status: 401, code: 124, endpoint: 'api' })],
    ['a plain error', new TypeError('boom')],
  ])('lets %s through under its own name, so the execution fails', async (_name, cause) => {
    const t = taskSetup(cause);
    const error = await errorOf(t.run(t.deps, { task: 'FetchParticipants', meeting: INPUT }));
    expect(error).toBe(cause);
  });

  it.each<[string, keyof TaskDeps, unknown]>([
    ['FetchParticipants', 'fetch', { task: 'FetchParticipants', meeting: INPUT }],
    ['FetchDetails', 'fetch', { task: 'FetchDetails', meeting: INPUT }],
    ['Exposure', 'exposure', { task: 'Exposure', meeting: INPUT }],
    ['Correlate', 'correlate', { task: 'Correlate', summary: SUMMARY }],
    ['RaiseAlerts', 'alerts', { task: 'RaiseAlerts', alerts: [] }],
    ['ParticipantsUnavailable', 'alerts', { task: 'ParticipantsUnavailable', meeting: INPUT, attempts: 7 }],
  ])('fails clearly, and not for retry, when the function lacks the %s dependencies', async (task, part, event) => {
    const t = taskSetup();
    const others = Object.fromEntries(Object.entries(t.deps).filter(([k]) => k !== part)) as TaskDeps;
    const error = await errorOf(t.run(others, event));
    expect(error).toMatchObject({ name: 'ZoomlakeError', retryable: false });
    expect(error.message).toBe(`this function does not run the ${task} task (it needs ${part} dependencies)`);
  });

  it('logs only the task, the status and the error name, never payload text', async () => {
    const t = taskSetup();
    await t.run(t.deps, { task: 'FetchParticipants', meeting: INPUT });
    await t.run(t.deps, { task: 'Correlate', summary: SUMMARY });
    await t.run(t.deps, { task: 'ParticipantsUnavailable', meeting: INPUT, attempts: 7 });
    await errorOf(t.run(t.deps, { task: 'Exposure', meeting: { ...INPUT, end_time: `${TOPIC} ${EMAIL}` } }));
    await errorOf(t.run({}, { task: 'Correlate', summary: SUMMARY }));
    // An error whose message quotes meeting data, as Zoom's or an SDK's may.
    const quoting = taskSetup(new ZoomServerError(`zoom failed on ${TOPIC} for ${EMAIL}`, { status: 503, endpoint: 'api' }));
    await errorOf(quoting.run(quoting.deps, { task: 'FetchParticipants', meeting: INPUT }));
    t.lines.push(...quoting.lines);
    expect(t.lines).toHaveLength(6);
    for (const line of t.lines) {
      expect(Object.keys(JSON.parse(line) as object).every((k) => ['task', 'status', 'error'].includes(k))).toBe(true);
      for (const secret of [TOPIC, 'NIGHTJAR', EMAIL, UUID, 'eve@outside.example']) expect(line).not.toContain(secret);
    }
  });
});

describe("correlation handlers' environment", () => {
  const STARTER_ENV = {
    STATE_MACHINE_ARN: 'arn:aws:states:eu-west-1:123456789012:stateMachine:correlation',
    LAKE_BUCKET_NAME: 'lake',
    STATE_TABLE_NAME: 'state',
    CORRELATION_FILTER: JSON.stringify({ meetings: 'needed', dataAccess: false, sensitiveMeetingPatterns: ['\\bboard'], watchedUsers: [] }),
  };
  const BUNDLE = detectionBundle(REGISTRY);
  const BUNDLE_FILE = join(mkdtempSync(join(tmpdir(), 'zoomlake-bundle-')), DETECTION_BUNDLE_FILE);
  writeFileSync(BUNDLE_FILE, BUNDLE);
  const SHA = bundleSha256(BUNDLE);
  const ATHENA = {
    ATHENA_WORKGROUP: 'zoomlake',
    GLUE_DATABASE: 'zoomlake',
    ATHENA_TIMEOUT_SECONDS: '540',
    CORRELATION_SETTINGS: JSON.stringify(SETTINGS),
    DETECTIONS_SHA256: SHA,
  };
  const TASK_ENVS: Record<keyof TaskDeps, Record<string, string>> = {
    fetch: {
      CORRELATION_FUNCTION: 'fetch',
      ZOOM_CREDENTIALS_SECRET_ARN: 'arn:secret',
      ZOOM_PLAN: 'business',
      API_BUDGET_SHARE: '0.5',
      STATE_TABLE_NAME: 'state',
      LAKE_BUCKET_NAME: 'lake',
    },
    exposure: { CORRELATION_FUNCTION: 'exposure', ...ATHENA },
    correlate: { CORRELATION_FUNCTION: 'correlate', ...ATHENA },
    alerts: { CORRELATION_FUNCTION: 'alerts', STATE_TABLE_NAME: 'state', LAKE_BUCKET_NAME: 'lake', ALERT_BUS_NAME: 'alerts', DETECTIONS_SHA256: SHA },
  };
  const without = (env: Record<string, string>, name: string) => Object.fromEntries(Object.entries(env).filter(([k]) => k !== name));

  it('builds the starter from its environment', () => {
    expect(starterFromEnv(STARTER_ENV).executionName(UUID)).toBe(executionName(UUID));
  });

  it.each(Object.keys(STARTER_ENV))('refuses a starter environment without %s, naming it', (name) => {
    expect(() => starterFromEnv(without(STARTER_ENV, name))).toThrow(name);
    expect(() => starterFromEnv({ ...STARTER_ENV, [name]: '' })).toThrow(name);
  });

  it.each(Object.entries(TASK_ENVS))('builds the %s function with only its own dependencies', (part, env) => {
    expect(Object.keys(taskFromEnv(env, BUNDLE_FILE))).toEqual([part]);
  });

  it.each(
    Object.entries(TASK_ENVS).flatMap(([part, env]) =>
      Object.keys(env)
        .filter((k) => k !== 'CORRELATION_FUNCTION')
        .map((name) => [part, name, env] as const),
    ),
  )("refuses the %s function's environment without %s, naming it", (_part, name, env) => {
    expect(() => taskFromEnv(without(env, name), BUNDLE_FILE)).toThrow(name);
  });

  it.each<[string, Record<string, string>, string]>([
    ['no function name', without(TASK_ENVS.alerts, 'CORRELATION_FUNCTION'), 'CORRELATION_FUNCTION'],
    ['an unknown function name', { ...TASK_ENVS.alerts, CORRELATION_FUNCTION: 'starter' }, 'CORRELATION_FUNCTION'],
    ['an unknown plan', { ...TASK_ENVS.fetch, ZOOM_PLAN: 'gold' }, 'ZOOM_PLAN'],
    ['a budget share above 1', { ...TASK_ENVS.fetch, API_BUDGET_SHARE: '1.5' }, 'API_BUDGET_SHARE'],
    ['a timeout that is no number', { ...TASK_ENVS.correlate, ATHENA_TIMEOUT_SECONDS: 'soon' }, 'ATHENA_TIMEOUT_SECONDS'],
    ['settings missing a field', { ...TASK_ENVS.correlate, CORRELATION_SETTINGS: JSON.stringify({ enabled: true }) }, 'waitSeconds'],
  ])('refuses a task environment with %s', (_name, env, field) => {
    expect(() => taskFromEnv(env, BUNDLE_FILE)).toThrow(field);
  });

  it.each(MALFORMED_CREDENTIALS)(
    'fails the fetch function on a credentials secret that is $name, naming the secret and never quoting it',
    async ({ raw, says }) => {
      const arn = TASK_ENVS.fetch.ZOOM_CREDENTIALS_SECRET_ARN as string;
      // The Lambda entry point's own logger (Powertools, straight to stdout), captured.
      const handler = makeTask(taskFromEnv(TASK_ENVS.fetch, BUNDLE_FILE, secretsOf({ [arn]: raw })));
      let error: unknown;
      const output = await consoleOutputOf(async () => {
        error = await errorOf(handler({ task: 'FetchParticipants', meeting: INPUT }));
      });
      expect(error).toMatchObject({ name: 'SecretError', retryable: false });
      expect((error as Error).message).toMatch(new RegExp(`^secret "${arn}" `));
      expect((error as Error).message).toMatch(says);
      // One JSON line at level ERROR: the failure, by task and error name.
      expect(output.map((line) => JSON.parse(line) as unknown)).toEqual([
        {
          level: 'ERROR',
          message: 'correlation task failed',
          timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
          service: 'correlation-task',
          task: 'FetchParticipants',
          status: 'error',
          error: 'SecretError',
        },
      ]);
      for (const text of [...errorTexts(error), ...output]) expect(text).not.toContain(LEAK);
    },
  );

  it('refuses a registry file other than the one the function was deployed with', () => {
    expect(() => taskFromEnv({ ...TASK_ENVS.alerts, DETECTIONS_SHA256: 'b'.repeat(64) }, BUNDLE_FILE)).toThrow(/redeploy/);
  });
});
