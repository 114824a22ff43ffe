import { Template } from 'aws-cdk-lib/assertions';
import { EventBus } from 'aws-cdk-lib/aws-events';
import { describe, expect, it } from 'vitest';
import { ZoomWebhookApi, type ZoomWebhookApiProps } from '../../lib/constructs/zoom-webhook-api.ts';
import { logicalIdOf, resourceOf } from './helpers.ts';
import { nodeMajor, pipelineTestStack, starResources, statementsOf } from './pipeline-helpers.ts';

function build(props: Partial<ZoomWebhookApiProps> = {}, withBus = false) {
  const { stack, key, lake } = pipelineTestStack();
  const bus = withBus ? new EventBus(stack, 'GivenBus') : undefined;
  const api = new ZoomWebhookApi(stack, 'Webhook', { encryptionKey: key, lakeBucket: lake, eventBus: bus, ...props });
  return { stack, key, lake, bus, api, template: Template.fromStack(stack) };
}

const { stack, key, lake, api, template } = build();
const keyArn = { 'Fn::GetAtt': [logicalIdOf(key), 'Arn'] };
const functionProps = (t = template, a = api) => resourceOf(t, a.handler.function).Properties as Record<string, unknown>;

type Props = Record<string, unknown>;
const only = (t: Template, type: string): Props => {
  const all = Object.values(t.findResources(type)) as { Properties: Props }[];
  expect(all).toHaveLength(1);
  return all[0]?.Properties ?? {};
};
const ref = (c: Parameters<typeof logicalIdOf>[0]) => ({ Ref: logicalIdOf(c) });
const rules = (t = template) => only(t, 'AWS::WAFv2::WebACL').Rules as Props[];
const alarmProps = (alarm: Parameters<typeof logicalIdOf>[0], t = template) => resourceOf(t, alarm).Properties as Props;

