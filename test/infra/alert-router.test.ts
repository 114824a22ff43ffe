import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../lib/app.ts';
import { AlertBus } from '../../lib/constructs/alert-bus.ts';
import { AlertRouter, severitiesFrom, type AlertRouteConfig, type AlertRouterProps } from '../../lib/constructs/alert-router.ts';
import { applyNagChecks } from '../../lib/nag/checks.ts';
import { TEST_ENV, logicalIdOf, resourceOf, testConfig } from './helpers.ts';
import { NO_BUNDLING, pipelineTestStack, starResources, statementsOf } from './pipeline-helpers.ts';

const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:zoomlake/pagerduty-AbCdEf';
const FUNCTION_ARN = 'arn:aws:lambda:eu-west-1:123456789012:function:soar-intake';

/** One route of each kind, as a user writes them in zoomlake.config.json. */
const ROUTES_INPUT = [
  { name: 'email-high', minSeverity: 'high', target: { type: 'sns', emails: ['SOC@Acme.example', 'ciso@acme.example'] } },
  { name: 'siem', minSeverity: 'info', target: { type: 'sqs' } },
  { name: 'soar', detections: ['zoom.participant.zombie_link', 'zoom.recording.deleted'], target: { type: 'lambda', functionArn: FUNCTION_ARN } },
  { name: 'slack', minSeverity: 'medium', target: { type: 'slack', webhookSecretName: 'zoomlake/slack-webhook' } },
  { name: 'pager', minSeverity: 'critical', target: { type: 'pagerduty', routingKeySecretName: SECRET_ARN } },
];
const ROUTES = testConfig({ alerts: { routes: ROUTES_INPUT } }).alerts.routes;

function build(routes: readonly AlertRouteConfig[] = ROUTES, props: Partial<AlertRouterProps> = {}) {
  const { stack, key } = pipelineTestStack();
  const bus = new AlertBus(stack, 'AlertBus', { encryptionKey: key });
  const router = new AlertRouter(stack, 'Router', { alertBus: bus, routes, encryptionKey: key, ...props });
  return { stack, key, bus, router, template: Template.fromStack(stack) };
}

const { key, bus, router, template } = build();
const arnOf = (construct: Parameters<typeof logicalIdOf>[0]) => ({ 'Fn::GetAtt': [logicalIdOf(construct), 'Arn'] });
const props = (construct: Parameters<typeof logicalIdOf>[0], t = template) => resourceOf(t, construct).Properties as Record<string, unknown>;
const route = (name: string) => {
  const r = router.routes.get(name);
  if (!r) throw new Error(`no route ${name}`);
  return r;
};
const dlq = () => {
  if (!router.deadLetterQueue) throw new Error('no dead-letter queue');
  return router.deadLetterQueue;
};

