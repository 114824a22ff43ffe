/**
 * What the CDK app deploys, read from the synthesized templates (asset bundling skipped): each function's memory and
 * architecture, its event source mapping, the schedules and their runs a month, log retention, alarms and the metrics
 * they watch, the web ACL's rules, secrets, keys, queues, and the correlation state machine's path for a correlated
 * meeting. The cost model multiplies measured use by these, not by figures of its own.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import type { CfnLogGroup } from 'aws-cdk-lib/aws-logs';
import type { CfnBucket } from 'aws-cdk-lib/aws-s3';
import type { CfnSchedule } from 'aws-cdk-lib/aws-scheduler';
import type { ZoomlakeConfig } from '#config/schema.ts';
import { ZOOM_DAILY_LIMITS, type ZoomPlan } from '#core/zoom/rate-limit.ts';
import { nextFire } from '#local/pipeline/schedule.ts';
import { buildApp, type ZoomlakeApp } from '../../lib/app.ts';
import type { ZoomlakeFunction } from '../../lib/constructs/zoomlake-function.ts';
import { REGION } from './prices.ts';

/** The average month (365.25 / 12 days). */
export const MONTH_DAYS = 365.25 / 12;

/** One deployed function, as configured. */
export interface DeployedFunction {
  readonly memoryMb: number;
  readonly architecture: 'arm64' | 'x86_64';
  /** Days its log group keeps logs. */
  readonly logRetentionDays: number;
  /** The SQS event source mapping feeding it, when a queue does. */
  readonly queue?: { readonly batchSize: number; readonly batchingWindowSeconds: number; readonly maxConcurrency: number | undefined };
}

/** The functions the model prices, by role. */
export type FunctionRole =
  | 'webhook'
  | 'lakeWriter'
  | 'realtime'
  | 'poller'
  | 'runner'
  | 'starter'
  | 'correlationFetch'
  | 'correlationExposure'
  | 'correlationCorrelate'
  | 'correlationAlerts';

/** The deployment facts the model reads. */
export interface Deployment {
  readonly functions: Readonly<Record<FunctionRole, DeployedFunction>>;
  /** Runs a month per enabled poll source (EventBridge Scheduler), by source. */
  readonly pollRunsPerMonth: Readonly<Record<string, number>>;
  /** Hourly (or other) poll interval of each source, in ms: how often a windowed source re-reads today. */
  readonly pollIntervalMs: Readonly<Record<string, number>>;
  /** Runs a month per scheduled detection, by id. */
  readonly detectionRunsPerMonth: Readonly<Record<string, number>>;
  readonly api: 'REST' | 'HTTP';
  readonly wafWebAcls: number;
  readonly wafRules: number;
  readonly secrets: number;
  readonly kmsKeys: number;
  readonly queues: number;
  /** Resources encrypted with the customer-managed key (queues, log groups, table, topic, buckets, secrets, buses). */
  readonly kmsUsers: number;
  readonly alarms: number;
  /** Alarm metrics billed: an alarm on metric math counts each metric, an anomaly-detection alarm three. */
  readonly alarmMetrics: number;
  /** Log groups and their retention (days), the state machine's and the API's access logs included. */
  readonly logGroups: readonly { readonly name: string; readonly retentionDays: number }[];
  readonly lakeLifecycle: { readonly infrequentAccessAfterDays: number; readonly glacierAfterDays: number; readonly expireAfterDays?: number };
  readonly accessLogRetentionDays: number;
  readonly athenaResultsRetentionDays: number;
  /** States entered by one correlated meeting on its usual path (report ready at the first read, no retries). */
  readonly correlationTransitions: number;
  /** Those states, in order. */
  readonly correlationPath: readonly string[];
  readonly stateMachineType: string;
  readonly stateMachineLogLevel: string;
  readonly tableBilling: string;
  readonly pointInTimeRecovery: boolean;
  /** Heavy and Resource-intensive Zoom calls a day zoomlake's budget share allows on the configured plan. */
  readonly zoomHeavyAllowedPerDay: number;
  /** The same share of a Pro account's limit (30,000 a day), the smallest paid plan's. */
  readonly zoomHeavyAllowedOnPro: number;
  /** The daily lake compaction, when deployed (`compaction.enabled`). */
  readonly compaction?: DeployedCompaction;
  /** Days a deleted or overwritten lake object is kept as a noncurrent version (the bucket's undo window). */
  readonly noncurrentVersionDays: number;
}