describe('ZoomWebhookApi', () => {
  it('serves one regional REST API with one method, POST /zoom/webhook', () => {
    expect(only(template, 'AWS::ApiGateway::RestApi')).toMatchObject({ EndpointConfiguration: { Types: ['REGIONAL'] } });
    expect(only(template, 'AWS::ApiGateway::Method')).toMatchObject({ HttpMethod: 'POST', ResourceId: ref(api.method.resource) });
    expect(api.method.resource.path).toBe('/zoom/webhook');
  });

  it('treats every media type as binary, so the function gets the exact bytes Zoom signed, base64-encoded', () => {
    expect(only(template, 'AWS::ApiGateway::RestApi').BinaryMediaTypes).toEqual(['*/*']);
  });

  it('proxies the method to the webhook function', () => {
    expect(only(template, 'AWS::ApiGateway::Method').Integration).toMatchObject({
      Type: 'AWS_PROXY',
      IntegrationHttpMethod: 'POST',
      Uri: { 'Fn::Join': ['', expect.arrayContaining([{ 'Fn::GetAtt': [logicalIdOf(api.handler.function), 'Arn'] }])] },
    });
  });

  it('answers a request without both Zoom signature headers 400 before invoking the function', () => {
    expect(only(template, 'AWS::ApiGateway::Method')).toMatchObject({
      RequestParameters: { 'method.request.header.x-zm-signature': true, 'method.request.header.x-zm-request-timestamp': true },
    });
    const validators = template.findResources('AWS::ApiGateway::RequestValidator');
    const [validatorId] = Object.keys(validators);
    expect(only(template, 'AWS::ApiGateway::Method').RequestValidatorId).toEqual({ Ref: validatorId });
    expect(only(template, 'AWS::ApiGateway::RequestValidator')).toMatchObject({ ValidateRequestParameters: true, RestApiId: ref(api.api) });
  });

  it('lets only this API invoke the function, and only through POST /zoom/webhook on its stage', () => {
    const permission = only(template, 'AWS::Lambda::Permission');
    expect(permission).toMatchObject({ Action: 'lambda:InvokeFunction', Principal: 'apigateway.amazonaws.com' });
    const sourceArn = JSON.stringify(permission.SourceArn);
    expect(sourceArn).toContain(JSON.stringify(ref(api.api)));
    expect(sourceArn).toContain(`/",${JSON.stringify(ref(api.stage))},"/POST/zoom/webhook"`);
  });

  it('serves the stage zoomlake, and takes over no account-wide API Gateway setting and adds no output', () => {
    expect(only(template, 'AWS::ApiGateway::Stage')).toMatchObject({ StageName: 'zoomlake', RestApiId: ref(api.api) });
    template.resourceCountIs('AWS::ApiGateway::Account', 0);
    expect(template.toJSON().Outputs).toBeUndefined();
  });

  it('throttles the stage to 300 requests per second with bursts of 600 by default (a 10,000-user account)', () => {
    expect(only(template, 'AWS::ApiGateway::Stage').MethodSettings).toEqual([
      { HttpMethod: '*', ResourcePath: '/*', ThrottlingRateLimit: 300, ThrottlingBurstLimit: 600, DataTraceEnabled: false },
    ]);
  });

  it('throttles the stage as configured', () => {
    const custom = build({ throttlingRateLimit: 5, throttlingBurstLimit: 9 });
    expect(only(custom.template, 'AWS::ApiGateway::Stage').MethodSettings).toEqual([
      expect.objectContaining({ ThrottlingRateLimit: 5, ThrottlingBurstLimit: 9 }),
    ]);
  });

  it('writes access logs as JSON with the request id, source IP, status, error type and WAF verdict to its log group', () => {
    const stage = resourceOf(template, api.stage).Properties as { AccessLogSetting: { DestinationArn: unknown; Format: string } };
    expect(stage.AccessLogSetting.DestinationArn).toEqual({ 'Fn::GetAtt': [logicalIdOf(api.accessLogs), 'Arn'] });
    expect(JSON.parse(stage.AccessLogSetting.Format)).toMatchObject({
      requestId: '$context.requestId',
      apiId: '$context.apiId',
      sourceIp: '$context.identity.sourceIp',
      status: '$context.status',
      errorType: '$context.error.responseType',
      waf: '$context.wafResponseCode',
    });
  });

  it('never puts headers or bodies in the access log format', () => {
    const stage = resourceOf(template, api.stage).Properties as { AccessLogSetting: { Format: string } };
    expect(stage.AccessLogSetting.Format).not.toMatch(/header|body|signature|requestOverride/i);
  });

  it('encrypts both log groups with the key and keeps them a year, retained on deletion', () => {
    for (const group of [api.accessLogs, api.handler.logGroup]) {
      expect(resourceOf(template, group)).toMatchObject({ Properties: { KmsKeyId: keyArn, RetentionInDays: 365 }, DeletionPolicy: 'Retain' });
    }
  });

  it("runs the handler on Node.js 22 or newer, arm64, 512 MB, with a timeout just past Zoom's 3 seconds", () => {
    const props = functionProps();
    expect(nodeMajor(props.Runtime)).toBeGreaterThanOrEqual(22);
    expect(props).toMatchObject({ Architectures: ['arm64'], MemorySize: 512, Timeout: 5 });
  });

  it('tells the function its bus, bucket, secret and limits', () => {
    expect((functionProps().Environment as { Variables: unknown }).Variables).toEqual({
      EVENT_BUS_NAME: { Ref: logicalIdOf(api.eventBus) },
      LAKE_BUCKET_NAME: { Ref: logicalIdOf(lake) },
      WEBHOOK_SECRET_ARN: { Ref: logicalIdOf(api.secret) },
      REPLAY_WINDOW_SECONDS: '5400',
      MAX_BODY_BYTES: '2097152',
    });
  });

  it('passes the configured replay window and body limit to the function', () => {
    const custom = build({ replayWindowSeconds: 600, maxBodyBytes: 65_536 });
    expect((functionProps(custom.template, custom.api).Environment as { Variables: unknown }).Variables).toMatchObject({
      REPLAY_WINDOW_SECONDS: '600',
      MAX_BODY_BYTES: '65536',
    });
  });

  it('reserves concurrency only when asked', () => {
    expect(functionProps().ReservedConcurrentExecutions).toBeUndefined();
    const custom = build({ reservedConcurrency: 20 });
    expect(functionProps(custom.template, custom.api).ReservedConcurrentExecutions).toBe(20);
  });

  it('grants the function exactly: its logs, PutEvents on the bus, the secret, and writes under webhook-bodies/', () => {
    expect(statementsOf(template, api.handler.role)).toEqual([
      {
        Effect: 'Allow',
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: { 'Fn::GetAtt': [logicalIdOf(api.handler.logGroup), 'Arn'] },
      },
      { Effect: 'Allow', Action: 'events:PutEvents', Resource: { 'Fn::GetAtt': [logicalIdOf(api.eventBus), 'Arn'] } },
      { Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: { Ref: logicalIdOf(api.secret) } },
      {
        Effect: 'Allow',
        Action: 'kms:Decrypt',
        Resource: keyArn,
        Condition: { StringEquals: { 'kms:ViaService': 'secretsmanager.eu-west-1.amazonaws.com' } },
      },
      {
        Effect: 'Allow',
        Action: 's3:PutObject',
        Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [logicalIdOf(lake), 'Arn'] }, '/webhook-bodies/*']] },
      },
      {
        Effect: 'Allow',
        Action: 'kms:GenerateDataKey',
        Resource: keyArn,
        Condition: { StringEquals: { 'kms:ViaService': 's3.eu-west-1.amazonaws.com' } },
      },
    ]);
  });

  it('grants no IAM permission on every resource', () => {
    expect(starResources(template)).toEqual([]);
  });

  it('creates the webhook secret encrypted with the key, holding a generated placeholder', () => {
    expect(resourceOf(template, api.secret).Properties).toMatchObject({
      KmsKeyId: keyArn,
      GenerateSecretString: { PasswordLength: 64, ExcludePunctuation: true },
    });
  });

  it('retains the webhook secret when the stack is deleted or the secret replaced', () => {
    expect(resourceOf(template, api.secret)).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });

  it('creates its own event bus by default', () => {
    template.resourceCountIs('AWS::Events::EventBus', 1);
    expect(api.eventBus.node.scope).toBe(api);
  });

  it('publishes to the bus it is given instead of creating one', () => {
    const given = build({}, true);
    given.template.resourceCountIs('AWS::Events::EventBus', 1);
    expect(given.api.eventBus).toBe(given.bus);
    expect(statementsOf(given.template, given.api.handler.role)).toContainEqual({
      Effect: 'Allow',
      Action: 'events:PutEvents',
      Resource: { 'Fn::GetAtt': [logicalIdOf(given.bus ?? given.api.eventBus), 'Arn'] },
    });
  });

  it('exposes the webhook URL as the stage URL plus /zoom/webhook', () => {
    expect(stack.resolve(api.webhookUrl)).toEqual({
      'Fn::Join': ['', ['https://', ref(api.api), '.execute-api.eu-west-1.', { Ref: 'AWS::URLSuffix' }, '/', ref(api.stage), '/zoom/webhook']],
    });
  });
});

