import { fileURLToPath } from 'node:url';
import { Duration, Stack } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { DEFAULT_COMPACTION_LIMITS } from '#core/lake/compaction.ts';
import { LAKE_ROOT } from '#core/schema/registry.ts';
import type { FunctionEnv } from '#runtime/env/function-env.ts';
import type { lakeCompactionEnv } from '#runtime/env/lake-compaction.ts';
import { alarmAtLeast, deadLetterAlarm } from './alarms.ts';
import { InvokeFunction } from './scheduled-poller.ts';
import { ZoomlakeFunction } from './zoomlake-function.ts';
import { schedulerInvocation } from './scheduler-target.ts';

const HANDLER_ENTRY = fileURLToPath(new URL('../../lambdas/handlers/lake-compaction.handler.ts', import.meta.url));

/** Properties of {@link LakeCompaction}. */
export interface LakeCompactionProps {
  /** The lake's customer-managed key, also encrypting the dead-letter queue and the log group. */
  readonly encryptionKey: IKey;
  /** The lake bucket; the function lists, reads, writes and deletes objects under `zoom/` only. */
  readonly lakeBucket: IBucket;
  /** An EventBridge Scheduler expression, `rate(...)` or `cron(...)` (UTC). */
  readonly schedule: string;
  /** Days before yesterday compacted again on each run, for late writes. */
  readonly lookbackDays: number;
  /**
   * Records per compacted file; a larger table-day is split into several files, which bounds the function's memory.
   * @default 250,000 (DEFAULT_COMPACTION_LIMITS)
   */
  readonly maxRowsPerFile?: number;
  /**
   * How long the function's logs are kept.
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;
}

/**
 * The daily lake compaction: an EventBridge Scheduler schedule invokes a function that rewrites each closed day of
 * every lake table (yesterday and `lookbackDays` before it) as one de-duplicated file and deletes the files it
 * replaced (lambdas/core/lake/compaction.ts); retried twice within an hour, then dead-lettered. One run at a time
 * (reserved concurrency 1): two at once are safe but would read and write the same days twice. Alarms: function
 * errors, dead-lettered runs.
 */
export class LakeCompaction extends Construct {
  /** The compaction function. */
  readonly compactor: ZoomlakeFunction;
  /** The daily schedule. */
  readonly schedule: scheduler.Schedule;
  /** The role EventBridge Scheduler invokes the function with. */
  readonly schedulerRole: iam.Role;
  /** Invocations that failed every retry or outlived the maximum event age. */
  readonly deadLetterQueue: sqs.Queue;
  /** In alarm when a run failed (some table-day was not compacted). */
  readonly errorsAlarm: cloudwatch.Alarm;
  /** In alarm while the dead-letter queue holds any message. */
  readonly deadLetterAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: LakeCompactionProps) {
    super(scope, id);
    const { encryptionKey: key, lakeBucket: lake } = props;
    const { region, account } = Stack.of(this);
    const viaService = (service: string) => ({ StringEquals: { 'kms:ViaService': `${service}.${region}.amazonaws.com` } });

    this.compactor = new ZoomlakeFunction(this, 'Compactor', {
      entry: HANDLER_ENTRY,
      description: 'zoomlake: compacts each closed day of every lake table into one de-duplicated file',
      encryptionKey: key,
      timeout: Duration.minutes(15),
      // A part of up to maxRowsPerFile decoded rows (webhook_events holds raw bodies) plus one day's record ids.
      memorySize: 2048,
      reservedConcurrentExecutions: 1,
      logRetention: props.logRetention,
      environment: {
        LAKE_BUCKET_NAME: lake.bucketName,
        LOOKBACK_DAYS: String(props.lookbackDays),
        MAX_ROWS_PER_FILE: String(props.maxRowsPerFile ?? DEFAULT_COMPACTION_LIMITS.maxRowsPerFile),
      } satisfies FunctionEnv<typeof lakeCompactionEnv>,
    });
    const role = this.compactor.role;
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['s3:ListBucket'],
        resources: [lake.bucketArn],
        conditions: { StringLike: { 's3:prefix': [`${LAKE_ROOT}/*`] } },
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'], resources: [lake.arnForObjects(`${LAKE_ROOT}/*`)] }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['kms:Decrypt', 'kms:GenerateDataKey'], resources: [key.keyArn], conditions: viaService('s3') }),
    );

    ({ deadLetterQueue: this.deadLetterQueue, schedulerRole: this.schedulerRole } = schedulerInvocation(
      this,
      key,
      account,
      region,
      'the lake compaction',
    ));
    this.schedule = new scheduler.Schedule(this, 'Schedule', {
      description: 'zoomlake: compacts the closed days of the lake',
      schedule: scheduler.ScheduleExpression.expression(props.schedule),
      target: new InvokeFunction(this.compactor.function, {
        role: this.schedulerRole,
        input: scheduler.ScheduleTargetInput.fromObject({}),
        retryAttempts: 2,
        maxEventAge: Duration.hours(1),
        deadLetterQueue: this.deadLetterQueue,
      }),
    });

    this.errorsAlarm = alarmAtLeast(
      this,
      'ErrorsAlarm',
      'zoomlake: a lake compaction run failed (some table-day was not compacted; nothing is lost, the views still de-duplicate); see the compaction logs',
      this.compactor.function.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }),
    );
    this.deadLetterAlarm = deadLetterAlarm(
      this,
      this.deadLetterQueue,
      'zoomlake: lake compaction runs failed every retry; inspect the dead-letter queue and the compaction logs',
    );
  }
}