/** The lake compaction as deployed: its function, schedule and settings (from the function's environment). */
export interface DeployedCompaction {
  readonly fn: DeployedFunction;
  readonly runsPerMonth: number;
  readonly lookbackDays: number;
  readonly maxRowsPerFile: number;
  /** Hours after 00:00 UTC of the day's first run: until then yesterday is read as written. */
  readonly firstRunHour: number;
}

type Resources = Record<string, { Type: string; Properties?: Record<string, unknown> }>;

const cfn = <T>(c: { node: { defaultChild?: unknown } }): T => c.node.defaultChild as T;

function deployedFunction(z: ZoomlakeFunction, mappings: Resources, logicalId: string): DeployedFunction {
  const fn = cfn<CfnFunction>(z.function);
  const retention = cfn<CfnLogGroup>(z.logGroup).retentionInDays ?? 0;
  const mapping = Object.values(mappings).find((r) => JSON.stringify(r.Properties?.FunctionName ?? '').includes(logicalId));
  const p = mapping?.Properties as
    | { BatchSize?: number; MaximumBatchingWindowInSeconds?: number; ScalingConfig?: { MaximumConcurrency?: number } }
    | undefined;
  return {
    memoryMb: Number(fn.memorySize ?? 128),
    architecture: (fn.architectures as string[] | undefined)?.[0] === 'arm64' ? 'arm64' : 'x86_64',
    logRetentionDays: Number(retention),
    ...(p
      ? {
          queue: {
            batchSize: p.BatchSize ?? 10,
            batchingWindowSeconds: p.MaximumBatchingWindowInSeconds ?? 0,
            maxConcurrency: p.ScalingConfig?.MaximumConcurrency,
          },
        }
      : {}),
  };
}

/** How often an EventBridge schedule expression fires in an average month (counted over 28 days, scaled). */
export function runsPerMonth(expression: string): number {
  const start = Date.UTC(2026, 0, 5);
  const end = start + 28 * 86_400_000;
  let n = 0;
  for (let t = nextFire({ expression }, start - 1); t < end; t = nextFire({ expression }, t)) n++;
  return (n * MONTH_DAYS) / 28;
}

/** Hours after 00:00 UTC an expression first fires in a day (a `rate` fires at no fixed hour: half a day). */
function firstRunHour(expression: string): number {
  if (expression.startsWith('rate(')) return 12;
  const midnight = Date.UTC(2026, 0, 5);
  return Math.min(24, (nextFire({ expression }, midnight - 1) - midnight) / 3_600_000);
}

interface SfnState {
  readonly Type: string;
  readonly Next?: string;
  readonly End?: boolean;
  readonly Default?: string;
  readonly Choices?: readonly {
    readonly Next: string;
    readonly Or?: readonly { Variable: string; StringEquals: string }[];
    readonly Variable?: string;
    readonly StringEquals?: string;
  }[];
}

/** The states one execution enters on its usual path: tasks succeed, a Choice on `$.settings.plan` takes `plan`'s branch. */
export function usualPath(definition: { StartAt: string; States: Record<string, SfnState> }, plan: string): string[] {
  const path: string[] = [];
  let name: string | undefined = definition.StartAt;
  while (name !== undefined && path.length < 200) {
    const state: SfnState | undefined = definition.States[name];
    if (!state) throw new Error(`the definition has no state ${name}`);
    path.push(name);
    if (state.Type === 'Succeed' || state.Type === 'Fail' || state.End) break;
    if (state.Type === 'Choice') {
      const matches = (c: { Variable?: string; StringEquals?: string }) => c.Variable === '$.settings.plan' && c.StringEquals === plan;
      name = state.Choices?.find((c) => (c.Or ?? [c]).some(matches))?.Next ?? state.Default;
    } else name = state.Next;
  }
  return path;
}

/** The state machine's DefinitionString with every CloudFormation token replaced by a placeholder string. */
function definitionOf(resources: Resources): { StartAt: string; States: Record<string, SfnState> } {
  const machine = Object.values(resources).find((r) => r.Type === 'AWS::StepFunctions::StateMachine');
  const body = machine?.Properties?.DefinitionString;
  if (body === undefined) throw new Error('the detections stack has no state machine');
  const text =
    typeof body === 'string'
      ? body
      : (body as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1].map((p) => (typeof p === 'string' ? p : 'token')).join('');
  return JSON.parse(text) as { StartAt: string; States: Record<string, SfnState> };
}

