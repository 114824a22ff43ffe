import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { afterAll, describe, expect, it } from 'vitest';
import type { ZoomlakeConfig } from '#config/schema.ts';
import { dedupWindowsOf, SuppressingAlertDelivery, type AlertEventDetail } from '#core/alerts/suppressing-delivery.ts';
import { CORRELATION_DETECTIONS, type MeetingEndedInput } from '#core/correlate/contract.ts';
import type { CorrelationSettings } from '#core/correlate/settings.ts';
import { readExposure } from '#core/correlate/steps/store-exposure.ts';
import { runCorrelationTask, type TaskDeps } from '#core/correlate/tasks.ts';
import { configViews } from '#core/detect/config-views.ts';
import { QueryError } from '#core/errors.ts';
import { LakeWriter } from '#core/lake/writer.ts';
import type { BusEvent, QueryEngine } from '#core/ports.ts';
import type { ZoomPlan } from '#core/zoom/client.ts';
import { ZoomNotFoundError } from '#core/zoom/errors.ts';
import { decodeItem } from '#adapters/dynamodb-state-store.ts';
import { DuckDbQueryEngine } from '#local/adapters/duckdb-query-engine.ts';
import { FsObjectStore } from '#local/adapters/fs-object-store.ts';
import { buildApp } from '../../lib/app.ts';
import { loadRegistry } from '../../lib/detections/load.ts';
import { FakeClock } from '../fakes/fake-clock.ts';
import { TEST_ENV, testConfig } from '../infra/helpers.ts';
import { NO_BUNDLING } from '../infra/pipeline-helpers.ts';
import { ScriptedZoomApi, reportItem, type ScriptedAnswer } from '../support/correlation-fakes.ts';
import { writeFixtureLake } from '../support/detection-fixtures.ts';
import { MemoryStateStore } from '../support/memory-state-store.ts';

/*
 * The synthesized correlation state machine (the detections stack's DefinitionString, function ARNs resolved) run by
 * aws-local-stepfunctions, each Lambda task answered by runCorrelationTask with the dependencies of the function its
 * Resource names: a temporary lake through the real lake writer, DuckDB with the config views and a data-access
 * table, the memory state store, SuppressingAlertDelivery, and a scripted Zoom API. So the definition's paths,
 * Parameters, Retry/Catch error names and Choice are checked against the core they drive.
 */

// aws-local-stepfunctions' Task state uses Promise.withResolvers (Node 22+); polyfilled on Node 20 only.
const promiseStatics = Promise as unknown as { withResolvers?: unknown };
if (typeof promiseStatics.withResolvers !== 'function') {
  Object.defineProperty(Promise, 'withResolvers', {
    configurable: true,
    writable: true,
    value: function withResolvers<T>() {
      let resolve!: (value: T | PromiseLike<T>) => void;
      let reject!: (reason?: unknown) => void;
      const promise = new Promise<T>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      return { promise, resolve, reject };
    },
  });
}

const START = Date.UTC(2026, 10, 20, 10, 0, 0);
const END = START + 3_600_000;
// The core's clock: two hours after the end. The engine's own Wait states use the real time.
const NOW = END + 2 * 3_600_000;
const at = (ms: number) => new Date(ms).toISOString();
const min = (n: number) => n * 60_000;

const MEETING: MeetingEndedInput = {
  meeting_uuid: 'sfn/meeting+1==',
  meeting_id: '88200000001',
  host_id: 'host-1',
  topic: 'Board prep',
  start_time: at(START),
  end_time: at(END),
};
const DATA_ACCESS = { table: 'data_access', userColumn: 'principal', timeColumn: 'event_time', resourceColumn: 'object_key' };
const CONFIG = {
  internalDomains: ['example.com'],
  watchedUsers: ['cara@example.com'],
  sensitiveMeetingPatterns: ['board'],
  correlation: { waitSeconds: 600, notReadyRetries: 2, notReadyIntervalSeconds: 60, dataAccess: DATA_ACCESS },
};