describe('ZoomWebhookApi firewall', () => {
  it('puts the stage behind a regional AWS WAF web ACL that allows what no rule blocks', () => {
    expect(only(template, 'AWS::WAFv2::WebACL')).toMatchObject({ Scope: 'REGIONAL', DefaultAction: { Allow: {} } });
    expect(only(template, 'AWS::WAFv2::WebACLAssociation')).toEqual({
      WebACLArn: { 'Fn::GetAtt': [logicalIdOf(api.firewall.webAcl), 'Arn'] },
      ResourceArn: {
        'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':apigateway:eu-west-1::/restapis/', ref(api.api), '/stages/', ref(api.stage)]],
      },
    });
  });

  it('limits each source IP to 6,000 requests a minute by default, answering it 429', () => {
    expect(rules()).toEqual([
      expect.objectContaining({
        Name: 'RatePerSourceIp',
        Statement: { RateBasedStatement: { AggregateKeyType: 'IP', Limit: 6_000, EvaluationWindowSec: 60 } },
        Action: { Block: { CustomResponse: { ResponseCode: 429 } } },
        VisibilityConfig: expect.objectContaining({ CloudWatchMetricsEnabled: true }),
      }),
    ]);
  });

  it('takes the per-IP limit from its props', () => {
    const custom = build({ perIpRequestsPerMinute: 1_200 });
    expect(rules(custom.template)[0]).toMatchObject({ Statement: { RateBasedStatement: { Limit: 1_200 } } });
  });

  it('lets every source through to the per-IP limit when no allow-list is given', () => {
    template.resourceCountIs('AWS::WAFv2::IPSet', 0);
  });

  it('answers 403 to every source outside the allow-list, IPv4 and IPv6 ranges in IP sets of their own, before the per-IP limit', () => {
    const custom = build({ allowedSourceCidrs: ['3.7.35.0/25', '2407:30c0:180::/48', '170.114.0.0/16'] });
    const sets = Object.values(custom.template.findResources('AWS::WAFv2::IPSet')) as { Properties: Props }[];
    expect(sets.map((set) => set.Properties)).toEqual([
      expect.objectContaining({ Scope: 'REGIONAL', IPAddressVersion: 'IPV4', Addresses: ['3.7.35.0/25', '170.114.0.0/16'] }),
      expect.objectContaining({ Scope: 'REGIONAL', IPAddressVersion: 'IPV6', Addresses: ['2407:30c0:180::/48'] }),
    ]);
    const [v4, v6] = custom.api.firewall.ipSets.map((set) => ({ IPSetReferenceStatement: { Arn: { 'Fn::GetAtt': [logicalIdOf(set), 'Arn'] } } }));
    expect(rules(custom.template).map((r) => r.Name)).toEqual(['OutsideAllowedSources', 'RatePerSourceIp']);
    expect(rules(custom.template)[0]).toMatchObject({
      Priority: 0,
      Statement: { NotStatement: { Statement: { OrStatement: { Statements: [v4, v6] } } } },
      Action: { Block: {} },
    });
  });

  it("references a one-family allow-list's IP set directly", () => {
    const custom = build({ allowedSourceCidrs: ['3.7.35.0/25'] });
    const [v4] = custom.api.firewall.ipSets;
    expect(rules(custom.template)[0]).toMatchObject({
      Statement: { NotStatement: { Statement: { IPSetReferenceStatement: { Arn: { 'Fn::GetAtt': [logicalIdOf(v4 ?? custom.api), 'Arn'] } } } } },
    });
  });
});

