import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AttributeType, TableEncryptionV2, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { EventBus } from 'aws-cdk-lib/aws-events';
import type { IRole } from 'aws-cdk-lib/aws-iam';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Bucket, BucketEncryption } from 'aws-cdk-lib/aws-s3';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DETECTION_BUNDLE_FILE, bundleSha256, detectionBundle } from '#core/detect/bundle.ts';
import { REGISTRY } from '../support/registry.ts';
import { CORRELATION_TASKS, TASK_DEPS } from '#core/correlate/tasks.ts';
import { DASHBOARD_PLANS } from '#core/zoom/rate-limit.ts';
import type { ZoomPlan } from '#core/zoom/client.ts';
import { fromEnv as starterFromEnv } from '../../lambdas/handlers/correlation-starter.handler.ts';
import { fromEnv as taskFromEnv } from '../../lambdas/handlers/correlation-task.handler.ts';
import { buildApp } from '../../lib/app.ts';
import { CorrelationWorkflow, type CorrelationWorkflowProps } from '../../lib/constructs/correlation-workflow.ts';
import { applyNagChecks } from '../../lib/nag/checks.ts';
import { TEST_ENV, logicalIdOf, resourceOf, testConfig } from './helpers.ts';
import { NO_BUNDLING, pipelineTestStack, starResources, statementsOf, type Statement } from './pipeline-helpers.ts';

const DATA_ACCESS = { table: 'cloudtrail_s3', userColumn: 'user_email', timeColumn: 'event_time', resourceColumn: 'object_key' };

function build(correlation: Record<string, unknown> = {}, props: Partial<CorrelationWorkflowProps> = {}) {
  const { stack, key, lake } = pipelineTestStack();
  const results = new Bucket(stack, 'Results', { encryption: BucketEncryption.KMS, encryptionKey: key, enforceSSL: true });
  const table = new TableV2(stack, 'State', {
    partitionKey: { name: 'pk', type: AttributeType.STRING },
    sortKey: { name: 'sk', type: AttributeType.STRING },
    encryption: TableEncryptionV2.customerManagedKey(key),
  });
  const webhookBus = new EventBus(stack, 'Webhook');
  const alertBus = new EventBus(stack, 'Alerts');
  const secret = new Secret(stack, 'ZoomCredentials', { encryptionKey: key });
  const wf = new CorrelationWorkflow(stack, 'Correlation', {
    settings: testConfig({ correlation }).correlation,
    plan: 'business',
    apiBudgetShare: 0.5,
    webhookBus,
    alertBus,
    stateTable: table,
    lakeBucket: lake,
    resultsBucket: results,
    workGroupName: 'zoomlake',
    databaseName: 'zoomlake',
    configViewNames: ['internal_domains', 'watched_users'],
    zoomCredentials: secret,
    encryptionKey: key,
    registry: REGISTRY,
    filter: { sensitiveMeetingPatterns: ['\\bboard'], watchedUsers: ['cfo@example.com'] },
    ...props,
  });
  return { key, lake, results, table, webhookBus, alertBus, secret, wf, template: Template.fromStack(stack) };
}

type State = Record<string, unknown> & { Type: string; Next?: string; Retry?: Record<string, unknown>[]; Catch?: Record<string, unknown>[] };
type Definition = { StartAt: string; States: Record<string, State> };

/** The state machine's definition, its `Fn::Join` resolved with `<LogicalId.Attribute>` placeholders for the tokens. */
function definitionOf(template: Template, wf: CorrelationWorkflow): Definition {
  const body = (resourceOf(template, wf.stateMachine).Properties as { DefinitionString: unknown }).DefinitionString;
  const text =
    typeof body === 'string'
      ? body
      : (body as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1]
          .map((part) => {
            if (typeof part === 'string') return part;
            const refId = (part as { Ref?: string }).Ref;
            if (refId === 'AWS::Partition') return 'aws';
            if (refId !== undefined) return `<${refId}>`;
            const [id, attr] = (part as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'] ?? [];
            if (id === undefined) return `<${Object.keys(part as object).join()}>`;
            return `<${id}.${attr}>`;
          })
          .join('');
  return JSON.parse(text) as Definition;
}

const ref = (c: IConstruct) => ({ Ref: logicalIdOf(c) });
const arnOf = (c: IConstruct) => ({ 'Fn::GetAtt': [logicalIdOf(c), 'Arn'] });
const objects = (bucket: IConstruct, prefix: string) => ({ 'Fn::Join': ['', [arnOf(bucket), prefix]] });
const regional = (service: string, resource: string) => ({
  'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:${service}:eu-west-1:123456789012:${resource}`]],
});
const allow = (Action: string | string[], Resource: unknown, Condition?: unknown): Statement => ({
  Effect: 'Allow',
  Action,
  Resource,
  ...(Condition ? { Condition } : {}),
});
const regionalTable = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':dynamodb:eu-west-1:123456789012:table/', { Ref: 'State1C20CC9A' }]] };
const via = (service: string) => ({ StringEquals: { 'kms:ViaService': `${service}.eu-west-1.amazonaws.com` } });