/** Alarm metrics an alarm is billed for (CloudWatch: per metric; anomaly detection: 3 per metric). */
function alarmMetricsOf(alarm: Record<string, unknown>): number {
  const metrics = (alarm.Metrics as { MetricStat?: unknown; Expression?: string }[] | undefined) ?? [];
  const stats = metrics.filter((m) => m.MetricStat !== undefined).length;
  if (metrics.some((m) => typeof m.Expression === 'string' && m.Expression.startsWith('ANOMALY_DETECTION_BAND'))) return 3 * Math.max(1, stats);
  return Math.max(1, stats);
}

/** Synthesizes the app for `config` and reads the deployment facts. */
/** zoomlake's share of a plan's daily Heavy (and Resource-intensive) limit. */
const heavyShare = (plan: ZoomPlan, share: number): number =>
  Math.floor((ZOOM_DAILY_LIMITS[plan].find((l) => l.categories.includes('Heavy'))?.limit ?? 0) * share);

export function readDeployment(config: ZoomlakeConfig): Deployment {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const built: ZoomlakeApp = buildApp(config, app, { account: '123456789012', region: REGION });
  const stacks = [built.storage, built.pipeline, built.detections];
  const resources: Resources = Object.assign({}, ...stacks.map((s) => Template.fromStack(s).toJSON().Resources as Resources));
  const ofType = (type: string) => Object.fromEntries(Object.entries(resources).filter(([, r]) => r.Type === type));
  const mappings = ofType('AWS::Lambda::EventSourceMapping');
  const fnOf = (z: ZoomlakeFunction) => deployedFunction(z, mappings, Stack.of(z).getLogicalId(cfn<CfnFunction>(z.function)));
  const correlation = built.detections.correlation;
  if (!correlation) throw new Error('the cost model prices the correlation: build it with correlation enabled on a paid plan');
  const functions: Record<FunctionRole, DeployedFunction> = {
    webhook: fnOf(built.pipeline.webhook.handler),
    lakeWriter: fnOf(built.pipeline.lakeWriter.writer),
    realtime: fnOf(built.detections.realtime.checks),
    poller: fnOf(built.pipeline.poller.poller),
    runner: fnOf(built.detections.runner.runner),
    starter: fnOf(correlation.starter),
    correlationFetch: fnOf(correlation.functions.fetch),
    correlationExposure: fnOf(correlation.functions.exposure),
    correlationCorrelate: fnOf(correlation.functions.correlate),
    correlationAlerts: fnOf(correlation.functions.alerts),
  };
  const expressionOf = (s: { node: { defaultChild?: unknown } }) => String(cfn<CfnSchedule>(s).scheduleExpression);
  const pollRunsPerMonth: Record<string, number> = {};
  const pollIntervalMs: Record<string, number> = {};
  for (const [source, schedule] of Object.entries(built.pipeline.poller.schedules)) {
    const expression = expressionOf(schedule);
    pollRunsPerMonth[source] = runsPerMonth(expression);
    pollIntervalMs[source] = (MONTH_DAYS * 86_400_000) / pollRunsPerMonth[source]!;
  }
  const compactor = built.pipeline.compaction;
  const compactionEnv = compactor
    ? ((
        resources[Stack.of(compactor).getLogicalId(cfn<CfnFunction>(compactor.compactor.function))]?.Properties?.Environment as
          | { Variables?: Record<string, string> }
          | undefined
      )?.Variables ?? {})
    : {};
  for (const name of ['LOOKBACK_DAYS', 'MAX_ROWS_PER_FILE']) {
    if (compactor && !/^\d+$/.test(compactionEnv[name] ?? '')) throw new Error(`the compaction function's ${name} is not in the template`);
  }
  const compaction: DeployedCompaction | undefined = compactor && {
    fn: fnOf(compactor.compactor),
    runsPerMonth: runsPerMonth(expressionOf(compactor.schedule)),
    lookbackDays: Number(compactionEnv.LOOKBACK_DAYS),
    maxRowsPerFile: Number(compactionEnv.MAX_ROWS_PER_FILE),
    firstRunHour: firstRunHour(expressionOf(compactor.schedule)),
  };
  const detectionRunsPerMonth: Record<string, number> = {};
  for (const [id, schedule] of built.detections.runner.schedules) detectionRunsPerMonth[id] = runsPerMonth(expressionOf(schedule));

  const webAcls = Object.values(ofType('AWS::WAFv2::WebACL'));
  const logGroups = Object.entries(ofType('AWS::Logs::LogGroup')).map(([name, r]) => ({
    name,
    retentionDays: Number(r.Properties?.RetentionInDays ?? 0),
  }));
  const alarms = Object.values(ofType('AWS::CloudWatch::Alarm'));
  const encrypted = Object.values(resources).filter((r) => {
    const p = JSON.stringify(r.Properties ?? {});
    return (
      r.Type !== 'AWS::IAM::Policy' &&
      r.Type !== 'AWS::KMS::Key' &&
      /KmsMasterKeyId|KmsKeyId|KMSMasterKeyID|SSEKMSEncryption|KmsKeyIdentifier|"KMSMasterKeyID"/.test(p)
    );
  });
  const lakeId = built.storage.getLogicalId(cfn<CfnBucket>(built.storage.storage.lakeBucket));
  const lifecycle = resources[lakeId]?.Properties?.LifecycleConfiguration as
    | {
        Rules?: {
          Transitions?: { StorageClass: string; TransitionInDays: number }[];
          ExpirationInDays?: number;
          NoncurrentVersionExpiration?: { NoncurrentDays?: number };
        }[];
      }
    | undefined;
  const rules = lifecycle?.Rules?.[0];
  const transition = (cls: string) => rules?.Transitions?.find((t) => t.StorageClass === cls)?.TransitionInDays ?? Number.POSITIVE_INFINITY;
  const definition = definitionOf(ofType('AWS::StepFunctions::StateMachine'));
  const path = usualPath(definition, config.planTier);
  const machine = Object.values(ofType('AWS::StepFunctions::StateMachine'))[0]!.Properties as {
    StateMachineType?: string;
    LoggingConfiguration?: { Level?: string };
  };
  const table = Object.values(ofType('AWS::DynamoDB::GlobalTable'))[0]?.Properties as
    | { BillingMode?: string; Replicas?: { PointInTimeRecoverySpecification?: { PointInTimeRecoveryEnabled?: boolean } }[] }
    | undefined;
  return {
    functions,
    pollRunsPerMonth,
    pollIntervalMs,
    detectionRunsPerMonth,
    api: Object.keys(ofType('AWS::ApiGateway::RestApi')).length > 0 ? 'REST' : 'HTTP',
    wafWebAcls: webAcls.length,
    wafRules: webAcls.reduce((n, acl) => n + ((acl.Properties?.Rules as unknown[] | undefined)?.length ?? 0), 0),
    secrets: Object.keys(ofType('AWS::SecretsManager::Secret')).length,
    kmsKeys: Object.keys(ofType('AWS::KMS::Key')).length,
    queues: Object.keys(ofType('AWS::SQS::Queue')).length,
    kmsUsers: encrypted.length,
    alarms: alarms.length,
    alarmMetrics: alarms.reduce((n, a) => n + alarmMetricsOf(a.Properties ?? {}), 0),
    logGroups,
    lakeLifecycle: {
      infrequentAccessAfterDays: transition('STANDARD_IA'),
      glacierAfterDays: transition('GLACIER_IR'),
      ...(rules?.ExpirationInDays !== undefined ? { expireAfterDays: rules.ExpirationInDays } : {}),
    },
    accessLogRetentionDays: config.retention.accessLogDays,
    athenaResultsRetentionDays: config.retention.athenaResultsDays,
    correlationTransitions: path.length,
    correlationPath: path,
    stateMachineType: machine.StateMachineType ?? 'STANDARD',
    stateMachineLogLevel: machine.LoggingConfiguration?.Level ?? 'OFF',
    tableBilling: table?.BillingMode ?? 'unknown',
    pointInTimeRecovery: table?.Replicas?.[0]?.PointInTimeRecoverySpecification?.PointInTimeRecoveryEnabled === true,
    ...(compaction ? { compaction } : {}),
    noncurrentVersionDays: Math.max(0, ...(lifecycle?.Rules ?? []).map((r) => r.NoncurrentVersionExpiration?.NoncurrentDays ?? 0)),
    zoomHeavyAllowedPerDay: heavyShare(config.planTier, config.apiBudgetShare),
    zoomHeavyAllowedOnPro: heavyShare('pro', config.apiBudgetShare),
  };
}