const ANN = reportItem('Ann Host', 'ann@example.com', at(START), at(END), 'host-1');
const BOB = reportItem('Bob Builder', 'bob@example.com', at(START + min(1)), at(END), 'u-bob');
const EVE = reportItem('Eve Partner', 'eve@partner.test', at(START + min(5)), at(END - min(10)));
/** A dashboard participant-details item as Zoom returns it. */
const detailItem = (name: string, email: string, ip: string, location: string) => ({
  id: '',
  user_id: `pid-${name}`,
  user_name: name,
  email,
  join_time: at(START + min(5)),
  leave_time: at(END - min(10)),
  ip_address: ip,
  location,
  role: 'attendee',
});
const notFound = () => new ZoomNotFoundError('Meeting does not exist.', { status: 404, code: 3001, endpoint: 'api' });

/** The host read finance data ten minutes after the meeting (inside the 30-minute window). */
const ACCESS_CSV = `principal,event_time,object_key\nann@example.com,${at(END + min(10))},s3://finance/q3-forecast.xlsx\n`;
const download = (operator: string, minutesAfterEnd: number) => ({
  time: at(END + min(minutesAfterEnd)),
  operator,
  category_type: 'Recording',
  action: 'Download',
  operation_detail: 'Download cloud recording for meeting 882 0000 0001',
});

const WITH_GUEST = {
  report: [[[ANN, EVE]]],
  metrics: [[[detailItem('Eve Partner', 'eve@partner.test', '192.0.2.7', 'Lagos (NG)')]]],
  downloads: [download('mallory@example.com', 20), download('ann@example.com', 25)],
};
const INTERNAL_ONLY = {
  report: [[[ANN, BOB]]],
  metrics: [[[detailItem('Bob Builder', 'bob@example.com', '203.0.113.5', 'London (GB)')]]],
  downloads: [download('bob@example.com', 20), download('ann@example.com', 25)],
};
const BOTH_ALERTS = [CORRELATION_DETECTIONS.hostDataAccessAfterExternalMeeting, CORRELATION_DETECTIONS.recordingDownloadByNonParticipant];

const FULL_PATH = [
  'Settings',
  'WaitForReports',
  'FetchParticipants',
  'PlanHasDashboard',
  'FetchDetails',
  'Exposure',
  'StoreExposure',
  'WaitForDataAccessWindow',
  'Correlate',
  'RaiseAlerts',
  'Done',
];

// ---------------------------------------------------------------------------------------------------------------
// The synthesized definition

/** A correlation task function, by its CORRELATION_FUNCTION: the TaskDeps part it is built with. */
type FunctionKind = keyof TaskDeps;

interface Synthesized {
  readonly config: ZoomlakeConfig;
  readonly definition: StateMachineDefinition;
  /** Each Task state's function, found through its Resource. */
  readonly functionOfState: ReadonlyMap<string, FunctionKind>;
  /** The CORRELATION_SETTINGS each function that has them is deployed with. */
  readonly settingsOf: ReadonlyMap<FunctionKind, CorrelationSettings>;
}

interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
}

/** A placeholder ARN standing for a function's `Fn::GetAtt [<logicalId>, Arn]`. */
const functionArn = (logicalId: string) => `arn:aws:lambda:${TEST_ENV.region}:${TEST_ENV.account}:function:${logicalId}`;

/** The state table's name in the resolved definition (the stack imports it from the storage stack). */
const STATE_TABLE = 'zoomlake-state';
/** The DynamoDB PutItem service integration's resource, in the test partition. */
const PUT_ITEM = 'arn:aws:states:::dynamodb:putItem';

/**
 * The DefinitionString with each function ARN token replaced by its placeholder, the partition by `aws` and the
 * imported state table name by STATE_TABLE; any other token is an error.
 */
