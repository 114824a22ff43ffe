import { fileURLToPath } from 'node:url';
import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { alarmAtLeast, deadLetterAlarm, zoomlakeMetric } from './alarms.ts';
import { grantAthenaQueries } from './athena-access.ts';
import { DETECTION_BUNDLE_FILE, bundleSha256, detectionBundle } from '#core/detect/bundle.ts';
import type { ScheduledDetection } from '#core/detect/detection.ts';
import type { DetectionRegistry } from '#core/detect/registry.ts';
import { METRICS } from '#core/metrics.ts';
import { getTable, tablePrefix, withRawTables } from '#core/schema/registry.ts';
import type { detectionRunnerEnv } from '#runtime/env/detection-runner.ts';
import type { FunctionEnv } from '#runtime/env/function-env.ts';
import { ZoomlakeFunction } from './zoomlake-function.ts';
import { schedulerInvocation } from './scheduler-target.ts';

const HANDLER_ENTRY = fileURLToPath(new URL('../../lambdas/handlers/detection-runner.handler.ts', import.meta.url));

/** Properties of {@link DetectionRunner}. */
export interface DetectionRunnerProps {
  /** The detection registry (config overrides applied): its scheduled detections get a schedule each, and it ships inside the function as `detections.json`. */
  readonly registry: DetectionRegistry;
  /** Customer-managed key of the lake and the query results, also encrypting the queue and the log group. */
  readonly encryptionKey: IKey;
  /** The lake bucket: the runner reads `zoom/` through Athena and writes `zoom/alerts/`. */
  readonly lakeBucket: IBucket;
  /** The Athena query results bucket. */
  readonly resultsBucket: IBucket;
  /**
   * Key prefix of query results in the results bucket (the workgroup's enforced output location).
   * @default 'results/'
   */
  readonly resultsPrefix?: string;
  /** The Athena workgroup the detections run in. */
  readonly workGroupName: string;
  /** The Glue database holding the lake's tables and views. */
  readonly databaseName: string;
  /** Config views (Glue views in the same database) the detections may join. */
  readonly configViewNames: readonly string[];
  /** The bus every alert is published to. */
  readonly alertBus: events.IEventBus;
  /** The state table holding the alert suppression items (dedup key and window) the runner checks before publishing. */
  readonly stateTable: ITableV2;
  /**
   * How long one run may last (the Athena timeout is two minutes less).
   * @default Duration.minutes(15)
   */
  readonly timeout?: Duration;
  /**
   * How long the runner's logs are kept.
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;
}

/** LambdaInvoke granting the scheduler the function itself only, not every version and alias (`<arn>:*`). */
class InvokeFunction extends targets.LambdaInvoke {
  constructor(
    private readonly fn: lambda.IFunction,
    props: targets.ScheduleTargetBaseProps,
  ) {
    super(fn, props);
  }

  protected override addTargetActionToRole(role: iam.IRole): void {
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [this.fn.functionArn] }));
  }
}

/**
 * Runs the scheduled detections: one EventBridge Scheduler schedule per detection invokes the runner with
 * `{"detections":[id]}`, retried twice within an hour and then dead-lettered. The runner queries Athena in the
 * workgroup, suppresses repeats through alert suppression items in the state table, writes alerts to the `alerts`
 * table and publishes them to the alert bus. Alarms: function errors, dead-lettered runs, and per detection a failed run
 * (metric DetectionFailed).
 */
export class DetectionRunner extends Construct {
  /** The runner function. */
  readonly runner: ZoomlakeFunction;
  /** The detections file shipped with the function, and its SHA-256 (set as DETECTIONS_SHA256). */
  readonly bundle: { readonly text: string; readonly sha256: string };
  /** The role EventBridge Scheduler invokes the runner with. */
  readonly schedulerRole: iam.Role;
  /** Schedules by detection id. */
  readonly schedules: ReadonlyMap<string, scheduler.Schedule>;
  /** Invocations that failed every retry or outlived the maximum event age. */
  readonly deadLetterQueue: sqs.Queue;
  /** In alarm when any runner invocation failed. */
  readonly errorsAlarm: cloudwatch.Alarm;
  /** In alarm while the dead-letter queue holds any message. */
  readonly deadLetterAlarm: cloudwatch.Alarm;
  /** Per detection, in alarm when a run of it failed. */
  readonly failedAlarms: ReadonlyMap<string, cloudwatch.Alarm>;

