import { fileURLToPath } from 'node:url';
import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { alarmAtLeast, deadLetterAlarm } from './alarms.ts';
import { allowEventBridgeToEncrypt, allowRuleToSend, deadLetterQueue, deliverWithRetries } from './event-queue.ts';
import { grantAthenaQueries, grantExternalObjects } from './athena-access.ts';
import { eventsOf } from './event-source-guard.ts';
import type { ZoomlakeConfig } from '../config/schema.ts';
import { CORRELATION_DETECTIONS } from '#core/correlate/contract.ts';
import type { CorrelationFilterSettings } from '#core/correlate/need.ts';
import { MEETING_ENDED_EVENT } from '#core/correlate/start.ts';
import type { CorrelationSettings } from '#core/correlate/settings.ts';
import { DETECTION_BUNDLE_FILE, bundleSha256, detectionBundle } from '#core/detect/bundle.ts';
import type { DetectionRegistry } from '#core/detect/registry.ts';
import { getTable, tablePrefix, withRawTables } from '#core/schema/registry.ts';
import type { correlationStarterEnv } from '#runtime/env/correlation-starter.ts';
import type { correlationAlertsEnv, correlationCorrelateEnv, correlationExposureEnv, correlationFetchEnv } from '#runtime/env/correlation-task.ts';
import type { FunctionEnv } from '#runtime/env/function-env.ts';
import { WEBHOOK_BODY_PREFIX, WEBHOOK_EVENT_SOURCE } from '#core/webhook/receive.ts';
import type { ZoomPlan } from '#core/zoom/client.ts';
import { correlationDefinition } from './correlation-definition.ts';
import { encryptedLogGroup, ZoomlakeFunction } from './zoomlake-function.ts';

const TASK_ENTRY = fileURLToPath(new URL('../../lambdas/handlers/correlation-task.handler.ts', import.meta.url));
const STARTER_ENTRY = fileURLToPath(new URL('../../lambdas/handlers/correlation-starter.handler.ts', import.meta.url));

/** One task function's environment, as its handler parses it. */
type CorrelationTaskEnv =
  | FunctionEnv<typeof correlationFetchEnv>
  | FunctionEnv<typeof correlationExposureEnv>
  | FunctionEnv<typeof correlationCorrelateEnv>
  | FunctionEnv<typeof correlationAlertsEnv>;

/** Tables (views over `<name>_raw`) the Exposure step queries, besides the config views. */
const EXPOSURE_TABLES = ['meeting_participants', 'participant_details', 'users'];

