import { fileURLToPath } from 'node:url';
import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { alarmAtLeast, deadLetterAlarm } from './alarms.ts';
import { ruleFedQueue } from './event-queue.ts';
import { eventsOf } from './event-source-guard.ts';
import { DETECTION_BUNDLE_FILE, bundleSha256, detectionBundle } from '#core/detect/bundle.ts';
import type { DetectionRegistry } from '#core/detect/registry.ts';
import type { RealtimeSettings } from '#core/realtime/config.ts';
import { getTable, tablePrefix } from '#core/schema/registry.ts';
import { WEBHOOK_BODY_PREFIX, WEBHOOK_EVENT_SOURCE } from '#core/webhook/receive.ts';
import { REALTIME_EVENTS } from '#core/webhook/routes.ts';
import type { FunctionEnv } from '#runtime/env/function-env.ts';
import type { realtimeChecksEnv } from '#runtime/env/realtime-checks.ts';
import { ZoomlakeFunction } from './zoomlake-function.ts';

const HANDLER_ENTRY = fileURLToPath(new URL('../../lambdas/handlers/realtime-checks.handler.ts', import.meta.url));

/** Properties of {@link RealtimeChecks}. */
export interface RealtimeChecksProps {
  /** The internal bus the webhook function publishes verified Zoom events to. */
  readonly eventBus: events.IEventBus;
  /** The state table: user directory, live meeting state, idempotency and alert suppression items. */
  readonly stateTable: ITableV2;
  /** The lake bucket: bodies by reference are read from `webhook-bodies/`, alerts written under `zoom/alerts/`. */
  readonly lakeBucket: IBucket;
  /** The alert bus alerts are published to. */
  readonly alertBus: events.IEventBus;
  /** Customer-managed key of the lake and state table, also encrypting the queues and the log group. */
  readonly encryptionKey: IKey;
  /** Config values the checks read. */
  readonly settings: RealtimeSettings;
  /** The detection registry (config overrides applied): the checks take their alerts' metadata and thresholds from it; it ships inside the function as `detections.json`. */
  readonly registry: DetectionRegistry;
  /**
   * Messages handed to one invocation; small, since every message is a live event someone may be waiting on.
   * @default 10
   */
  readonly batchSize?: number;
  /**
   * Most concurrent invocations.
   * @default 10
   */
  readonly maxConcurrency?: number;
  /**
   * How long one invocation may run.
   * @default Duration.seconds(30)
   */
  readonly timeout?: Duration;
  /**
   * Age of the oldest queued message that raises the backlog alarm.
   * @default Duration.minutes(5)
   */
  readonly backlogAlarmAge?: Duration;
  /**
   * How long the function's logs are kept.
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;
}

/**
 * The realtime checks on the webhook stream: a rule on the Zoom bus for the participant, meeting start, recording
 * deletion, user and account-settings events feeds an encrypted queue, drained without batching delay by the realtime
 * function, which keeps its state in the state table and hands alerts to delivery (suppression, `alerts` table, alert
 * bus). Whatever cannot be delivered or processed ends in a dead-letter queue that raises an alarm.
 */
export class RealtimeChecks extends Construct {
  /** The rule routing the relevant webhook events to the queue. */
  readonly rule: events.Rule;
  /** The queue the function drains. */
  readonly queue: sqs.Queue;
  /** Events the rule could not deliver and messages the function failed five times. */
  readonly deadLetterQueue: sqs.Queue;
  /** The realtime function. */
  readonly checks: ZoomlakeFunction;
  /** In alarm while the dead-letter queue holds any message. */
  readonly deadLetterAlarm: cloudwatch.Alarm;
  /** In alarm while the oldest queued message is older than `backlogAlarmAge`. */
  readonly backlogAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: RealtimeChecksProps) {
    super(scope, id);
    const { encryptionKey: key, lakeBucket: lake, stateTable: table } = props;
    const region = Stack.of(this).region;
    const timeout = props.timeout ?? Duration.seconds(30);

    ({
      queue: this.queue,
      deadLetterQueue: this.deadLetterQueue,
      rule: this.rule,
    } = ruleFedQueue(this, {
      key,
      eventBus: props.eventBus,
      description: 'zoomlake: Zoom webhook events the realtime checks read, to their queue',
      eventPattern: eventsOf(this, WEBHOOK_EVENT_SOURCE, REALTIME_EVENTS),
      visibilityTimeout: Duration.seconds(6 * timeout.toSeconds()),
    }));

    const bundle = detectionBundle(props.registry);
    this.checks = new ZoomlakeFunction(this, 'Checks', {
      entry: HANDLER_ENTRY,
      description: 'zoomlake: realtime checks on Zoom webhook events, alerts to the alert bus',
      encryptionKey: key,
      timeout,
      memorySize: 512,
      logRetention: props.logRetention,
      extraFiles: { [DETECTION_BUNDLE_FILE]: bundle },
      environment: {
        STATE_TABLE_NAME: table.tableName,
        LAKE_BUCKET_NAME: lake.bucketName,
        ALERT_BUS_NAME: props.alertBus.eventBusName,
        REALTIME_SETTINGS: JSON.stringify(realtimeSettingsOf(props.settings)),
        DETECTIONS_SHA256: bundleSha256(bundle),
      } satisfies FunctionEnv<typeof realtimeChecksEnv>,
    });
    this.checks.function.addEventSource(
      new SqsEventSource(this.queue, {
        batchSize: props.batchSize ?? 10,
        maxBatchingWindow: Duration.seconds(0),
        reportBatchItemFailures: true,
        maxConcurrency: props.maxConcurrency ?? 10,
      }),
    );

    const role = this.checks.role;
    const viaService = (service: string) => ({ StringEquals: { 'kms:ViaService': `${service}.${region}.amazonaws.com` } });
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:Query'],
        resources: [table.tableArn],
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'],
        resources: [key.keyArn],
        conditions: viaService('dynamodb'),
      }),
    );
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [lake.arnForObjects(`${WEBHOOK_BODY_PREFIX}/*`)] }));
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: [lake.arnForObjects(`${tablePrefix(getTable('alerts'))}/*`)] }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['kms:Decrypt', 'kms:GenerateDataKey'], resources: [key.keyArn], conditions: viaService('s3') }),
    );
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['events:PutEvents'], resources: [props.alertBus.eventBusArn] }));

    this.deadLetterAlarm = deadLetterAlarm(
      this,
      this.deadLetterQueue,
      'zoomlake: Zoom webhook events failed the realtime checks; inspect and redrive the dead-letter queue',
    );
    this.backlogAlarm = alarmAtLeast(
      this,
      'BacklogAlarm',
      'zoomlake: the realtime checks are falling behind the Zoom webhook queue',
      this.queue.metricApproximateAgeOfOldestMessage({ period: Duration.minutes(1), statistic: 'Maximum' }),
      (props.backlogAlarmAge ?? Duration.minutes(5)).toSeconds(),
    );
  }
}

/** Only the keys the realtime function reads, so unrelated config changes do not redeploy it. */
function realtimeSettingsOf(s: RealtimeSettings): RealtimeSettings {
  return {
    internalDomains: s.internalDomains,
    sensitiveMeetingPatterns: s.sensitiveMeetingPatterns,
    watchedUsers: s.watchedUsers,
    trustedExternals: s.trustedExternals ?? [],
    minClientVersion: s.minClientVersion,
    supportNames: s.supportNames,
    meetingStateHours: s.meetingStateHours,
    idempotencyHours: s.idempotencyHours,
  };
}