  constructor(scope: Construct, id: string, props: DetectionRunnerProps) {
    super(scope, id);
    const { encryptionKey: key, lakeBucket: lake, resultsBucket: results, stateTable: table, registry } = props;
    const detections = registry.scheduled();
    const { region, account } = Stack.of(this);
    const timeout = props.timeout ?? Duration.minutes(15);
    const resultsPrefix = props.resultsPrefix ?? 'results/';
    if (timeout.toSeconds() < 180) throw new Error(`timeout must be at least 3 minutes (Athena needs time), got ${timeout.toHumanString()}`);
    if (!/^([A-Za-z0-9_.-]+\/)+$/.test(resultsPrefix)) throw new Error(`resultsPrefix must be a key prefix ending in "/", got "${resultsPrefix}"`);

    const text = detectionBundle(registry);
    this.bundle = { text, sha256: bundleSha256(text) };
    this.runner = new ZoomlakeFunction(this, 'Runner', {
      entry: HANDLER_ENTRY,
      description: 'zoomlake: runs scheduled detections on Athena, writes their alerts to the lake and the alert bus',
      encryptionKey: key,
      timeout,
      memorySize: 1024,
      logRetention: props.logRetention,
      extraFiles: { [DETECTION_BUNDLE_FILE]: text },
      environment: {
        ATHENA_WORKGROUP: props.workGroupName,
        GLUE_DATABASE: props.databaseName,
        LAKE_BUCKET_NAME: lake.bucketName,
        ALERT_BUS_NAME: props.alertBus.eventBusName,
        STATE_TABLE_NAME: table.tableName,
        DETECTIONS_SHA256: this.bundle.sha256,
        ATHENA_TIMEOUT_SECONDS: String(timeout.toSeconds() - 120),
      } satisfies FunctionEnv<typeof detectionRunnerEnv>,
    });

    const role = this.runner.role;
    grantAthenaQueries(role, {
      workGroupName: props.workGroupName,
      databaseName: props.databaseName,
      glueTables: readTables(detections, props.configViewNames),
      lakeBucket: lake,
      resultsBucket: results,
      resultsPrefix,
      encryptionKey: key,
    });
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: [lake.arnForObjects(`${tablePrefix(getTable('alerts'))}/*`)] }),
    );
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['events:PutEvents'], resources: [props.alertBus.eventBusArn] }));
    // What DynamoStateStore sends: get, put (and add's reset of an expired counter), add, query, delete.
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:Query'],
        resources: [table.tableArn],
      }),
    );
    if (table.encryptionKey) {
      role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'],
          resources: [table.encryptionKey.keyArn],
          conditions: { StringEquals: { 'kms:ViaService': `dynamodb.${region}.amazonaws.com` } },
        }),
      );
    }

    ({ deadLetterQueue: this.deadLetterQueue, schedulerRole: this.schedulerRole } = schedulerInvocation(
      this,
      key,
      account,
      region,
      'the detection runner',
    ));

    const schedules = new Map<string, scheduler.Schedule>();
    const failed = new Map<string, cloudwatch.Alarm>();
    for (const d of detections) {
      schedules.set(
        d.id,
        new scheduler.Schedule(this, `Schedule-${d.id}`, {
          description: `zoomlake: runs detection ${d.id}`,
          schedule: scheduler.ScheduleExpression.expression(d.schedule),
          target: new InvokeFunction(this.runner.function, {
            role: this.schedulerRole,
            input: scheduler.ScheduleTargetInput.fromObject({ detections: [d.id] }),
            retryAttempts: 2,
            maxEventAge: Duration.hours(1),
            deadLetterQueue: this.deadLetterQueue,
          }),
        }),
      );
      failed.set(
        d.id,
        alarmAtLeast(
          this,
          `Failed-${d.id}`,
          `zoomlake: detection ${d.id} failed to run or deliver its alerts; the schedule retries it, see the runner logs`,
          zoomlakeMetric(METRICS.DetectionFailed, { Detection: d.id }, { statistic: 'Sum', period: Duration.minutes(5) }),
        ),
      );
    }
    this.schedules = schedules;
    this.failedAlarms = failed;

    this.errorsAlarm = alarmAtLeast(
      this,
      'ErrorsAlarm',
      'zoomlake: a detection run failed; the schedule retries it, see the detection runner logs',
      this.runner.function.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }),
    );
    this.deadLetterAlarm = deadLetterAlarm(
      this,
      this.deadLetterQueue,
      'zoomlake: detection runs failed every retry; inspect the dead-letter queue and the detection runner logs',
    );
  }
}

/** The Glue tables a run reads: each view a detection names with the physical `<name>_raw` table behind it, and the config views. */
export function readTables(detections: readonly ScheduledDetection[], configViewNames: readonly string[]): string[] {
  return withRawTables([...configViewNames, ...detections.flatMap((d) => d.tables)]);
}