const { key, lake, results, table, webhookBus, alertBus, secret, wf, template } = build();
const definition = definitionOf(template, wf);
const states = definition.States;
const state = (name: string): State => {
  const s = states[name];
  if (!s) throw new Error(`no state ${name}`);
  return s;
};
const props = (c: IConstruct) => resourceOf(template, c).Properties as Record<string, unknown>;
/** Task states that invoke a function (StoreExposure is a DynamoDB service integration). */
const TASK_STATES = Object.keys(states)
  .filter((name) => state(name).Type === 'Task' && !String(state(name).Resource).includes(':states:::dynamodb:'))
  .sort();

describe('CorrelationWorkflow state machine', () => {
  it('is a Standard state machine with X-Ray tracing', () => {
    expect(props(wf.stateMachine)).toMatchObject({
      StateMachineType: 'STANDARD',
      TracingConfiguration: { Enabled: true },
      RoleArn: arnOf(wf.stateMachine.role),
    });
  });

  it('logs every event, without execution data, to its own KMS-encrypted log group kept a year', () => {
    expect(props(wf.stateMachine).LoggingConfiguration).toEqual({
      Destinations: [{ CloudWatchLogsLogGroup: { LogGroupArn: arnOf(wf.logGroup) } }],
      IncludeExecutionData: false,
      Level: 'ALL',
    });
    expect(props(wf.logGroup)).toEqual({ KmsKeyId: arnOf(key), RetentionInDays: 365 });
  });

  it("keeps its logs and the functions' logs as long as logRetention says", () => {
    const short = build({}, { logRetention: RetentionDays.ONE_MONTH });
    for (const group of [short.wf.logGroup, ...Object.values(short.wf.functions).map((f) => f.logGroup), short.wf.starter.logGroup]) {
      expect(resourceOf(short.template, group).Properties).toEqual({ KmsKeyId: arnOf(short.key), RetentionInDays: 30 });
    }
  });

  it('runs the steps in order: settings, wait for reports, participants, the plan choice, details, exposure, store, window, correlate, alerts', () => {
    expect(definition.StartAt).toBe('Settings');
    const next = Object.fromEntries(
      Object.entries(states)
        .filter(([, s]) => s.Next !== undefined)
        .map(([name, s]) => [name, s.Next]),
    );
    expect(next).toEqual({
      Settings: 'WaitForReports',
      WaitForReports: 'FetchParticipants',
      FetchParticipants: 'PlanHasDashboard',
      FetchDetails: 'Exposure',
      DetailsUnavailable: 'Exposure',
      Exposure: 'StoreExposure',
      StoreExposure: 'WaitForDataAccessWindow',
      WaitForDataAccessWindow: 'Correlate',
      Correlate: 'RaiseAlerts',
      RaiseAlerts: 'Done',
      ParticipantsUnavailable: 'Done',
    });
    expect(state('Done').Type).toBe('Succeed');
  });

  it("waits correlation.waitSeconds for Zoom's reports (600 by default)", () => {
    expect(state('WaitForReports')).toMatchObject({ Type: 'Wait', Seconds: 600 });
  });

  it('retries FetchParticipants while the meeting is not ready, then raises participants_unavailable', () => {
    const fetch = state('FetchParticipants');
    expect(fetch.Retry).toContainEqual({ ErrorEquals: ['MeetingNotReady'], IntervalSeconds: 120, MaxAttempts: 6, BackoffRate: 2 });
    // Catchers are tried in order: the not-ready one must come before the catch-all.
    expect(fetch.Catch?.[0]).toEqual({ ErrorEquals: ['MeetingNotReady'], ResultPath: '$.notReady', Next: 'ParticipantsUnavailable' });
    expect(state('ParticipantsUnavailable').Parameters).toEqual({ task: 'ParticipantsUnavailable', 'meeting.$': '$$.Execution.Input', attempts: 7 });
  });

  it('goes on without details when the dashboard never has the meeting', () => {
    const details = state('FetchDetails');
    expect(details.Retry).toContainEqual({ ErrorEquals: ['MeetingNotReady'], IntervalSeconds: 120, MaxAttempts: 6, BackoffRate: 2 });
    expect(details.Catch?.[0]).toEqual({ ErrorEquals: ['MeetingNotReady'], ResultPath: '$.notReady', Next: 'DetailsUnavailable' });
    expect(state('DetailsUnavailable')).toMatchObject({ Type: 'Pass', Result: { details: 0, available: false }, ResultPath: '$.fetchDetails' });
  });

  it('has exactly the correlation tasks as function Task states', () => {
    expect(TASK_STATES).toEqual([...CORRELATION_TASKS].sort());
  });

  it('stores the exposure summary with a DynamoDB PutItem service integration: the item the state store reads back', () => {
    const store = state('StoreExposure');
    expect(store).toMatchObject({
      Type: 'Task',
      Resource: 'arn:aws:states:::dynamodb:putItem',
      ResultPath: null,
      Parameters: {
        TableName: `<${logicalIdOf(table)}>`,
        Item: {
          pk: { 'S.$': "States.Format('meeting#{}', $.exposure.meeting_uuid)" },
          sk: { S: 'exposure' },
          summary: { 'S.$': 'States.JsonToString($.exposure)' },
          expiresAt: { 'N.$': "States.Format('{}', $.exposure.stored_until)" },
        },
      },
    });
    expect(Object.keys((store.Parameters as { Item: object }).Item).sort()).toEqual(['expiresAt', 'pk', 'sk', 'summary']);
    expect(store.Retry?.map((r) => r.ErrorEquals)).toEqual([
      [
        'DynamoDB.ProvisionedThroughputExceededException',
        'DynamoDB.ThrottlingException',
        'DynamoDB.InternalServerErrorException',
        'DynamoDB.RequestLimitExceeded',
      ],
    ]);
    expect(store.Catch).toEqual([{ ErrorEquals: ['States.ALL'], Next: 'CorrelationFailed' }]);
  });

  it.each([...CORRELATION_TASKS])('invokes the function that runs %s, naming the task in the payload', (name) => {
    const fn = wf.functions[TASK_DEPS[name]];
    expect(state(name)).toMatchObject({ Type: 'Task', Resource: `<${logicalIdOf(fn.function)}.Arn>`, TimeoutSeconds: props(fn.function).Timeout });
    expect((state(name).Parameters as { task: string }).task).toBe(name);
  });

  it.each([...CORRELATION_TASKS])('retries CorrelationRetryable on %s with backoff and catches anything else into the Fail state', (name) => {
    const s = state(name);
    expect(s.Retry).toContainEqual({
      ErrorEquals: ['CorrelationRetryable', 'Lambda.TooManyRequestsException'],
      IntervalSeconds: 30,
      MaxAttempts: 4,
      BackoffRate: 2,
      JitterStrategy: 'FULL',
    });
    expect(s.Catch?.at(-1)).toEqual({ ErrorEquals: ['States.ALL'], Next: 'CorrelationFailed' });
    expect(s.Catch?.slice(0, -1).every((c) => !(c.ErrorEquals as string[]).includes('States.ALL'))).toBe(true);
  });

  it('fails with the error and cause of the failed step', () => {
    expect(state('CorrelationFailed')).toMatchObject({ Type: 'Fail', ErrorPath: '$.Error', CausePath: '$.Cause' });
  });

  it('fetches details only on the plans with the dashboard', () => {
    expect(state('Settings')).toMatchObject({ Type: 'Pass', Result: { plan: 'business' }, ResultPath: '$.settings' });
    const choice = state('PlanHasDashboard');
    expect(choice.Type).toBe('Choice');
    expect(choice.Choices).toEqual([{ Or: DASHBOARD_PLANS.map((p) => ({ Variable: '$.settings.plan', StringEquals: p })), Next: 'FetchDetails' }]);
    expect(choice.Default).toBe('Exposure');
    expect(DASHBOARD_PLANS).toEqual(['business', 'enterprise']);
  });

  it.each<ZoomPlan>(['free', 'pro', 'business', 'enterprise'])('carries the configured plan %s into the Choice', (plan) => {
    const built = build({}, { plan });
    expect(definitionOf(built.template, built.wf).States.Settings?.Result).toEqual({ plan });
  });

  it("waits for the data-access window at the summary's correlate_after before correlating", () => {
    expect(state('WaitForDataAccessWindow')).toMatchObject({ Type: 'Wait', TimestampPath: '$.exposure.correlate_after', Next: 'Correlate' });
    expect(state('WaitForDataAccessWindow').Seconds).toBeUndefined();
    expect(state('Correlate').Parameters).toEqual({ task: 'Correlate', 'summary.$': '$.exposure' });
    expect(state('RaiseAlerts').Parameters).toEqual({ task: 'RaiseAlerts', 'alerts.$': '$.correlate.alerts' });
  });

  it('follows a custom correlation config: the wait, the not-ready interval and bound, the give-up attempts', () => {
    const custom = build({ waitSeconds: 45, notReadyRetries: 2, notReadyIntervalSeconds: 15 });
    const s = definitionOf(custom.template, custom.wf).States;
    expect(s.WaitForReports).toMatchObject({ Type: 'Wait', Seconds: 45 });
    for (const name of ['FetchParticipants', 'FetchDetails']) {
      expect(s[name]?.Retry).toContainEqual({ ErrorEquals: ['MeetingNotReady'], IntervalSeconds: 15, MaxAttempts: 2, BackoffRate: 2 });
    }
    expect(s.ParticipantsUnavailable?.Parameters).toMatchObject({ attempts: 3 });
  });

  it('with no not-ready retries configured, gives up on the first not-ready answer', () => {
    const none = build({ notReadyRetries: 0 });
    const s = definitionOf(none.template, none.wf).States;
    expect(s.FetchParticipants?.Retry).toContainEqual(expect.objectContaining({ ErrorEquals: ['MeetingNotReady'], MaxAttempts: 0 }));
    expect(s.ParticipantsUnavailable?.Parameters).toMatchObject({ attempts: 1 });
  });
});