/** Properties of {@link CorrelationWorkflow}. */
export interface CorrelationWorkflowProps {
  /** The `correlation` config: which meetings, waits, the not-ready retry bound, the data-access source and where its data lives. */
  readonly settings: ZoomlakeConfig['correlation'];
  /**
   * What decides whether a meeting needs correlating besides `settings` (lambdas/core/correlate/need.ts): the sensitive
   * topic patterns and the watched users.
   */
  readonly filter: Pick<ZoomlakeConfig, 'sensitiveMeetingPatterns' | 'watchedUsers'>;
  /**
   * The detection registry (config overrides applied): the correlation queries, the detections the workflow raises
   * and their parameters; it ships inside the Exposure, Correlate and Alerts functions as `detections.json`.
   */
  readonly registry: DetectionRegistry;
  /** The Zoom account's plan: FetchDetails (the dashboard) runs on Business and Enterprise only. */
  readonly plan: ZoomPlan;
  /** Share of Zoom's daily Heavy budget zoomlake may use, shared with the poller through the state table. */
  readonly apiBudgetShare: number;
  /** The internal bus of verified Zoom webhook events, whose meeting.ended events start the workflow. */
  readonly webhookBus: events.IEventBus;
  /** The bus alerts are published to. */
  readonly alertBus: events.IEventBus;
  /** The state table: exposure summaries, alert suppression, the shared Zoom API budget; the starter reads live meeting state. */
  readonly stateTable: ITableV2;
  /** The lake bucket: participant rows and alerts written under `zoom/`, webhook bodies read by reference. */
  readonly lakeBucket: IBucket;
  /** The Athena query results bucket. */
  readonly resultsBucket: IBucket;
  /**
   * Key prefix of query results in the results bucket (the workgroup's enforced output location).
   * @default 'results/'
   */
  readonly resultsPrefix?: string;
  /** The Athena workgroup the Exposure and Correlate queries run in. */
  readonly workGroupName: string;
  /** The Glue database holding the lake's tables and views. */
  readonly databaseName: string;
  /** Config views (internal_domains, sensitive_meeting_patterns, watched_users, ...) the Exposure step joins. */
  readonly configViewNames: readonly string[];
  /** The Zoom Server-to-Server OAuth credentials secret (the poller's). */
  readonly zoomCredentials: ISecret;
  /** Customer-managed key of the lake, state table, secret and results; also encrypts the queue and the log groups. */
  readonly encryptionKey: IKey;
  /**
   * How long the state machine's and the functions' logs are kept.
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;
}

/** The task functions, by the part of the workflow they run. */
export interface CorrelationFunctions {
  /** FetchParticipants and FetchDetails: Zoom report and dashboard APIs into the lake. */
  readonly fetch: ZoomlakeFunction;
  /** Exposure: Athena over the instance's participant rows; the summary stored in the state table. */
  readonly exposure: ZoomlakeFunction;
  /** Correlate: Athena over operation logs, participants and the data-access table. */
  readonly correlate: ZoomlakeFunction;
  /** RaiseAlerts and ParticipantsUnavailable: alert delivery (suppression, `alerts` table, alert bus). */
  readonly alerts: ZoomlakeFunction;
}

/**
 * The post-meeting correlation (DESIGN §7): a Standard state machine started once per meeting instance. A rule on
 * the webhook bus sends meeting.ended to a starter function, which starts an execution named after the meeting UUID
 * (EventBridge cannot name executions), so duplicates start nothing, and only for the meetings a correlation detection
 * needs (lambdas/core/correlate/need.ts: outsiders when a data-access source is set, a sensitive topic, a watched host;
 * `correlation.meetings: "all"` for every meeting), read from the realtime checks' live state in the state table. The definition waits for Zoom's reports, fetches
 * participants (retrying while Zoom says not ready, then raising participants_unavailable), fetches dashboard details
 * on Business+, computes the exposure and stores it (DynamoDB PutItem), waits until the data-access window is in the
 * lake, correlates and raises alerts.
 * Every task retries throttling and transient failures and catches the rest into a Fail state; all events are logged
 * (without execution data) to an encrypted log group and traced with X-Ray.
 */
export class CorrelationWorkflow extends Construct {
  /** The state machine. */
  readonly stateMachine: sfn.StateMachine;
  /** The state machine's log group. */
  readonly logGroup: logs.LogGroup;
  /** The task functions. */
  readonly functions: CorrelationFunctions;
  /** The function starting executions for meeting.ended events. */
  readonly starter: ZoomlakeFunction;
  /** The rule sending meeting.ended events to the starter. */
  readonly rule: events.Rule;
  /** Events the rule could not deliver and starts that failed every retry. */
  readonly deadLetterQueue: sqs.Queue;
  /** In alarm while the dead-letter queue holds any message. */
  readonly deadLetterAlarm: cloudwatch.Alarm;
  /** In alarm when an execution failed (a meeting went unchecked). */
  readonly failedAlarm: cloudwatch.Alarm;
  /** The configured data-access table's S3 location (`s3://bucket/prefix/`), which Correlate may read, if any. */
  readonly dataAccessLocation: string | undefined;

