import { fileURLToPath } from 'node:url';
import { Annotations, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { alarmAtLeast, deadLetterAlarm, zoomlakeMetric } from './alarms.ts';
import { CONFIG_DEFAULTS } from '#config/schema.ts';
import { METRICS } from '#core/metrics.ts';
import type { MeetingActivityType } from '#core/poll/meeting-activities.ts';
import { planLacks } from '#core/poll/run.ts';
import { POLL_SOURCES } from '#core/poll/sources.ts';
import { LAKE_ROOT } from '#core/schema/registry.ts';
import type { FunctionEnv } from '#runtime/env/function-env.ts';
import type { scheduledPollerEnv } from '#runtime/env/scheduled-poller.ts';
import type { ZoomPlan } from '#core/zoom/rate-limit.ts';
import { ZoomlakeFunction } from './zoomlake-function.ts';
import { schedulerInvocation } from './scheduler-target.ts';

const HANDLER_ENTRY = fileURLToPath(new URL('../../lambdas/handlers/scheduled-poller.handler.ts', import.meta.url));

/** How one configured source is polled. */
export interface PolledSourceConfig {
  /** Whether the source gets a schedule. */
  readonly enabled: boolean;
  /** An EventBridge Scheduler expression, `rate(...)` or `cron(...)`. */
  readonly schedule: string;
  /**
   * chat_messages only: whether message text is collected.
   * @default false
   */
  readonly includeContent?: boolean;
  /**
   * meeting_activities only: the report's `activity_type`s to read.
   * @default the config's default (["Remote Control"])
   */
  readonly activityTypes?: readonly MeetingActivityType[];
}

/** The configured risk signals the poller ranks participant details by (the config keys of the same names). */
export interface PollerRiskSignals {
  /** Email domains of the organisation. */
  readonly internalDomains: readonly string[];
  /** Case-insensitive regular expressions matched against meeting topics. */
  readonly sensitiveMeetingPatterns: readonly string[];
  /** Emails of executives and other high-value users. */
  readonly watchedUsers: readonly string[];
}

/** Properties of {@link ScheduledPoller}. */
export interface ScheduledPollerProps {
  /** Customer-managed key of the lake and state table, also encrypting the secret, the queue and the log group. */
  readonly encryptionKey: IKey;
  /** The lake bucket; the poller writes Parquet under `zoom/` only. */
  readonly lakeBucket: IBucket;
  /** The state table holding each source's cursor and lease. */
  readonly stateTable: ITableV2;
  /**
   * Sources by name; enabled ones the poller knows get a schedule (chat_messages is opt-in: off in the default config),
   * except those the plan lacks (meeting_activities below Business), which are left out with an info annotation.
   */
  readonly sources: Readonly<Record<string, PolledSourceConfig>>;
  /** The Zoom plan, deciding which APIs exist and the rate limits. */
  readonly plan: ZoomPlan;
  /** Share of Zoom's daily Heavy/Resource-intensive budget the poller may spend. */
  readonly apiBudgetShare: number;
  /**
   * Risk signals: participant details are fetched for the riskiest meetings first when the budget is short.
   * @default no configured signals (only what Zoom's meeting listing shows ranks meetings)
   */
  readonly riskSignals?: PollerRiskSignals;
  /**
   * How long one run may last; also how long a run holds its source's lease.
   * @default Duration.minutes(10)
   */
  readonly timeout?: Duration;
  /**
   * How long the poller's logs are kept.
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;
}

/** LambdaInvoke granting the scheduler the function itself only, not every version and alias (`<arn>:*`). */
export class InvokeFunction extends targets.LambdaInvoke {
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
 * Polls the Zoom REST APIs: one EventBridge Scheduler schedule per enabled source invokes the poller function with
 * `{source}`, retried twice within an hour and then dead-lettered. The function reads the Zoom Server-to-Server OAuth
 * credentials from its own secret, writes Parquet under `zoom/` and keeps cursors in the state table. Alarms: function
 * errors, dead-lettered runs, and per source a cursor that has not advanced for a day.
 */
export class ScheduledPoller extends Construct {
  /** The poller function. */
  readonly poller: ZoomlakeFunction;
  /** Zoom credentials as JSON `{accountId, clientId, clientSecret}`; a placeholder until the operator fills it in. */
  readonly credentials: secretsmanager.Secret;
  /** The role EventBridge Scheduler invokes the poller with. */
  readonly schedulerRole: iam.Role;
  /** Schedules by source name. */
  readonly schedules: Readonly<Record<string, scheduler.Schedule>>;
  /** Invocations that failed every retry or outlived the maximum event age. */
  readonly deadLetterQueue: sqs.Queue;
  /** In alarm when any poller invocation failed. */
  readonly errorsAlarm: cloudwatch.Alarm;
  /** In alarm while the dead-letter queue holds any message. */
  readonly deadLetterAlarm: cloudwatch.Alarm;
  /** Per scheduled source, in alarm when its cursor has not advanced for 24 hours. */
  readonly stalledAlarms: Readonly<Record<string, cloudwatch.Alarm>>;
  /** When participant_details is scheduled: in alarm when meetings were dropped from its budget backlog unfetched. */
  readonly backlogDroppedAlarm?: cloudwatch.Alarm;
  /** When meetings is scheduled: in alarm when meetings were dropped from its budget backlog unfetched. */
  readonly meetingsBacklogDroppedAlarm?: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: ScheduledPollerProps) {
    super(scope, id);
    const { encryptionKey: key, lakeBucket: lake, stateTable: table } = props;
    const { region, account } = Stack.of(this);
    const timeout = props.timeout ?? Duration.minutes(10);
    const risk = props.riskSignals ?? { internalDomains: [], sensitiveMeetingPatterns: [], watchedUsers: [] };
    const riskEnv = {
      INTERNAL_DOMAINS: JSON.stringify(risk.internalDomains),
      SENSITIVE_MEETING_PATTERNS: JSON.stringify(risk.sensitiveMeetingPatterns),
      WATCHED_USERS: JSON.stringify(risk.watchedUsers),
    };
    // Lambda's 4 KB limit on the environment, which these lists can outgrow, is checked by ZoomlakeFunction at synth.

    this.credentials = new secretsmanager.Secret(this, 'Credentials', {
      description:
        'zoomlake: Zoom Server-to-Server OAuth app credentials as JSON {"accountId","clientId","clientSecret"}. Holds a placeholder until you put the values from the Zoom Marketplace app here.',
      encryptionKey: key,
      // A random clientSecret keeps even the placeholder out of the template; Zoom refuses it until replaced.
      generateSecretString: {
        secretStringTemplate: JSON.stringify({ accountId: 'REPLACE_ME', clientId: 'REPLACE_ME' }),
        generateStringKey: 'clientSecret',
        excludePunctuation: true,
      },
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.poller = new ZoomlakeFunction(this, 'Poller', {
      entry: HANDLER_ENTRY,
      description: 'zoomlake: polls one Zoom API source into the lake, moving its cursor only after a durable write',
      encryptionKey: key,
      timeout,
      memorySize: 1024,
      logRetention: props.logRetention,
      environment: {
        ZOOM_CREDENTIALS_SECRET_ARN: this.credentials.secretArn,
        ZOOM_PLAN: props.plan,
        API_BUDGET_SHARE: String(props.apiBudgetShare),
        STATE_TABLE_NAME: table.tableName,
        LAKE_BUCKET_NAME: lake.bucketName,
        LEASE_SECONDS: String(timeout.toSeconds()),
        ...riskEnv,
        CHAT_INCLUDE_CONTENT: props.sources.chat_messages?.includeContent === true ? 'true' : 'false',
        MEETING_ACTIVITY_TYPES: JSON.stringify(
          props.sources.meeting_activities?.activityTypes ?? CONFIG_DEFAULTS.sources.meeting_activities.activityTypes,
        ),
      } satisfies FunctionEnv<typeof scheduledPollerEnv>,
    });
    const role = this.poller.role;
    const viaService = (service: string) => ({ StringEquals: { 'kms:ViaService': `${service}.${region}.amazonaws.com` } });
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [this.credentials.secretArn] }));
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['kms:Decrypt'], resources: [key.keyArn], conditions: viaService('secretsmanager') }),
    );
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
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: [lake.arnForObjects(`${LAKE_ROOT}/*`)] }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['kms:GenerateDataKey'], resources: [key.keyArn], conditions: viaService('s3') }));

    ({ deadLetterQueue: this.deadLetterQueue, schedulerRole: this.schedulerRole } = schedulerInvocation(
      this,
      key,
      account,
      region,
      'the Zoom poller',
    ));

    const schedules: Record<string, scheduler.Schedule> = {};
    const stalled: Record<string, cloudwatch.Alarm> = {};
    for (const [name, source] of Object.entries(props.sources)) {
      const polled = POLL_SOURCES[name];
      if (!source.enabled || polled === undefined) continue;
      const lacking = planLacks(polled, props.plan);
      if (lacking !== undefined) {
        // A run would only answer "disabled", and its stalled-cursor alarm would sound for nothing.
        Annotations.of(this).addInfo(`zoomlake: the ${name} source is not scheduled: ${lacking}`);
        continue;
      }
      schedules[name] = new scheduler.Schedule(this, `Schedule-${name}`, {
        description: `zoomlake: polls the Zoom ${name} source`,
        schedule: scheduler.ScheduleExpression.expression(source.schedule),
        target: new InvokeFunction(this.poller.function, {
          role: this.schedulerRole,
          input: scheduler.ScheduleTargetInput.fromObject({ source: name }),
          retryAttempts: 2,
          maxEventAge: Duration.hours(1),
          deadLetterQueue: this.deadLetterQueue,
        }),
      });
      stalled[name] = new cloudwatch.Alarm(this, `Stalled-${name}`, {
        alarmDescription: `zoomlake: the Zoom ${name} cursor has not advanced for 24 hours; check the poller logs (a plan or scope may lack the API)`,
        metric: zoomlakeMetric(METRICS.CursorAdvanced, { Source: name }, { statistic: 'Sum', period: Duration.hours(24) }),
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        evaluationPeriods: 1,
        // No datapoint at all means no run reported: that is a stall too.
        treatMissingData: cloudwatch.TreatMissingData.BREACHING,
      });
    }
    this.schedules = schedules;
    this.stalledAlarms = stalled;
    if (schedules.participant_details) {
      this.backlogDroppedAlarm = alarmAtLeast(
        this,
        'BacklogDroppedAlarm',
        'zoomlake: participant details of some meetings were given up (backlog full, or older than Zoom keeps them) because the daily API budget ran short; see the poller logs (budget.droppedByClass) and consider a larger apiBudgetShare',
        zoomlakeMetric(METRICS.BacklogDropped, { Source: 'participant_details' }, { statistic: 'Sum', period: Duration.hours(1) }),
      );
    }
    if (schedules.meetings) {
      this.meetingsBacklogDroppedAlarm = alarmAtLeast(
        this,
        'MeetingsBacklogDroppedAlarm',
        'zoomlake: report participants of some meetings were given up (backlog full, or older than Zoom keeps them) because the daily API budget ran short; see the poller logs (budget.droppedByClass) and consider a larger apiBudgetShare',
        zoomlakeMetric(METRICS.BacklogDropped, { Source: 'meetings' }, { statistic: 'Sum', period: Duration.hours(1) }),
      );
    }

    this.errorsAlarm = alarmAtLeast(
      this,
      'ErrorsAlarm',
      'zoomlake: a Zoom poller run failed; the schedule retries it, see the poller logs',
      this.poller.function.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }),
    );
    this.deadLetterAlarm = deadLetterAlarm(
      this,
      this.deadLetterQueue,
      'zoomlake: Zoom poller runs failed every retry; inspect the dead-letter queue and the poller logs',
    );
  }
}
