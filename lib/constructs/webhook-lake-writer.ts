import { fileURLToPath } from 'node:url';
import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { alarmAtLeast, deadLetterAlarm } from './alarms.ts';
import { DEFAULT_WEBHOOK_WRITE_LIMITS, WEBHOOK_WRITER_MEMORY_MB } from '#core/webhook/lake-writer.ts';
import { ruleFedQueue } from './event-queue.ts';
import { eventsOf } from './event-source-guard.ts';
import { LAKE_ROOT } from '#core/schema/registry.ts';
import { WEBHOOK_BODY_PREFIX, WEBHOOK_EVENT_SOURCE } from '#core/webhook/receive.ts';
import type { FunctionEnv } from '#runtime/env/function-env.ts';
import type { webhookLakeWriterEnv } from '#runtime/env/webhook-lake-writer.ts';
import { ZoomlakeFunction } from './zoomlake-function.ts';

const HANDLER_ENTRY = fileURLToPath(new URL('../../lambdas/handlers/webhook-lake-writer.handler.ts', import.meta.url));

/** Properties of {@link WebhookLakeWriter}. */
export interface WebhookLakeWriterProps {
  /** The internal bus the webhook function publishes verified Zoom events to. */
  readonly eventBus: events.IEventBus;
  /** The lake bucket: Parquet goes under `zoom/`, large bodies are read from `webhook-bodies/`. */
  readonly lakeBucket: IBucket;
  /** Customer-managed key of the lake, also encrypting the queues and the log group. */
  readonly encryptionKey: IKey;
  /**
   * Most messages handed to one invocation (Lambda also cuts a batch at 6 MB).
   * @default 1000
   */
  readonly batchSize?: number;
  /**
   * How long Lambda gathers messages before invoking with a partial batch. Each invocation writes one file per table
   * and day it holds, and Athena pays a GET request for every file a query reads, so the longest window Lambda allows
   * keeps the lake's files few (docs/cost.md: at 100,000 events a day a 60 s window made Athena's GET requests the
   * largest line of the bill); events reach the lake within about five minutes.
   * @default Duration.minutes(5)
   */
  readonly maxBatchingWindow?: Duration;
  /**
   * Most concurrent writer invocations.
   * @default 2
   */
  readonly maxConcurrency?: number;
  /**
   * How long one writer invocation may run; at least twice the time the writer keeps in hand
   * (DEFAULT_WEBHOOK_WRITE_LIMITS.reserveMs), or no batch would ever start. Five minutes: a full batch of large
   * bodies stored by reference took about two minutes in `npm run bench` on a 2-core machine, and Lambda at 1 GB has
   * less CPU; what a run has no time for goes back to the queue unread.
   * @default Duration.minutes(5)
   */
  readonly timeout?: Duration;
  /**
   * Age of the oldest queued message that raises the backlog alarm.
   * @default Duration.minutes(30)
   */
  readonly backlogAlarmAge?: Duration;
  /**
   * How long the writer's logs are kept.
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;
}

/**
 * Lands every verified webhook event in the lake: a rule on the Zoom bus (`source: zoomlake.webhook`) feeds an
 * encrypted SQS queue, drained in large batches by the writer function, which writes Parquet under `zoom/`.
 * Whatever cannot be delivered or written ends in a dead-letter queue that raises an alarm.
 */
export class WebhookLakeWriter extends Construct {
  /** The rule routing webhook events to the queue. */
  readonly rule: events.Rule;
  /** The queue the writer drains. */
  readonly queue: sqs.Queue;
  /** Events the rule could not deliver and messages the writer failed five times. */
  readonly deadLetterQueue: sqs.Queue;
  /** The writer function. */
  readonly writer: ZoomlakeFunction;
  /** In alarm while the dead-letter queue holds any message. */
  readonly deadLetterAlarm: cloudwatch.Alarm;
  /** In alarm while the oldest queued message is older than `backlogAlarmAge`. */
  readonly backlogAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: WebhookLakeWriterProps) {
    super(scope, id);
    const { encryptionKey: key, lakeBucket: lake } = props;
    const region = Stack.of(this).region;
    const timeout = props.timeout ?? Duration.minutes(5);
    const minTimeout = Duration.millis(2 * DEFAULT_WEBHOOK_WRITE_LIMITS.reserveMs);
    if (timeout.toMilliseconds() < minTimeout.toMilliseconds()) {
      throw new Error(
        `webhook lake writer timeout must be at least ${minTimeout.toHumanString()} (the writer stops starting work ` +
          `${Duration.millis(DEFAULT_WEBHOOK_WRITE_LIMITS.reserveMs).toHumanString()} before it), got ${timeout.toHumanString()}`,
      );
    }
    const maxBatchingWindow = props.maxBatchingWindow ?? Duration.minutes(5);

    ({
      queue: this.queue,
      deadLetterQueue: this.deadLetterQueue,
      rule: this.rule,
    } = ruleFedQueue(this, {
      key,
      eventBus: props.eventBus,
      description: 'zoomlake: every verified Zoom webhook event to the lake writer queue',
      eventPattern: eventsOf(this, WEBHOOK_EVENT_SOURCE),
      // The batching window is added: messages are in flight while Lambda gathers a batch.
      visibilityTimeout: Duration.seconds(6 * timeout.toSeconds() + maxBatchingWindow.toSeconds()),
    }));

    this.writer = new ZoomlakeFunction(this, 'Writer', {
      entry: HANDLER_ENTRY,
      description: 'zoomlake: writes verified Zoom webhook events from the queue to the lake as Parquet',
      encryptionKey: key,
      timeout,
      memorySize: WEBHOOK_WRITER_MEMORY_MB,
      logRetention: props.logRetention,
      environment: { LAKE_BUCKET_NAME: lake.bucketName } satisfies FunctionEnv<typeof webhookLakeWriterEnv>,
    });
    this.writer.function.addEventSource(
      new SqsEventSource(this.queue, {
        batchSize: props.batchSize ?? 1000,
        maxBatchingWindow,
        reportBatchItemFailures: true,
        // Each invocation writes one file per (table, day) it holds, so files per partition are about
        // (batching windows per day) x (concurrency): bounding concurrency bounds the small files Athena must open.
        maxConcurrency: props.maxConcurrency ?? 2,
      }),
    );
    const role = this.writer.role;
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: [lake.arnForObjects(`${LAKE_ROOT}/*`)] }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [lake.arnForObjects(`${WEBHOOK_BODY_PREFIX}/*`)] }));
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: [key.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `s3.${region}.amazonaws.com` } },
      }),
    );

    this.deadLetterAlarm = deadLetterAlarm(
      this,
      this.deadLetterQueue,
      'zoomlake: Zoom webhook events were not written to the lake; inspect and redrive the dead-letter queue',
    );
    this.backlogAlarm = alarmAtLeast(
      this,
      'BacklogAlarm',
      'zoomlake: the lake writer is falling behind the Zoom webhook queue',
      this.queue.metricApproximateAgeOfOldestMessage({ period: Duration.minutes(5), statistic: 'Maximum' }),
      (props.backlogAlarmAge ?? Duration.minutes(30)).toSeconds(),
    );
  }
}