describe('AlertRouter rules', () => {
  it('creates one rule per route on the alert bus', () => {
    template.resourceCountIs('AWS::Events::Rule', ROUTES.length);
    for (const r of ROUTES) expect(props(route(r.name).rule).EventBusName).toEqual({ Ref: logicalIdOf(bus.eventBus) });
  });

  it.each([
    ['email-high', { severity: ['high', 'critical'] }],
    ['siem', { severity: ['info', 'low', 'medium', 'high', 'critical'] }],
    ['soar', { severity: ['medium', 'high', 'critical'], detection_id: ['zoom.participant.zombie_link', 'zoom.recording.deleted'] }],
    ['slack', { severity: ['medium', 'high', 'critical'] }],
    ['pager', { severity: ['critical'] }],
  ])('route %s matches zoomlake alerts put in this account with detail %j', (name, detail) => {
    expect(props(route(name).rule).EventPattern).toEqual({
      source: ['zoomlake'],
      account: ['123456789012'],
      'detail-type': ['Zoom Security Alert'],
      detail,
    });
  });

  it.each(ROUTES.map((r) => r.name))('route %s has one target with a retry policy and the dead-letter queue', (name) => {
    const targets = props(route(name).rule).Targets as Record<string, unknown>[];
    expect(targets).toHaveLength(1);
    expect(targets[0]).toMatchObject({
      DeadLetterConfig: { Arn: arnOf(dlq()) },
      RetryPolicy: { MaximumEventAgeInSeconds: 86_400, MaximumRetryAttempts: 185 },
    });
    expect(targets[0]?.Input ?? targets[0]?.InputTransformer).toBeUndefined();
  });

  it('lets each rule, and only the rules, send to the dead-letter queue', () => {
    const policy = Object.values(template.findResources('AWS::SQS::QueuePolicy', { Properties: { Queues: [{ Ref: logicalIdOf(dlq()) }] } }))[0] as {
      Properties: { PolicyDocument: { Statement: Record<string, unknown>[] } };
    };
    const allows = policy.Properties.PolicyDocument.Statement.filter((s) => s.Effect === 'Allow');
    expect(allows.map((s) => (s.Condition as { ArnEquals: Record<string, unknown> }).ArnEquals['aws:SourceArn'])).toEqual(
      ROUTES.map((r) => arnOf(route(r.name).rule)),
    );
    for (const s of allows)
      expect(s).toMatchObject({ Principal: { Service: 'events.amazonaws.com' }, Action: 'sqs:SendMessage', Resource: arnOf(dlq()) });
  });

  it('encrypts the dead-letter queue, keeps dead letters 14 days, and alarms on the first one', () => {
    expect(props(dlq())).toMatchObject({ KmsMasterKeyId: arnOf(key), MessageRetentionPeriod: 14 * 86_400 });
    expect(props(router.deadLetterAlarm!)).toMatchObject({
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalIdOf(dlq()), 'QueueName'] } }],
    });
  });

  it('creates nothing without routes', () => {
    const empty = build([]);
    expect(empty.router.deadLetterQueue).toBeUndefined();
    for (const type of ['AWS::Events::Rule', 'AWS::SQS::Queue', 'AWS::SNS::Topic', 'AWS::Lambda::Function']) empty.template.resourceCountIs(type, 0);
  });

  it('refuses a route with an empty detections list', () => {
    expect(() => build([{ name: 'none', minSeverity: 'low', detections: [], target: { type: 'sqs' } }])).toThrow(
      /alert route "none": detections is empty/,
    );
  });

  it.each([
    ['info', ['info', 'low', 'medium', 'high', 'critical']],
    ['medium', ['medium', 'high', 'critical']],
    ['critical', ['critical']],
  ] as const)('severitiesFrom(%s)', (min, list) => expect(severitiesFrom(min)).toEqual(list));
});

describe('AlertRouter SNS route', () => {
  const topic = () => route('email-high').topic!;

  it('encrypts the topic with the key and subscribes each email (lower-cased by config)', () => {
    expect(props(topic())).toMatchObject({ KmsMasterKeyId: arnOf(key) });
    for (const email of ['soc@acme.example', 'ciso@acme.example']) {
      template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: email, TopicArn: { Ref: logicalIdOf(topic()) } });
    }
    template.resourceCountIs('AWS::SNS::Subscription', 2);
  });

  it('targets the topic and lets only its rule publish, over TLS only', () => {
    expect((props(route('email-high').rule).Targets as { Arn: unknown }[])[0]?.Arn).toEqual({ Ref: logicalIdOf(topic()) });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: logicalIdOf(topic()) }],
      PolicyDocument: {
        Statement: [
          {
            Sid: 'AllowPublishThroughSSLOnly',
            Effect: 'Deny',
            Principal: '*',
            Action: 'sns:Publish',
            Resource: { Ref: logicalIdOf(topic()) },
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          },
          {
            Sid: Match.anyValue(),
            Effect: 'Allow',
            Principal: { Service: 'events.amazonaws.com' },
            Action: 'sns:Publish',
            Resource: { Ref: logicalIdOf(topic()) },
            Condition: { ArnEquals: { 'aws:SourceArn': arnOf(route('email-high').rule) } },
          },
        ],
      },
    });
  });

  it('lets EventBridge encrypt for the topics and queues with the key, once', () => {
    const statements = (props(key).KeyPolicy as { Statement: Record<string, unknown>[] }).Statement.filter(
      (s) => s.Sid === 'AllowEventBridgeToEncryptAlertTargets',
    );
    expect(statements).toEqual([
      {
        Sid: 'AllowEventBridgeToEncryptAlertTargets',
        Effect: 'Allow',
        Principal: { Service: 'events.amazonaws.com' },
        Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
        Resource: '*',
      },
    ]);
  });

  it('adds no key statement when no route needs one', () => {
    const slackOnly = build([ROUTES.find((r) => r.name === 'slack')!]);
    const sids = (props(slackOnly.key, slackOnly.template).KeyPolicy as { Statement: { Sid?: string }[] }).Statement.map((s) => s.Sid);
    expect(sids).not.toContain('AllowEventBridgeToEncryptAlertTargets');
  });
});