describe('CorrelationWorkflow least privilege', () => {
  const logsOf = (fn: { logGroup: IConstruct }) => allow(['logs:CreateLogStream', 'logs:PutLogEvents'], arnOf(fn.logGroup));
  const lakeArn = arnOf(lake);
  const resultsArn = arnOf(results);
  const stateStatements = (actions: string[]) => [
    allow(actions.length === 1 ? `dynamodb:${actions[0]}` : actions.map((a) => `dynamodb:${a}`), arnOf(table)),
    allow(['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'], arnOf(key), via('dynamodb')),
  ];
  const athenaStatements = (tables: string[]) => [
    allow(
      ['athena:StartQueryExecution', 'athena:GetQueryExecution', 'athena:GetQueryResults', 'athena:StopQueryExecution'],
      regional('athena', 'workgroup/zoomlake'),
    ),
    allow(
      ['glue:GetDatabase', 'glue:GetTable', 'glue:GetPartitions'],
      [regional('glue', 'catalog'), regional('glue', 'database/zoomlake'), ...tables.map((t) => regional('glue', `table/zoomlake/${t}`))],
    ),
    allow('s3:GetBucketLocation', lakeArn),
    allow('s3:ListBucket', lakeArn, { StringLike: { 's3:prefix': ['zoom/*'] } }),
    allow('s3:GetObject', objects(lake, '/zoom/*')),
    allow(['s3:GetBucketLocation', 's3:ListBucket', 's3:ListBucketMultipartUploads'], resultsArn),
    allow(['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'], objects(results, '/results/*')),
    allow(['kms:Decrypt', 'kms:GenerateDataKey'], arnOf(key), via('s3')),
  ];
  const EXPOSURE_TABLES = [
    'internal_domains',
    'meeting_participants',
    'meeting_participants_raw',
    'participant_details',
    'participant_details_raw',
    'users',
    'users_raw',
    'watched_users',
  ];
  // The download detection's own tables (Correlate runs its query.sql) and the config views.
  const CORRELATE_TABLES = [
    'internal_domains',
    'meeting_participants',
    'meeting_participants_raw',
    'meetings',
    'meetings_raw',
    'operation_logs',
    'operation_logs_raw',
    'participant_details',
    'participant_details_raw',
    'participant_events',
    'participant_events_raw',
    'recording_events',
    'recording_events_raw',
    'recordings',
    'recordings_raw',
    'users',
    'users_raw',
    'watched_users',
  ];

  it('lets the state machine invoke exactly the four task functions and put into the state table, plus the log delivery and X-Ray actions CDK adds', () => {
    const { fetch, exposure, correlate, alerts } = wf.functions;
    expect(statementsOf(template, wf.stateMachine.role)).toEqual([
      ...[fetch, exposure].map((f) => allow('lambda:InvokeFunction', arnOf(f.function))),
      // StoreExposure's PutItem on exactly the state table.
      allow('dynamodb:PutItem', regionalTable),
      ...[correlate, alerts].map((f) => allow('lambda:InvokeFunction', arnOf(f.function))),
      allow(
        [
          'logs:CreateLogDelivery',
          'logs:GetLogDelivery',
          'logs:UpdateLogDelivery',
          'logs:DeleteLogDelivery',
          'logs:ListLogDeliveries',
          'logs:PutResourcePolicy',
          'logs:DescribeResourcePolicies',
          'logs:DescribeLogGroups',
        ],
        '*',
      ),
      allow(['xray:PutTraceSegments', 'xray:PutTelemetryRecords', 'xray:GetSamplingRules', 'xray:GetSamplingTargets'], '*'),
      // DynamoDB uses the table's customer-managed key on the caller's behalf.
      allow(['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'], arnOf(key), via('dynamodb')),
    ]);
    expect(resourceOf(template, wf.stateMachine.role).Properties).toMatchObject({
      AssumeRolePolicyDocument: {
        Statement: [expect.objectContaining({ Action: 'sts:AssumeRole', Principal: { Service: 'states.amazonaws.com' } })],
      },
    });
  });

  it('has no `*` resource but the log delivery and X-Ray actions of the state machine', () => {
    expect(starResources(template).map((s) => [s.Action].flat()[0])).toEqual(['logs:CreateLogDelivery', 'xray:PutTraceSegments']);
  });

  it('lets fetch read the Zoom credentials, use the state table and write only participant rows', () => {
    expect(statementsOf(template, wf.functions.fetch.role)).toEqual([
      logsOf(wf.functions.fetch),
      allow('secretsmanager:GetSecretValue', ref(secret)),
      allow('kms:Decrypt', arnOf(key), via('secretsmanager')),
      ...stateStatements(['GetItem', 'PutItem', 'UpdateItem']),
      allow('s3:PutObject', [objects(lake, '/zoom/meeting_participants/*'), objects(lake, '/zoom/participant_details/*')]),
      allow('kms:GenerateDataKey', arnOf(key), via('s3')),
    ]);
  });

  it('lets exposure query the workgroup over its tables and the config views, with no state table (StoreExposure writes)', () => {
    expect(statementsOf(template, wf.functions.exposure.role)).toEqual([logsOf(wf.functions.exposure), ...athenaStatements(EXPOSURE_TABLES)]);
  });

  it('lets correlate query the workgroup over its tables only, with no state table and no writes to the lake', () => {
    expect(statementsOf(template, wf.functions.correlate.role)).toEqual([logsOf(wf.functions.correlate), ...athenaStatements(CORRELATE_TABLES)]);
  });

  it('lets correlate read the configured data-access table too, and only correlate', () => {
    const withSource = build({ dataAccess: DATA_ACCESS });
    const glueOf = (role: IRole) => statementsOf(withSource.template, role).find((s) => [s.Action].flat().includes('glue:GetTable'))?.Resource;
    expect(glueOf(withSource.wf.functions.correlate.role)).toEqual([
      regional('glue', 'catalog'),
      regional('glue', 'database/zoomlake'),
      ...['cloudtrail_s3', ...CORRELATE_TABLES].map((t) => regional('glue', `table/zoomlake/${t}`)),
    ]);
    expect(JSON.stringify(glueOf(withSource.wf.functions.exposure.role))).not.toContain('cloudtrail_s3');
    expect(JSON.stringify(template.toJSON())).not.toContain('cloudtrail_s3');
  });

  it.each([
    [
      'a prefix',
      's3://org-cloudtrail/AWSLogs/111122223333/CloudTrail/',
      { StringLike: { 's3:prefix': ['AWSLogs/111122223333/CloudTrail/*'] } },
      'AWSLogs/111122223333/CloudTrail/*',
    ],
    ['the whole bucket', 's3://org-dlp-events/', undefined, '*'],
  ])(
    "lets correlate list and read the data-access table's S3 location (%s), decrypting with its key",
    (_name, s3Location, listCondition, objectsUnder) => {
      const kmsKeyArn = 'arn:aws:kms:eu-west-1:111122223333:key/0f0e0d0c-0b0a-0908-0706-050403020100';
      const withLocation = build({ dataAccess: { ...DATA_ACCESS, s3Location, kmsKeyArn } });
      const bucket = /^s3:\/\/([^/]+)\//.exec(s3Location)![1]!;
      const bucketArn = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:s3:::${bucket}`]] };
      const correlateStatements = statementsOf(withLocation.template, withLocation.wf.functions.correlate.role);
      expect(correlateStatements.slice(-4)).toEqual([
        allow('s3:GetBucketLocation', bucketArn),
        allow('s3:ListBucket', bucketArn, listCondition),
        allow('s3:GetObject', { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:s3:::${bucket}/${objectsUnder}`]] }),
        allow('kms:Decrypt', kmsKeyArn, via('s3')),
      ]);
      for (const other of ['fetch', 'exposure', 'alerts'] as const) {
        expect(JSON.stringify(statementsOf(withLocation.template, withLocation.wf.functions[other].role))).not.toContain(bucket);
      }
    },
  );

  it('grants no other bucket and no other key without an S3 location', () => {
    const withSource = build({ dataAccess: DATA_ACCESS });
    const s3Resources = statementsOf(withSource.template, withSource.wf.functions.correlate.role)
      .filter((st) => [st.Action].flat().some((a) => String(a).startsWith('s3:')))
      .map((st) => JSON.stringify(st.Resource));
    expect(s3Resources.every((r) => r.includes(logicalIdOf(withSource.lake)) || r.includes(logicalIdOf(withSource.results)))).toBe(true);
  });

  it('lets alerts use the state table, write alert files and put events on the alert bus only', () => {
    expect(statementsOf(template, wf.functions.alerts.role)).toEqual([
      logsOf(wf.functions.alerts),
      ...stateStatements(['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem', 'Query']),
      allow('s3:PutObject', objects(lake, '/zoom/alerts/*')),
      allow('kms:GenerateDataKey', arnOf(key), via('s3')),
      allow('events:PutEvents', arnOf(alertBus)),
    ]);
  });

  it('lets the starter read the state table (live meetings, directory), start executions of this state machine only, read webhook bodies and dead-letter to its queue', () => {
    expect(statementsOf(template, wf.starter.role)).toEqual([
      logsOf(wf.starter),
      allow(['dynamodb:GetItem', 'dynamodb:Query'], arnOf(table)),
      allow('kms:Decrypt', arnOf(key), via('dynamodb')),
      allow('states:StartExecution', ref(wf.stateMachine)),
      allow('s3:GetObject', objects(lake, '/webhook-bodies/*')),
      allow('kms:Decrypt', arnOf(key), via('s3')),
      allow('sqs:SendMessage', arnOf(wf.deadLetterQueue)),
      allow(['kms:GenerateDataKey', 'kms:Decrypt'], arnOf(key), via('sqs')),
    ]);
  });
});