describe('ZoomWebhookApi bus policy', () => {
  const denial = (t = template, a = api) => ({
    Effect: 'Deny',
    Principal: { AWS: '*' },
    Action: 'events:PutEvents',
    Resource: { 'Fn::GetAtt': [logicalIdOf(a.eventBus), 'Arn'] },
    Condition: {
      'ForAnyValue:StringEquals': { 'events:source': ['zoomlake.webhook'] },
      ArnNotEquals: { 'aws:PrincipalArn': [{ 'Fn::GetAtt': [logicalIdOf(a.handler.role), 'Arn'] }] },
    },
    Sid: (only(t, 'AWS::Events::EventBusPolicy').Statement as Props).Sid,
  });

  it("denies zoomlake.webhook events on its bus to every principal but the webhook function's role", () => {
    expect(only(template, 'AWS::Events::EventBusPolicy')).toEqual({
      EventBusName: ref(api.eventBus),
      StatementId: 'Only-zoomlake-webhook-producers',
      Statement: denial(),
    });
  });

  it('reserves the source on the bus it is given, too', () => {
    const given = build({}, true);
    expect(only(given.template, 'AWS::Events::EventBusPolicy')).toMatchObject({
      EventBusName: ref(given.bus ?? given.api.eventBus),
      Statement: denial(given.template, given.api),
    });
  });

  it('grants nothing on the bus: the only statement is a deny', () => {
    expect((only(template, 'AWS::Events::EventBusPolicy').Statement as Props).Effect).toBe('Deny');
  });
});