describe('AlertRouter SQS route', () => {
  const queue = () => route('siem').queue!;

  it('encrypts the queue, keeps messages 14 days and redrives to the dead-letter queue after 5 receives', () => {
    expect(props(queue())).toMatchObject({
      KmsMasterKeyId: arnOf(key),
      MessageRetentionPeriod: 14 * 86_400,
      RedrivePolicy: { deadLetterTargetArn: arnOf(dlq()), maxReceiveCount: 5 },
    });
  });

  it('targets the queue and lets only its rule send, over TLS only', () => {
    expect((props(route('siem').rule).Targets as { Arn: unknown }[])[0]?.Arn).toEqual(arnOf(queue()));
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: logicalIdOf(queue()) }],
      PolicyDocument: {
        Statement: [
          {
            Effect: 'Deny',
            Principal: { AWS: '*' },
            Action: 'sqs:*',
            Resource: arnOf(queue()),
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          },
          {
            Effect: 'Allow',
            Principal: { Service: 'events.amazonaws.com' },
            Action: 'sqs:SendMessage',
            Resource: arnOf(queue()),
            Condition: { ArnEquals: { 'aws:SourceArn': arnOf(route('siem').rule) } },
          },
        ],
      },
    });
  });
});

describe('AlertRouter Lambda route', () => {
  it('targets the function and lets only its rule invoke it', () => {
    expect((props(route('soar').rule).Targets as { Arn: unknown }[])[0]?.Arn).toBe(FUNCTION_ARN);
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      FunctionName: FUNCTION_ARN,
      Principal: 'events.amazonaws.com',
      SourceArn: arnOf(route('soar').rule),
    });
  });

  it('refuses a function in another account', () => {
    const other = {
      name: 'x',
      minSeverity: 'low' as const,
      target: { type: 'lambda' as const, functionArn: 'arn:aws:lambda:eu-west-1:999999999999:function:f' },
    };
    expect(() => build([other])).toThrow(/alert route "x": function .* is in account 999999999999, not 123456789012/);
  });
});