describe('CorrelationWorkflow functions', () => {
  const envOf = (c: IConstruct) => (props(c).Environment as { Variables: Record<string, unknown> }).Variables;
  /** The environment as Lambda would see it, each token replaced by a plausible string. */
  const resolvedEnv = (c: IConstruct): NodeJS.ProcessEnv =>
    Object.fromEntries(
      Object.entries(envOf(c)).map(([k, v]) => [k, typeof v === 'string' ? v : `resolved-${JSON.stringify(v).replace(/\W+/g, '-')}`]),
    );

  it("sets the environment each handler's fromEnv reads, and fromEnv accepts it", () => {
    expect(envOf(wf.starter.function)).toEqual({
      STATE_MACHINE_ARN: ref(wf.stateMachine),
      LAKE_BUCKET_NAME: ref(lake),
      STATE_TABLE_NAME: ref(table),
      CORRELATION_FILTER: JSON.stringify({
        meetings: 'needed',
        dataAccess: false,
        sensitiveMeetingPatterns: ['\\bboard'],
        watchedUsers: ['cfo@example.com'],
      }),
    });
    expect(() => starterFromEnv(resolvedEnv(wf.starter.function))).not.toThrow();
    // The registry file the construct ships beside the functions that query or raise alerts, as Lambda would find it.
    const bundle = join(mkdtempSync(join(tmpdir(), 'zoomlake-bundle-')), DETECTION_BUNDLE_FILE);
    writeFileSync(bundle, detectionBundle(REGISTRY));
    for (const [name, fn] of Object.entries(wf.functions)) {
      expect(envOf(fn.function).CORRELATION_FUNCTION).toBe(name);
      if (name !== 'fetch') expect(envOf(fn.function).DETECTIONS_SHA256).toBe(bundleSha256(detectionBundle(REGISTRY)));
      const deps = taskFromEnv(resolvedEnv(fn.function), bundle);
      expect(Object.keys(deps)).toEqual([name]);
    }
  });

  it('passes the correlation settings the Athena functions read, without the local file', () => {
    const custom = build({ waitSeconds: 45, dataAccess: { ...DATA_ACCESS, localFile: 'access.parquet' } });
    for (const fn of [custom.wf.functions.exposure, custom.wf.functions.correlate]) {
      const env = (resourceOf(custom.template, fn.function).Properties as { Environment: { Variables: Record<string, string> } }).Environment
        .Variables;
      expect(JSON.parse(env.CORRELATION_SETTINGS ?? '')).toEqual({
        enabled: true,
        waitSeconds: 45,
        notReadyRetries: 6,
        notReadyIntervalSeconds: 120,
        dataAccess: DATA_ACCESS,
      });
    }
  });

  it.each<[string, Record<string, unknown>, Record<string, unknown>]>([
    ['a data-access source', { dataAccess: DATA_ACCESS }, { meetings: 'needed', dataAccess: true }],
    ['every meeting', { meetings: 'all' }, { meetings: 'all', dataAccess: false }],
  ])('tells the starter which meetings to correlate with %s, and only the starter', (_name, correlation, expected) => {
    const custom = build(correlation);
    const envOfFn = (c: IConstruct) =>
      (resourceOf(custom.template, c).Properties as { Environment: { Variables: Record<string, unknown> } }).Environment.Variables;
    expect(JSON.parse(String(envOfFn(custom.wf.starter.function).CORRELATION_FILTER))).toMatchObject(expected);
    for (const fn of Object.values(custom.wf.functions)) {
      expect(envOfFn(fn.function).CORRELATION_FILTER).toBeUndefined();
      // The task functions' settings carry no filter: changing which meetings are correlated redeploys the starter only.
      if (typeof envOfFn(fn.function).CORRELATION_SETTINGS === 'string')
        expect(String(envOfFn(fn.function).CORRELATION_SETTINGS)).not.toContain('meetings');
    }
  });
});