describe('ZoomWebhookApi alarms', () => {
  it('alarms when a quarter or more of the requests are answered 4xx, three 5-minute periods running', () => {
    expect(alarmProps(api.clientErrorRateAlarm)).toMatchObject({
      Namespace: 'AWS/ApiGateway',
      MetricName: '4XXError',
      Statistic: 'Average',
      Period: 300,
      Dimensions: [{ Name: 'ApiName', Value: only(template, 'AWS::ApiGateway::RestApi').Name }],
      Threshold: 0.25,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      EvaluationPeriods: 3,
    });
  });

  it("counts the stage's 429 answers from its access log, per API", () => {
    expect(only(template, 'AWS::Logs::MetricFilter')).toEqual({
      LogGroupName: ref(api.accessLogs),
      FilterPattern: '{ $.status = "429" }',
      MetricTransformations: [
        { MetricNamespace: 'zoomlake', MetricName: 'WebhookThrottled', MetricValue: '1', Dimensions: [{ Key: 'ApiId', Value: '$.apiId' }] },
      ],
    });
  });

  it('alarms on any 429 in 5 minutes, from the stage throttle or the per-IP limit', () => {
    const alarm = alarmProps(api.throttledAlarm);
    expect(alarm).toMatchObject({ Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', EvaluationPeriods: 1 });
    const metrics = alarm.Metrics as Props[];
    expect(metrics.find((m) => m.ReturnData === true)).toMatchObject({ Expression: 'MAX([FILL(stage, 0), FILL(perIp, 0)])' });
    expect(metrics.find((m) => m.Id === 'stage')).toMatchObject({
      MetricStat: {
        Metric: { Namespace: 'zoomlake', MetricName: 'WebhookThrottled', Dimensions: [{ Name: 'ApiId', Value: ref(api.api) }] },
        Stat: 'Sum',
        Period: 300,
      },
    });
    const perIp = (metrics.find((m) => m.Id === 'perIp')?.MetricStat as { Metric: { Dimensions: { Name: string; Value: unknown }[] } }).Metric;
    expect(perIp).toMatchObject({ Namespace: 'AWS/WAFV2', MetricName: 'BlockedRequests' });
    const rateRule = rules().find((r) => r.Name === 'RatePerSourceIp')?.VisibilityConfig as Props;
    const acl = only(template, 'AWS::WAFv2::WebACL').VisibilityConfig as Props;
    expect(Object.fromEntries(perIp.Dimensions.map((d) => [d.Name, d.Value]))).toEqual({
      WebACL: acl.MetricName,
      Rule: rateRule.MetricName,
      Region: 'eu-west-1',
    });
  });

  it('alarms on any 5xx from the receiver in 5 minutes', () => {
    expect(alarmProps(api.serverErrorAlarm)).toMatchObject({
      Namespace: 'AWS/ApiGateway',
      MetricName: '5XXError',
      Statistic: 'Sum',
      Period: 300,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
  });

  it('alarms when verified events fall below their learned band for 30 minutes, no request at all counting as none verified', () => {
    const alarm = alarmProps(api.verifiedEventsFallAlarm);
    expect(alarm).toMatchObject({ ComparisonOperator: 'LessThanLowerThreshold', EvaluationPeriods: 3 });
    const metrics = alarm.Metrics as Props[];
    const band = metrics.find((m) => m.Id === alarm.ThresholdMetricId);
    expect(band).toMatchObject({ Expression: 'ANOMALY_DETECTION_BAND(m0, 3)' });
    expect(metrics.find((m) => m.Id === 'm0')).toMatchObject({ Expression: 'FILL(verified, 0)' });
    expect(metrics.find((m) => m.Id === 'verified')).toMatchObject({
      MetricStat: {
        Metric: { Namespace: 'zoomlake', MetricName: 'VerifiedEvents', Dimensions: [{ Name: 'FunctionName', Value: ref(api.handler.function) }] },
        Stat: 'Sum',
        Period: 600,
      },
    });
  });
});