  constructor(scope: Construct, id: string, props: CorrelationWorkflowProps) {
    super(scope, id);
    const { encryptionKey: key, lakeBucket: lake, resultsBucket: results, stateTable: table, settings } = props;
    const { region } = Stack.of(this);
    const resultsPrefix = props.resultsPrefix ?? 'results/';
    if (!/^([A-Za-z0-9_.-]+\/)+$/.test(resultsPrefix)) throw new Error(`resultsPrefix must be a key prefix ending in "/", got "${resultsPrefix}"`);
    const logRetention = props.logRetention ?? logs.RetentionDays.ONE_YEAR;
    const viaService = (service: string) => ({ StringEquals: { 'kms:ViaService': `${service}.${region}.amazonaws.com` } });

    const bundle = detectionBundle(props.registry);
    const withRegistry = { DETECTIONS_SHA256: bundleSha256(bundle) };
    const fn = (name: string, description: string, timeout: Duration, environment: CorrelationTaskEnv) =>
      new ZoomlakeFunction(this, name, {
        entry: TASK_ENTRY,
        description,
        encryptionKey: key,
        timeout,
        memorySize: 1024,
        logRetention,
        environment,
        ...('DETECTIONS_SHA256' in environment ? { extraFiles: { [DETECTION_BUNDLE_FILE]: bundle } } : {}),
      });
    const athenaTimeout = Duration.minutes(10);
    const athenaEnv = {
      ATHENA_WORKGROUP: props.workGroupName,
      GLUE_DATABASE: props.databaseName,
      ATHENA_TIMEOUT_SECONDS: String(athenaTimeout.toSeconds() - 60),
      CORRELATION_SETTINGS: JSON.stringify(settingsOf(settings)),
      ...withRegistry,
    };
    this.functions = {
      fetch: fn(
        'Fetch',
        'zoomlake: correlation FetchParticipants/FetchDetails, Zoom reports of an ended meeting into the lake',
        Duration.minutes(10),
        {
          CORRELATION_FUNCTION: 'fetch',
          ZOOM_CREDENTIALS_SECRET_ARN: props.zoomCredentials.secretArn,
          ZOOM_PLAN: props.plan,
          API_BUDGET_SHARE: String(props.apiBudgetShare),
          STATE_TABLE_NAME: table.tableName,
          LAKE_BUCKET_NAME: lake.bucketName,
        },
      ),
      exposure: fn('Exposure', 'zoomlake: correlation Exposure, what an ended meeting exposed (the state machine stores it)', athenaTimeout, {
        CORRELATION_FUNCTION: 'exposure',
        ...athenaEnv,
      }),
      correlate: fn('Correlate', 'zoomlake: correlation Correlate, an ended meeting against downloads and data access in the lake', athenaTimeout, {
        CORRELATION_FUNCTION: 'correlate',
        ...athenaEnv,
      }),
      alerts: fn(
        'Alerts',
        'zoomlake: correlation RaiseAlerts, alerts of an ended meeting to the alerts table and the alert bus',
        Duration.minutes(1),
        {
          CORRELATION_FUNCTION: 'alerts',
          STATE_TABLE_NAME: table.tableName,
          LAKE_BUCKET_NAME: lake.bucketName,
          ALERT_BUS_NAME: props.alertBus.eventBusName,
          ...withRegistry,
        },
      ),
    };
    const { fetch, exposure, correlate, alerts } = this.functions;

    // What DynamoStateStore sends for each function: the budget's get/add, the summary's put, delivery's suppression.
    const stateActions = (role: iam.IRole, actions: string[]) => {
      role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: actions.map((a) => `dynamodb:${a}`), resources: [table.tableArn] }));
      role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'],
          resources: [key.keyArn],
          conditions: viaService('dynamodb'),
        }),
      );
    };
    fetch.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [props.zoomCredentials.secretArn] }),
    );
    fetch.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['kms:Decrypt'], resources: [key.keyArn], conditions: viaService('secretsmanager') }),
    );
    stateActions(fetch.role, ['GetItem', 'PutItem', 'UpdateItem']);
    fetch.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['s3:PutObject'],
        resources: ['meeting_participants', 'participant_details'].map((t) => lake.arnForObjects(`${tablePrefix(getTable(t))}/*`)),
      }),
    );
    fetch.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['kms:GenerateDataKey'], resources: [key.keyArn], conditions: viaService('s3') }),
    );

    const athenaReader = (role: iam.IRole, tableNames: readonly string[]) =>
      grantAthenaQueries(role, {
        workGroupName: props.workGroupName,
        databaseName: props.databaseName,
        glueTables: withRawTables(tableNames),
        lakeBucket: lake,
        resultsBucket: results,
        resultsPrefix,
        encryptionKey: key,
      });
    athenaReader(exposure.role, [...EXPOSURE_TABLES, ...props.configViewNames]);
    // Correlate runs the download detection's own query (its tables) and the data-access query.
    const downloads = props.registry.get(CORRELATION_DETECTIONS.recordingDownloadByNonParticipant);
    athenaReader(correlate.role, [
      ...(downloads.tables ?? []),
      ...props.configViewNames,
      ...(settings.dataAccess ? [settings.dataAccess.table] : []),
    ]);
    // The data-access table's own data (e.g. a CloudTrail bucket), which Athena reads with the function's credentials.
    const location = settings.dataAccess?.s3Location;
    this.dataAccessLocation = location;
    if (location !== undefined) grantExternalObjects(correlate.role, location, settings.dataAccess?.kmsKeyArn);

    stateActions(alerts.role, ['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem', 'Query']);
    alerts.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: [lake.arnForObjects(`${tablePrefix(getTable('alerts'))}/*`)] }),
    );
    alerts.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['kms:GenerateDataKey'], resources: [key.keyArn], conditions: viaService('s3') }),
    );
    alerts.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['events:PutEvents'], resources: [props.alertBus.eventBusArn] }));

    this.logGroup = encryptedLogGroup(this, 'Logs', key, logRetention);
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      comment: 'zoomlake: post-meeting correlation of one meeting instance (started by meeting.ended, named after its UUID)',
      stateMachineType: sfn.StateMachineType.STANDARD,
      definitionBody: sfn.DefinitionBody.fromChainable(correlationDefinition(this, this.functions, settings, props.plan, table)),
      tracingEnabled: true,
      // Every event, but no execution data: inputs and outputs hold participant emails and names.
      logs: { destination: this.logGroup, level: sfn.LogLevel.ALL, includeExecutionData: false },
    });

    // StoreExposure's PutItem on the state table, which the customer-managed key encrypts.
    this.stateMachine.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'],
        resources: [key.keyArn],
        conditions: viaService('dynamodb'),
      }),
    );

    this.starter = new ZoomlakeFunction(this, 'Starter', {
      entry: STARTER_ENTRY,
      description: 'zoomlake: starts the post-meeting correlation for meeting.ended, once per meeting instance',
      encryptionKey: key,
      timeout: Duration.seconds(30),
      memorySize: 256,
      logRetention,
      environment: {
        STATE_MACHINE_ARN: this.stateMachine.stateMachineArn,
        LAKE_BUCKET_NAME: lake.bucketName,
        STATE_TABLE_NAME: table.tableName,
        CORRELATION_FILTER: JSON.stringify(filterOf(settings, props.filter)),
      } satisfies FunctionEnv<typeof correlationStarterEnv>,
    });
    const starterRole = this.starter.role;
    // Which meetings need correlating: outsiders in the realtime checks' live meeting state, the host in the user
    // directory. Reads only, so the key only decrypts.
    starterRole.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['dynamodb:GetItem', 'dynamodb:Query'], resources: [table.tableArn] }));
    starterRole.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['kms:Decrypt'], resources: [key.keyArn], conditions: viaService('dynamodb') }),
    );
    starterRole.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['states:StartExecution'], resources: [this.stateMachine.stateMachineArn] }));
    starterRole.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [lake.arnForObjects(`${WEBHOOK_BODY_PREFIX}/*`)] }),
    );
    starterRole.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['kms:Decrypt'], resources: [key.keyArn], conditions: viaService('s3') }));

    this.deadLetterQueue = deadLetterQueue(this, key);
    this.rule = new events.Rule(this, 'Rule', {
      description: 'zoomlake: meeting.ended from the Zoom webhook bus to the correlation starter',
      eventBus: props.webhookBus,
      eventPattern: eventsOf(this, WEBHOOK_EVENT_SOURCE, [MEETING_ENDED_EVENT]),
    });
    deliverWithRetries(this.rule, this.starter.function.functionArn, this.deadLetterQueue);
    new lambda.CfnPermission(this, 'StarterInvokePermission', {
      action: 'lambda:InvokeFunction',
      functionName: this.starter.function.functionArn,
      principal: 'events.amazonaws.com',
      sourceArn: this.rule.ruleArn,
    });
    allowRuleToSend(this.rule, [this.deadLetterQueue]);
    allowEventBridgeToEncrypt(key);
    // EventBridge invokes asynchronously: a thrown start is retried twice by Lambda, then lands in the dead-letter queue
    // (granted narrowly instead of SqsDestination's grantSendMessages, which adds kms:GenerateDataKey* and kms:ReEncrypt*).
    this.starter.function.configureAsyncInvoke({
      retryAttempts: 2,
      maxEventAge: Duration.hours(6),
      onFailure: { bind: () => ({ destination: this.deadLetterQueue.queueArn }) },
    });
    starterRole.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [this.deadLetterQueue.queueArn] }));
    starterRole.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['kms:GenerateDataKey', 'kms:Decrypt'], resources: [key.keyArn], conditions: viaService('sqs') }),
    );

    this.deadLetterAlarm = deadLetterAlarm(
      this,
      this.deadLetterQueue,
      'zoomlake: meeting.ended events did not start the post-meeting correlation; inspect the dead-letter queue and the starter logs',
    );
    this.failedAlarm = alarmAtLeast(
      this,
      'FailedAlarm',
      'zoomlake: a post-meeting correlation failed and its meeting went unchecked; see the failed execution in Step Functions',
      this.stateMachine.metricFailed({ period: Duration.minutes(5), statistic: 'Sum' }),
    );
  }
}

/** What the starter decides which meetings to correlate by (lambdas/core/correlate/need.ts). */
function filterOf(s: ZoomlakeConfig['correlation'], f: CorrelationWorkflowProps['filter']): CorrelationFilterSettings {
  return {
    meetings: s.meetings,
    dataAccess: s.dataAccess !== undefined,
    sensitiveMeetingPatterns: f.sensitiveMeetingPatterns,
    watchedUsers: f.watchedUsers,
  };
}

/** Only the keys the functions read, so unrelated config changes do not redeploy them. */
function settingsOf(s: ZoomlakeConfig['correlation']): CorrelationSettings {
  return {
    enabled: s.enabled,
    waitSeconds: s.waitSeconds,
    notReadyRetries: s.notReadyRetries,
    notReadyIntervalSeconds: s.notReadyIntervalSeconds,
    ...(s.dataAccess
      ? {
          dataAccess: {
            table: s.dataAccess.table,
            userColumn: s.dataAccess.userColumn,
            timeColumn: s.dataAccess.timeColumn,
            resourceColumn: s.dataAccess.resourceColumn,
          },
        }
      : {}),
  };
}