describe.each([
  {
    name: 'slack',
    channel: 'slack',
    secretId: 'zoomlake/slack-webhook',
    grant: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':secretsmanager:eu-west-1:123456789012:secret:zoomlake/slack-webhook-??????']] },
  },
  { name: 'pager', channel: 'pagerduty', secretId: SECRET_ARN, grant: SECRET_ARN },
])('AlertRouter $channel route', ({ name, channel, secretId, grant }) => {
  const notifier = () => route(name).notifier!;

  it('runs a notifier told its channel and secret id, skipping replays, with no secret value in the template', () => {
    expect((props(notifier().function).Environment as { Variables: Record<string, string> }).Variables).toEqual({
      NOTIFY_CHANNEL: channel,
      NOTIFY_SECRET_ID: secretId,
      NOTIFY_REPLAYS: 'false',
    });
    expect(JSON.stringify(template.toJSON())).not.toMatch(/hooks\.slack\.com|events\.pagerduty\.com/);
  });

  it('may read exactly its secret and nothing else of Secrets Manager', () => {
    const statements = statementsOf(template, notifier().role).filter((s) => [s.Action].flat().some((a) => String(a).startsWith('secretsmanager:')));
    expect(statements).toEqual([{ Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: grant }]);
  });

  it('is invoked by its rule only, with the retry policy and dead-letter queue', () => {
    const rule = route(name).rule;
    expect((props(rule).Targets as { Arn: unknown }[])[0]?.Arn).toEqual(arnOf(notifier().function));
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      FunctionName: arnOf(notifier().function),
      Principal: 'events.amazonaws.com',
      SourceArn: arnOf(rule),
    });
  });

  it('may send to the dead-letter queue, encrypting with the key through SQS only', () => {
    const statements = statementsOf(template, notifier().role).filter((s) => [s.Action].flat().some((a) => /^(sqs|kms):/.test(String(a))));
    expect(statements).toEqual([
      { Effect: 'Allow', Action: 'sqs:SendMessage', Resource: arnOf(dlq()) },
      {
        Effect: 'Allow',
        Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
        Resource: arnOf(key),
        Condition: { StringEquals: { 'kms:ViaService': 'sqs.eu-west-1.amazonaws.com' } },
      },
    ]);
  });

  it('retries a failed notification twice, then sends it to the dead-letter queue', () => {
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: logicalIdOf(notifier().function) },
      MaximumRetryAttempts: 2,
      MaximumEventAgeInSeconds: 6 * 3_600,
      DestinationConfig: { OnFailure: { Destination: arnOf(dlq()) } },
    });
  });
});

describe('AlertRouter options', () => {
  it('passes notifyReplays and a PagerDuty URL to the notifiers', () => {
    const custom = build(ROUTES, { notifyReplays: true, pagerDutyEventsUrl: 'https://events.eu.pagerduty.com/v2/enqueue' });
    const env = (n: string) =>
      (props(custom.router.routes.get(n)!.notifier!.function, custom.template).Environment as { Variables: Record<string, string> }).Variables;
    expect(env('pager')).toMatchObject({ NOTIFY_REPLAYS: 'true', PAGERDUTY_EVENTS_URL: 'https://events.eu.pagerduty.com/v2/enqueue' });
    expect(env('slack')).toEqual({ NOTIFY_CHANNEL: 'slack', NOTIFY_SECRET_ID: 'zoomlake/slack-webhook', NOTIFY_REPLAYS: 'true' });
  });

  it('grants no IAM action on resource "*"', () => {
    expect(starResources(template)).toEqual([]);
  });
});

describe('the app with every kind of route', () => {
  const app = new App({ context: NO_BUNDLING });
  const built = buildApp(testConfig({ alerts: { routes: ROUTES_INPUT } }), app, TEST_ENV);
  applyNagChecks(app);

  it('wires the router into the detections stack', () => {
    expect([...built.detections.alertRouter.routes.keys()]).toEqual(ROUTES.map((r) => r.name));
  });

  it('has no unacknowledged cdk-nag finding', () => {
    const report = new AwsSolutionsChecks().validateScope(app);
    expect(report.violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} at ${r.constructPath}`))).toEqual([]);
  });
});

describe.each([
  ['a Slack route only', ROUTES_INPUT.filter((r) => r.name === 'slack')],
  ['an SNS route only', ROUTES_INPUT.filter((r) => r.name === 'email-high')],
  ['a Lambda route only', ROUTES_INPUT.filter((r) => r.name === 'soar')],
])('the app with %s', (_name, routes) => {
  it('has no unacknowledged cdk-nag finding', () => {
    const app = new App({ context: NO_BUNDLING });
    buildApp(testConfig({ alerts: { routes } }), app, TEST_ENV);
    applyNagChecks(app);
    const report = new AwsSolutionsChecks().validateScope(app);
    expect(report.violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} at ${r.constructPath}`))).toEqual([]);
  });
});
