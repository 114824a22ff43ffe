import { Duration } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { AttributeType, TableEncryptionV2, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { describe, expect, it } from 'vitest';
import { ScheduledPoller, type ScheduledPollerProps } from '../../lib/constructs/scheduled-poller.ts';
import { logicalIdOf, resourceOf, testConfig } from './helpers.ts';
import { pipelineTestStack, starResources, statementsOf } from './pipeline-helpers.ts';

function build(config: Record<string, unknown> = {}, props: Partial<ScheduledPollerProps> = {}) {
  const { stack, key, lake } = pipelineTestStack();
  const table = new TableV2(stack, 'State', {
    partitionKey: { name: 'pk', type: AttributeType.STRING },
    sortKey: { name: 'sk', type: AttributeType.STRING },
    encryption: TableEncryptionV2.customerManagedKey(key),
  });
  const cfg = testConfig(config);
  const poller = new ScheduledPoller(stack, 'Poller', {
    encryptionKey: key,
    lakeBucket: lake,
    stateTable: table,
    sources: cfg.sources,
    plan: cfg.planTier,
    apiBudgetShare: cfg.apiBudgetShare,
    ...props,
  });
  return { stack, key, lake, table, poller, template: Template.fromStack(stack) };
}

const { key, lake, table, poller, template } = build({
  sources: { recordings: { enabled: false }, users: { schedule: 'cron(0 3 * * ? *)' } },
  planTier: 'pro',
  apiBudgetShare: 0.25,
});
const keyArn = { 'Fn::GetAtt': [logicalIdOf(key), 'Arn'] };
const fnArn = { 'Fn::GetAtt': [logicalIdOf(poller.poller.function), 'Arn'] };
const schedulesOf = (t: Template) =>
  Object.values(t.findResources('AWS::Scheduler::Schedule')) as {
    Properties: { ScheduleExpression: string; Target: { Input: string } & Record<string, unknown> };
  }[];
const inputs = (t: Template) =>
  schedulesOf(t)
    .map((s) => (JSON.parse(s.Properties.Target.Input) as { source: string }).source)
    .sort();

describe('ScheduledPoller', () => {
  it('schedules each enabled source the poller knows, with {source} as input', () => {
    expect(inputs(template)).toEqual(['activities', 'meetings', 'operation_logs', 'participant_details', 'users']);
  });

  it('gives a disabled source no schedule, and chat_messages one only when enabled', () => {
    expect(inputs(template)).not.toContain('recordings');
    expect(inputs(template)).not.toContain('chat_messages');
    const chat = build({ sources: { chat_messages: { enabled: true, schedule: 'cron(30 2 * * ? *)' } } });
    expect(inputs(chat.template)).toContain('chat_messages');
    expect(inputs(chat.template)).toContain('recordings');
    const schedule = schedulesOf(chat.template).find((x) => x.Properties.Target.Input.includes('"chat_messages"'));
    expect(schedule?.Properties.ScheduleExpression).toBe('cron(30 2 * * ? *)');
    expect(Object.keys(chat.poller.stalledAlarms)).toContain('chat_messages');
  });

  it('tells the poller whether chat message text is collected, off by default', () => {
    const envOf = (b: ReturnType<typeof build>) =>
      (resourceOf(b.template, b.poller.poller.function).Properties as { Environment: { Variables: Record<string, unknown> } }).Environment.Variables;
    expect(envOf(build({ sources: { chat_messages: { enabled: true } } })).CHAT_INCLUDE_CONTENT).toBe('false');
    expect(envOf(build({ sources: { chat_messages: { enabled: true, includeContent: true } } })).CHAT_INCLUDE_CONTENT).toBe('true');
  });

  it('schedules meeting_activities on Business plans and higher only, saying why it is left out below', () => {
    expect(inputs(template)).not.toContain('meeting_activities');
    expect(Object.keys(poller.stalledAlarms)).not.toContain('meeting_activities');
    expect(
      Annotations.fromStack(build({ planTier: 'pro' }).stack).findInfo('*', Match.stringLikeRegexp('meeting_activities source is not scheduled')),
    ).toHaveLength(1);
    for (const planTier of ['business', 'enterprise']) {
      const b = build({ planTier });
      expect(inputs(b.template)).toContain('meeting_activities');
      expect(Object.keys(b.poller.stalledAlarms)).toContain('meeting_activities');
      expect(Annotations.fromStack(b.stack).findInfo('*', Match.anyValue())).toEqual([]);
    }
    const off = build({ planTier: 'business', sources: { meeting_activities: { enabled: false } } });
    expect(inputs(off.template)).not.toContain('meeting_activities');
  });

  it('tells the poller which meeting activity types to read', () => {
    const envOf = (b: ReturnType<typeof build>) =>
      (resourceOf(b.template, b.poller.poller.function).Properties as { Environment: { Variables: Record<string, unknown> } }).Environment.Variables;
    const types = ['Remote Control', 'In-Meeting Chat'];
    expect(envOf(build({ sources: { meeting_activities: { activityTypes: types } } })).MEETING_ACTIVITY_TYPES).toBe(JSON.stringify(types));
  });

  it('passes the configured risk signals to the poller as JSON lists', () => {
    const cfg = testConfig({ internalDomains: ['example.com'], sensitiveMeetingPatterns: ['board', 'm&a'], watchedUsers: ['ceo@example.com'] });
    const b = build({}, { riskSignals: cfg });
    const env = (resourceOf(b.template, b.poller.poller.function).Properties as { Environment: { Variables: Record<string, unknown> } }).Environment
      .Variables;
    expect(env).toMatchObject({
      INTERNAL_DOMAINS: '["example.com"]',
      SENSITIVE_MEETING_PATTERNS: '["board","m&a"]',
      WATCHED_USERS: '["ceo@example.com"]',
    });
  });

  it('refuses risk lists too long for the Lambda environment, naming the variable', () => {
    const watchedUsers = Array.from({ length: 200 }, (_, i) => `executive.number.${i}@example.com`);
    expect(() => build({}, { riskSignals: { internalDomains: [], sensitiveMeetingPatterns: [], watchedUsers } })).toThrow(
      /environment takes about \d+ bytes, over Lambda's 4096; WATCHED_USERS alone is \d+/,
    );
  });

  it('alarms when participant details are given up from the budget backlog', () => {
    expect(resourceOf(template, poller.backlogDroppedAlarm!).Properties).toMatchObject({
      Namespace: 'zoomlake',
      MetricName: 'BacklogDropped',
      Dimensions: [{ Name: 'Source', Value: 'participant_details' }],
      Statistic: 'Sum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
    });
    expect(build({ sources: { participant_details: { enabled: false } } }).poller.backlogDroppedAlarm).toBeUndefined();
  });

  it('alarms when report participants are given up from the meetings backlog', () => {
    expect(resourceOf(template, poller.meetingsBacklogDroppedAlarm!).Properties).toMatchObject({
      Namespace: 'zoomlake',
      MetricName: 'BacklogDropped',
      Dimensions: [{ Name: 'Source', Value: 'meetings' }],
      Statistic: 'Sum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
    });
    expect(build({ sources: { meetings: { enabled: false } } }).poller.meetingsBacklogDroppedAlarm).toBeUndefined();
  });

  it("uses each source's configured schedule expression", () => {
    const users = schedulesOf(template).find((s) => s.Properties.Target.Input.includes('"users"'));
    expect(users?.Properties.ScheduleExpression).toBe('cron(0 3 * * ? *)');
    const activities = schedulesOf(template).find((s) => s.Properties.Target.Input.includes('"activities"'));
    expect(activities?.Properties.ScheduleExpression).toBe('rate(1 hour)');
  });

  it('invokes the poller with two retries within an hour, then the KMS-encrypted, TLS-only dead-letter queue', () => {
    const dlqArn = { 'Fn::GetAtt': [logicalIdOf(poller.deadLetterQueue), 'Arn'] };
    for (const schedule of schedulesOf(template)) {
      expect(schedule.Properties.Target).toMatchObject({
        Arn: fnArn,
        RoleArn: { 'Fn::GetAtt': [logicalIdOf(poller.schedulerRole), 'Arn'] },
        RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 3_600 },
        DeadLetterConfig: { Arn: dlqArn },
      });
    }
    expect(resourceOf(template, poller.deadLetterQueue).Properties).toMatchObject({ KmsMasterKeyId: keyArn });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
  });

  it('lets the scheduler invoke only the poller function and dead-letter only to its queue', () => {
    const statements = statementsOf(template, poller.schedulerRole);
    expect(statements).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ Action: 'lambda:InvokeFunction', Resource: fnArn }),
        expect.objectContaining({ Action: 'sqs:SendMessage', Resource: { 'Fn::GetAtt': [logicalIdOf(poller.deadLetterQueue), 'Arn'] } }),
      ]),
    );
    expect(statements).toHaveLength(3);
    expect(resourceOf(template, poller.schedulerRole).Properties).toMatchObject({
      AssumeRolePolicyDocument: {
        Statement: [{ Principal: { Service: 'scheduler.amazonaws.com' }, Condition: { StringEquals: { 'aws:SourceAccount': '123456789012' } } }],
      },
    });
  });

  it('keeps the Zoom credentials in a KMS-encrypted, retained secret', () => {
    const secret = resourceOf(template, poller.credentials);
    expect(secret).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain', Properties: { KmsKeyId: keyArn } });
    const generate = (secret.Properties as { GenerateSecretString: { SecretStringTemplate: string; GenerateStringKey: string } })
      .GenerateSecretString;
    expect(Object.keys(JSON.parse(generate.SecretStringTemplate) as object).sort()).toEqual(['accountId', 'clientId']);
    expect(generate.GenerateStringKey).toBe('clientSecret');
  });

  it('grants the poller exactly its secret, the state table and zoom/* in the lake', () => {
    const statements = statementsOf(template, poller.poller.role).filter((s) => ![s.Action].flat().some((a) => String(a).startsWith('logs:')));
    const viaService = (service: string) => ({ StringEquals: { 'kms:ViaService': `${service}.eu-west-1.amazonaws.com` } });
    expect(statements).toEqual([
      { Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: { Ref: logicalIdOf(poller.credentials) } },
      { Effect: 'Allow', Action: 'kms:Decrypt', Resource: keyArn, Condition: viaService('secretsmanager') },
      {
        Effect: 'Allow',
        Action: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:Query'],
        Resource: { 'Fn::GetAtt': [logicalIdOf(table), 'Arn'] },
      },
      { Effect: 'Allow', Action: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'], Resource: keyArn, Condition: viaService('dynamodb') },
      { Effect: 'Allow', Action: 's3:PutObject', Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [logicalIdOf(lake), 'Arn'] }, '/zoom/*']] } },
      { Effect: 'Allow', Action: 'kms:GenerateDataKey', Resource: keyArn, Condition: viaService('s3') },
    ]);
    expect(starResources(template)).toEqual([]);
  });

  it('sets the environment the poller handler reads', () => {
    const env = (resourceOf(template, poller.poller.function).Properties as { Environment: { Variables: Record<string, unknown> } }).Environment
      .Variables;
    expect(env).toEqual({
      ZOOM_CREDENTIALS_SECRET_ARN: { Ref: logicalIdOf(poller.credentials) },
      ZOOM_PLAN: 'pro',
      API_BUDGET_SHARE: '0.25',
      STATE_TABLE_NAME: { Ref: logicalIdOf(table) },
      LAKE_BUCKET_NAME: { Ref: logicalIdOf(lake) },
      LEASE_SECONDS: '600',
      INTERNAL_DOMAINS: '[]',
      SENSITIVE_MEETING_PATTERNS: '[]',
      WATCHED_USERS: '[]',
      CHAT_INCLUDE_CONTENT: 'false',
      MEETING_ACTIVITY_TYPES: '["Remote Control"]',
    });
  });

  it('runs for 10 minutes by default, and as long as asked with a matching lease', () => {
    expect(resourceOf(template, poller.poller.function).Properties).toMatchObject({ Timeout: 600 });
    const custom = build({}, { timeout: Duration.minutes(3) });
    const props = resourceOf(custom.template, custom.poller.poller.function).Properties as {
      Timeout: number;
      Environment: { Variables: Record<string, unknown> };
    };
    expect(props.Timeout).toBe(180);
    expect(props.Environment.Variables.LEASE_SECONDS).toBe('180');
  });

  it('alarms on any function error and any dead-lettered run', () => {
    expect(resourceOf(template, poller.errorsAlarm).Properties).toMatchObject({
      MetricName: 'Errors',
      Namespace: 'AWS/Lambda',
      Statistic: 'Sum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: logicalIdOf(poller.poller.function) } }],
    });
    expect(resourceOf(template, poller.deadLetterAlarm).Properties).toMatchObject({
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Namespace: 'AWS/SQS',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalIdOf(poller.deadLetterQueue), 'QueueName'] } }],
    });
  });

  it('alarms per scheduled source when its cursor has not advanced for 24 hours, missing data included', () => {
    expect(Object.keys(poller.stalledAlarms).sort()).toEqual(inputs(template));
    for (const [source, alarm] of Object.entries(poller.stalledAlarms)) {
      expect(resourceOf(template, alarm).Properties).toMatchObject({
        Namespace: 'zoomlake',
        MetricName: 'CursorAdvanced',
        Dimensions: [{ Name: 'Source', Value: source }],
        Statistic: 'Sum',
        Period: 86_400,
        EvaluationPeriods: 1,
        Threshold: 1,
        ComparisonOperator: 'LessThanThreshold',
        TreatMissingData: 'breaching',
      });
    }
  });
});