describe('CorrelationWorkflow trigger', () => {
  it('sends meeting.ended from the webhook bus to the starter, with retries and the dead-letter queue', () => {
    expect(props(wf.rule)).toMatchObject({
      EventBusName: ref(webhookBus),
      EventPattern: { source: ['zoomlake.webhook'], account: ['123456789012'], 'detail-type': ['meeting.ended'] },
      Targets: [
        {
          Id: 'Target0',
          Arn: arnOf(wf.starter.function),
          DeadLetterConfig: { Arn: arnOf(wf.deadLetterQueue) },
          RetryPolicy: { MaximumEventAgeInSeconds: 86_400, MaximumRetryAttempts: 185 },
        },
      ],
    });
    expect(Object.keys(props(wf.rule).EventPattern as object).sort()).toEqual(['account', 'detail-type', 'source']);
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      FunctionName: arnOf(wf.starter.function),
      Principal: 'events.amazonaws.com',
      SourceArn: arnOf(wf.rule),
    });
  });

  it('dead-letters failed starts after two asynchronous retries', () => {
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: ref(wf.starter.function),
      MaximumRetryAttempts: 2,
      MaximumEventAgeInSeconds: 21_600,
      DestinationConfig: { OnFailure: { Destination: arnOf(wf.deadLetterQueue) } },
    });
  });

  it('encrypts the dead-letter queue with the key and lets only the rule send to it', () => {
    expect(props(wf.deadLetterQueue)).toMatchObject({ KmsMasterKeyId: arnOf(key), MessageRetentionPeriod: 1_209_600 });
    const policy = Object.values(template.findResources('AWS::SQS::QueuePolicy')).find((p) =>
      JSON.stringify(p).includes(logicalIdOf(wf.deadLetterQueue)),
    ) as { Properties: { PolicyDocument: { Statement: Statement[] } } } | undefined;
    expect(policy?.Properties.PolicyDocument.Statement).toContainEqual({
      Effect: 'Allow',
      Action: 'sqs:SendMessage',
      Principal: { Service: 'events.amazonaws.com' },
      Resource: arnOf(wf.deadLetterQueue),
      Condition: { ArnEquals: { 'aws:SourceArn': arnOf(wf.rule) } },
    });
    expect(policy?.Properties.PolicyDocument.Statement).toContainEqual(
      expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    );
  });

  it('alarms on any dead letter and on any failed execution', () => {
    expect(props(wf.deadLetterAlarm)).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalIdOf(wf.deadLetterQueue), 'QueueName'] } }],
    });
    expect(props(wf.failedAlarm)).toMatchObject({
      Namespace: 'AWS/States',
      MetricName: 'ExecutionsFailed',
      Statistic: 'Sum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Dimensions: [{ Name: 'StateMachineArn', Value: ref(wf.stateMachine) }],
    });
  });

  it('refuses a results prefix that is not a key prefix', () => {
    expect(() => build({}, { resultsPrefix: 'results' })).toThrow(/resultsPrefix must be a key prefix/);
  });
});