function resolveDefinition(definitionString: unknown, functions: ReadonlySet<string>): string {
  if (typeof definitionString === 'string') return definitionString;
  const join = (definitionString as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
  if (join === undefined || join[0] !== '') throw new Error(`unexpected DefinitionString: ${JSON.stringify(definitionString).slice(0, 200)}`);
  return join[1]
    .map((part) => {
      if (typeof part === 'string') return part;
      if ((part as { Ref?: string }).Ref === 'AWS::Partition') return 'aws';
      const imported = (part as { 'Fn::ImportValue'?: unknown })['Fn::ImportValue'];
      if (typeof imported === 'string' && /StateTable/.test(imported)) return STATE_TABLE;
      const [logicalId, attribute] = (part as { 'Fn::GetAtt'?: [string, string] })['Fn::GetAtt'] ?? [];
      if (logicalId === undefined || attribute !== 'Arn' || !functions.has(logicalId))
        throw new Error(`unexpected token in the definition: ${JSON.stringify(part)}`);
      return functionArn(logicalId);
    })
    .join('');
}

const synthesized = new Map<ZoomPlan, Synthesized>();

/** The detections stack's state machine for `plan`, synthesized once per plan. */
function synthesize(plan: ZoomPlan): Synthesized {
  const cached = synthesized.get(plan);
  if (cached) return cached;
  const config = testConfig({ ...CONFIG, planTier: plan });
  const { detections } = buildApp(config, new App({ context: NO_BUNDLING }), TEST_ENV);
  const resources = Template.fromStack(detections).toJSON().Resources as Record<string, CfnResource>;

  const kindOf = new Map<string, FunctionKind>();
  const settingsOf = new Map<FunctionKind, CorrelationSettings>();
  for (const [logicalId, r] of Object.entries(resources)) {
    const env = (r.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables;
    if (r.Type !== 'AWS::Lambda::Function' || typeof env?.CORRELATION_FUNCTION !== 'string') continue;
    const kind = env.CORRELATION_FUNCTION as FunctionKind;
    kindOf.set(logicalId, kind);
    if (typeof env.CORRELATION_SETTINGS === 'string') settingsOf.set(kind, JSON.parse(env.CORRELATION_SETTINGS) as CorrelationSettings);
  }
  const machines = Object.values(resources).filter((r) => r.Type === 'AWS::StepFunctions::StateMachine');
  if (machines.length !== 1) throw new Error(`expected one state machine, found ${machines.length}`);
  const definition = JSON.parse(resolveDefinition(machines[0]!.Properties?.DefinitionString, new Set(kindOf.keys()))) as StateMachineDefinition;

  const byArn = new Map([...kindOf].map(([logicalId, kind]) => [functionArn(logicalId), kind]));
  const functionOfState = new Map<string, FunctionKind>();
  for (const [name, state] of Object.entries(definition.States)) {
    if (state.Type !== 'Task' || state.Resource === PUT_ITEM) continue;
    const kind = byArn.get(state.Resource);
    if (kind === undefined) throw new Error(`task ${name} names no correlation function: ${state.Resource}`);
    functionOfState.set(name, kind);
  }
  const result = { config, definition, functionOfState, settingsOf };
  synthesized.set(plan, result);
  return result;
}

// ---------------------------------------------------------------------------------------------------------------
// One execution on a fresh lake

interface Scenario {
  readonly plan?: ZoomPlan;
  /** The report API's answers to FetchParticipants, in order (the last repeats). */
  readonly report: readonly ScriptedAnswer[];
  /** The dashboard's answers to FetchDetails, in order (the last repeats). */
  readonly metrics: readonly ScriptedAnswer[];
  /** operation_logs rows in the lake. */
  readonly downloads: readonly Record<string, unknown>[];
  /** Errors the Correlate function's queries throw, one per invocation, before it answers normally. */
  readonly correlateFaults?: readonly Error[];
}

interface LogEvent {
  readonly type: string;
  readonly state?: { readonly name: string };
  readonly Error?: string;
}

interface Execution {
  readonly status: 'SUCCEEDED' | 'FAILED';
  readonly output: Record<string, unknown> | undefined;
  /** The error the execution failed with (the Fail state's Error), when it failed. */
  readonly error: string | undefined;
  /** The states entered, in order. */
  readonly path: readonly string[];
  readonly retried: (state: string) => number;
  /** Invocations per Task state. */
  readonly calls: Readonly<Record<string, number>>;
  /** The state table after the run. */
  readonly state: MemoryStateStore;
  readonly api: ScriptedZoomApi;
  /** The alerts delivery notified (published to the alert bus). */
  readonly alerts: readonly AlertEventDetail[];
}

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** A query engine that throws `faults` one at a time, a fault per query, then answers from `inner`. */
function faulty(inner: QueryEngine, faults: readonly Error[]): QueryEngine {
  const pending = [...faults];
  return {
    query: (sql, params) => {
      const fault = pending.shift();
      return fault ? Promise.reject(fault) : inner.query(sql, params);
    },
  };
}

async function execute(scenario: Scenario): Promise<Execution> {
  const { config, definition, functionOfState, settingsOf } = synthesize(scenario.plan ?? 'business');
  // The registry the synthesized functions ship (the same config overrides).
  const registry = loadRegistry(config.detections);
  const dir = mkdtempSync(join(tmpdir(), 'zoomlake-sfn-'));
  dirs.push(dir);
  const lakeDir = join(dir, 'lake');
  await writeFixtureLake(lakeDir, {
    description: 'correlation state machine',
    now: at(NOW),
    rows: {
      operation_logs: [...scenario.downloads],
      // The recording.completed webhook that precedes any download names the meeting and its host, as in production.
      recording_events: [
        {
          event: 'recording.completed',
          event_time: at(END + 60_000),
          meeting_id: MEETING.meeting_id,
          meeting_uuid: MEETING.meeting_uuid,
          host_id: MEETING.host_id,
          host_email: 'ann@example.com',
          topic: MEETING.topic,
          start_time: at(START),
          source_record_id: 'recording-completed',
        },
      ],
    },
    webhooks: [],
    expect: [],
  });
  const accessFile = join(dir, 'access.csv');
  writeFileSync(accessFile, ACCESS_CSV);
  const engine = await DuckDbQueryEngine.open({
    lakeDir,
    views: [
      ...configViews(config, registry.detections),
      { name: DATA_ACCESS.table, sql: `SELECT * FROM read_csv_auto('${accessFile.replaceAll("'", "''")}')` },
    ],
  });

  const clock = new FakeClock(NOW);
  const state = new MemoryStateStore(clock);
  const store = new FsObjectStore(lakeDir);
  const newWriter = (writerId: string) => new LakeWriter({ store, clock, newId: randomUUID, writerId });
  const api = new ScriptedZoomApi({ report: scenario.report, metrics: scenario.metrics });
  const published: BusEvent[] = [];
  const delivery = new SuppressingAlertDelivery({
    state,
    clock,
    newWriter,
    writerId: 'correlation',
    windows: dedupWindowsOf(registry.detections),
    publisher: { publish: async (events) => void published.push(...events) },
  });
  const settings = (kind: FunctionKind) => {
    const s = settingsOf.get(kind);
    if (s === undefined) throw new Error(`the ${kind} function has no CORRELATION_SETTINGS`);
    return s;
  };
  // Each function only with its own dependencies, as each Lambda is built (fromEnv).
  const depsOf: Record<FunctionKind, () => TaskDeps> = {
    fetch: () => ({ fetch: async () => ({ api, newWriter: () => newWriter('correlation') }) }),
    exposure: () => ({ exposure: { query: engine, clock, settings: settings('exposure'), registry } }),
    correlate: () => ({ correlate: { query: faulty(engine, scenario.correlateFaults ?? []), clock, settings: settings('correlate'), registry } }),
    alerts: () => ({ alerts: { delivery, clock, registry } }),
  };
  const deps = Object.fromEntries(Object.entries(depsOf).map(([kind, make]) => [kind, make()])) as Record<FunctionKind, TaskDeps>;

  const calls: Record<string, number> = {};
  const handlers: Record<string, (payload: unknown) => Promise<never>> = Object.fromEntries(
    [...functionOfState].map(([name, kind]) => [
      name,
      async (payload: unknown) => {
        calls[name] = (calls[name] ?? 0) + 1;
        return runCorrelationTask(payload, deps[kind]) as Promise<never>;
      },
    ]),
  );
  // The PutItem service integration, as DynamoDB would do it: the item lands in the state table as the store reads it.
  for (const [name, s] of Object.entries(definition.States)) {
    if (s.Type !== 'Task' || s.Resource !== PUT_ITEM) continue;
    handlers[name] = async (parameters: unknown) => {
      calls[name] = (calls[name] ?? 0) + 1;
      const { TableName, Item } = parameters as { TableName: string; Item: Record<string, AttributeValue> };
      if (TableName !== STATE_TABLE) throw new Error(`PutItem into ${TableName}, not the state table`);
      await state.put(decodeItem(Item));
      return {} as never;
    };
  }
  const states = Object.entries(definition.States);
  // Fixed waits (waitSeconds) and retry pauses take no time here; the Wait on the summary's correlate_after is left
  // alone, so its TimestampPath is read from the Exposure output (a time already past).
  const waitTimeOverrides = Object.fromEntries(states.filter(([, s]) => s.Type === 'Wait' && 'Seconds' in s).map(([name]) => [name, 0]));
  const retryIntervalOverrides = Object.fromEntries(states.filter(([, s]) => 'Retry' in s).map(([name]) => [name, 0]));

  try {
    const run = new StateMachine(definition).run(MEETING as never, {
      overrides: { taskResourceLocalHandlers: handlers, waitTimeOverrides, retryIntervalOverrides },
    });
    const outcome = await run.result.then(
      (output) => ({ output }),
      (error: unknown) => ({ error }),
    );
    const events: LogEvent[] = [];
    for await (const event of run.eventLogs) events.push(event as LogEvent);
    const failed = events.find((e) => e.type === 'ExecutionFailed');
    return {
      status: 'output' in outcome ? 'SUCCEEDED' : 'FAILED',
      output: 'output' in outcome ? (outcome.output as Record<string, unknown>) : undefined,
      error: failed?.Error,
      path: events.filter((e) => e.type === 'StateEntered').map((e) => e.state!.name),
      retried: (name) => events.filter((e) => e.type === 'StateRetried' && e.state?.name === name).length,
      calls,
      api,
      state,
      alerts: published.map((e) => e.detail as AlertEventDetail),
    };
  } finally {
    await engine.close();
  }
}

const detectionsOf = (e: Execution) => e.alerts.map((a) => a.detection_id).sort();

// ---------------------------------------------------------------------------------------------------------------

describe('the synthesized correlation state machine, run locally on the core', () => {
  it('maps every task to the function that runs it', () => {
    expect(Object.fromEntries(synthesize('business').functionOfState)).toEqual({
      FetchParticipants: 'fetch',
      FetchDetails: 'fetch',
      Exposure: 'exposure',
      Correlate: 'correlate',
      RaiseAlerts: 'alerts',
      ParticipantsUnavailable: 'alerts',
    });
  });

  it.each([
    ["a meeting with an external guest, a download by a non-participant and the host's data access: both alerts", WITH_GUEST, BOTH_ALERTS],
    ['an internal meeting whose recording only participants downloaded: no alert', INTERNAL_ONLY, []],
  ])('%s', async (_name, scenario, expected) => {
    const run = await execute(scenario);
    expect(run.status).toBe('SUCCEEDED');
    expect(run.path).toEqual(FULL_PATH);
    expect(detectionsOf(run)).toEqual(expected);
    expect(run.output?.raiseAlerts).toEqual({ notified: expected.length, suppressed: 0 });
  });

  it("raises the alerts on the meeting's facts: the outside downloader and the host's access in the window", async () => {
    const run = await execute(WITH_GUEST);
    const byId = new Map(run.alerts.map((a) => [a.detection_id, a]));
    expect(byId.get(CORRELATION_DETECTIONS.recordingDownloadByNonParticipant)).toMatchObject({
      source: 'correlation',
      entities: {
        operator: 'mallory@example.com',
        meeting_id: MEETING.meeting_id,
        meeting_uuid: MEETING.meeting_uuid,
        host_email: 'ann@example.com',
      },
    });
    const access = byId.get(CORRELATION_DETECTIONS.hostDataAccessAfterExternalMeeting);
    expect(access).toMatchObject({ source: 'correlation', entities: { user_email: 'ann@example.com', meeting_uuid: MEETING.meeting_uuid } });
    expect(access?.evidence.map((e) => [e.resource, e.external_emails])).toEqual([['s3://finance/q3-forecast.xlsx', 'eve@partner.test']]);
    // The exposure travelled through the state: participants from the report, the guest's location from the dashboard.
    expect(run.output?.exposure).toMatchObject({
      participants: 2,
      external_emails: ['eve@partner.test'],
      countries: ['NG'],
      correlate_after: at(END + min(30)),
    });
    // StoreExposure's PutItem wrote the item the state store reads back as the summary, with its TTL.
    expect(await readExposure(run.state, MEETING.meeting_uuid)).toEqual(run.output?.exposure);
    const stored = await run.state.get(`meeting#${MEETING.meeting_uuid}`, 'exposure');
    expect(stored?.expiresAt).toBe((run.output?.exposure as { stored_until: number }).stored_until);
  });

  it.each([
    [
      'not ready twice (not found, then an empty report), then ready: retried and correlated',
      [notFound(), [[]], [[ANN, EVE]]],
      {
        status: 'SUCCEEDED',
        reportCalls: 3,
        retried: 2,
        path: FULL_PATH,
        alerts: BOTH_ALERTS,
      },
    ],
    [
      'never ready: given up after notReadyRetries + 1 calls, participants_unavailable raised',
      [notFound()],
      {
        status: 'SUCCEEDED',
        reportCalls: 3,
        retried: 2,
        path: ['Settings', 'WaitForReports', 'FetchParticipants', 'ParticipantsUnavailable', 'Done'],
        alerts: [CORRELATION_DETECTIONS.participantsUnavailable],
      },
    ],
  ] as const)('FetchParticipants %s', async (_name, report, expected) => {
    const run = await execute({ ...WITH_GUEST, report });
    expect(run.status).toBe(expected.status);
    expect(run.api.calls('report')).toBe(expected.reportCalls);
    expect(run.calls.FetchParticipants).toBe(expected.reportCalls);
    expect(run.retried('FetchParticipants')).toBe(expected.retried);
    expect(run.path).toEqual(expected.path);
    expect(detectionsOf(run)).toEqual(expected.alerts);
  });

  it('raises participants_unavailable for the meeting with the attempts made, and checks nothing else', async () => {
    const run = await execute({ ...WITH_GUEST, report: [notFound()] });
    expect(run.alerts).toHaveLength(1);
    expect(run.alerts[0]).toMatchObject({ entities: { meeting_uuid: MEETING.meeting_uuid, meeting_id: MEETING.meeting_id } });
    expect(run.alerts[0]!.evidence[0]).toMatchObject({ attempts: 3, end_time: MEETING.end_time });
    expect(run.output?.notReady).toMatchObject({ Error: 'MeetingNotReady' });
    expect([run.calls.Exposure, run.calls.Correlate, run.api.calls('metrics')]).toEqual([undefined, undefined, 0]);
  });

  it.each([
    ['pro: the dashboard is skipped', 'pro', undefined, 0, undefined],
    ['business: the dashboard is read', 'business', undefined, 1, { details: 1, available: true }],
    [
      'business, the dashboard never ready: retried, then the run goes on without details',
      'business',
      [notFound()],
      3,
      { details: 0, available: false },
    ],
  ] as const)('FetchDetails on %s', async (_name, plan, metrics, metricsCalls, fetchDetails) => {
    const run = await execute({ ...WITH_GUEST, plan, metrics: metrics ?? WITH_GUEST.metrics });
    expect(run.status).toBe('SUCCEEDED');
    expect(run.api.calls('metrics')).toBe(metricsCalls);
    expect(run.calls.FetchDetails ?? 0).toBe(metricsCalls);
    expect(run.path.includes('FetchDetails')).toBe(metricsCalls > 0);
    expect(run.path.includes('DetailsUnavailable')).toBe(fetchDetails?.available === false);
    expect(run.output?.fetchDetails).toEqual(fetchDetails);
    expect(detectionsOf(run)).toEqual(BOTH_ALERTS);
  });

  it.each([
    [
      'a non-retryable error fails the execution at CorrelationFailed',
      [new QueryError('query failed: no such table', false)],
      {
        status: 'FAILED',
        error: 'QueryError',
        correlateCalls: 1,
        alerts: [] as string[],
      },
    ],
    [
      'a retryable error is retried and the run completes',
      [new QueryError('throttled', true)],
      {
        status: 'SUCCEEDED',
        error: undefined,
        correlateCalls: 2,
        alerts: BOTH_ALERTS,
      },
    ],
    [
      'a retryable error that persists fails the execution after the retries',
      Array.from({ length: 5 }, () => new QueryError('throttled', true)),
      {
        status: 'FAILED',
        error: 'CorrelationRetryable',
        correlateCalls: 5,
        alerts: [] as string[],
      },
    ],
  ])('Correlate: %s', async (_name, correlateFaults, expected) => {
    const run = await execute({ ...WITH_GUEST, correlateFaults });
    expect(run.status).toBe(expected.status);
    expect(run.error).toBe(expected.error);
    expect(run.calls.Correlate).toBe(expected.correlateCalls);
    expect(run.path.slice(-2)).toEqual(expected.status === 'FAILED' ? ['Correlate', 'CorrelationFailed'] : ['RaiseAlerts', 'Done']);
    expect(detectionsOf(run)).toEqual(expected.alerts);
  });
});