describe('the correlation in the detections stack', () => {
  const app = (config: Record<string, unknown> = {}) => buildApp(testConfig(config), new App({ context: NO_BUNDLING }), TEST_ENV);

  it("deploys the state machine by default, on the pipeline's webhook bus", () => {
    const { pipeline, detections } = app();
    const t = Template.fromStack(detections);
    t.resourceCountIs('AWS::StepFunctions::StateMachine', 1);
    expect(detections.correlation).toBeDefined();
    const outputs = Template.fromStack(pipeline).toJSON().Outputs as Record<string, { Value: unknown; Export?: { Name: string } }>;
    const busExport = Object.values(outputs).find((o) => JSON.stringify(o.Value) === JSON.stringify(ref(pipeline.webhook.eventBus)))?.Export?.Name;
    expect(busExport).toBeDefined();
    expect((resourceOf(t, detections.correlation?.rule as IConstruct).Properties as { EventBusName: unknown }).EventBusName).toEqual({
      'Fn::ImportValue': busExport,
    });
    expect(pipeline.dependencies).not.toContain(detections);
  });

  it.each([
    ['correlation.enabled is false', { correlation: { enabled: false } }],
    ['the plan is free (no report API to read participants from)', { planTier: 'free' }],
  ])('synthesizes no state machine, starter or rule for meeting.ended when %s', (_name, config) => {
    const { detections } = app(config);
    const t = Template.fromStack(detections);
    expect(detections.correlation).toBeUndefined();
    t.resourceCountIs('AWS::StepFunctions::StateMachine', 0);
    // The only rule that still forwards meeting.ended is the realtime checks' (for the meeting's end), to their queue.
    const rules = Object.values(t.findResources('AWS::Events::Rule')) as {
      Properties: { EventPattern: { 'detail-type': string[] }; Targets: { Arn: unknown }[] };
    }[];
    const ended = rules.filter((r) => r.Properties.EventPattern['detail-type'].includes('meeting.ended'));
    expect(ended.map((r) => r.Properties.Targets.map((x) => x.Arn))).toEqual([[{ 'Fn::GetAtt': [logicalIdOf(detections.realtime.queue), 'Arn'] }]]);
  });

  it('synthesizes the workflow on a pro plan, which has the report API', () => {
    expect(app({ planTier: 'pro' }).detections.correlation).toBeDefined();
  });

  it('leaves no unacknowledged cdk-nag finding on the correlation resources, with a data-access source and its S3 location configured', () => {
    const built = app({ correlation: { dataAccess: { ...DATA_ACCESS, s3Location: 's3://org-cloudtrail/AWSLogs/' } } });
    applyNagChecks(built.app);
    const report = new AwsSolutionsChecks().validateScope(built.app);
    const findings = report.violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} at ${r.constructPath}`));
    expect(built.detections.node.tryFindChild('Correlation')).toBeDefined();
    expect(findings).toEqual([]);
  });
});
