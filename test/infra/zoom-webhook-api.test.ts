import { Match, Template } from 'aws-cdk-lib/assertions';
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

describe('ZoomWebhookApi', () => {
  it('has exactly one route, POST /zoom/webhook', () => {
    template.resourceCountIs('AWS::ApiGatewayV2::Route', 1);
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: 'POST /zoom/webhook' });
  });

  it('proxies the route to the webhook function with payload format 2.0', () => {
    template.resourceCountIs('AWS::ApiGatewayV2::Integration', 1);
    template.hasResourceProperties('AWS::ApiGatewayV2::Integration', {
      IntegrationType: 'AWS_PROXY',
      PayloadFormatVersion: '2.0',
      IntegrationUri: { 'Fn::GetAtt': [logicalIdOf(api.handler.function), 'Arn'] },
    });
  });

  it('lets only this API invoke the function, and only through the webhook route', () => {
    template.resourceCountIs('AWS::Lambda::Permission', 1);
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      Principal: 'apigateway.amazonaws.com',
      SourceArn: { 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp('/\\*/\\*/zoom/webhook$')])] },
    });
  });

  it('serves one auto-deployed $default stage', () => {
    template.resourceCountIs('AWS::ApiGatewayV2::Stage', 1);
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', { StageName: '$default', AutoDeploy: true });
  });

  it('throttles the stage to 50 requests per second with bursts of 100 by default', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', { DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 } });
  });

  it('throttles the stage as configured', () => {
    const custom = build({ throttlingRateLimit: 5, throttlingBurstLimit: 9 });
    custom.template.hasResourceProperties('AWS::ApiGatewayV2::Stage', { DefaultRouteSettings: { ThrottlingRateLimit: 5, ThrottlingBurstLimit: 9 } });
  });

  it('writes access logs as JSON with the request id, source IP and status to its log group', () => {
    const stage = resourceOf(template, api.stage).Properties as { AccessLogSettings: { DestinationArn: unknown; Format: string } };
    expect(stage.AccessLogSettings.DestinationArn).toEqual({ 'Fn::GetAtt': [logicalIdOf(api.accessLogs), 'Arn'] });
    expect(JSON.parse(stage.AccessLogSettings.Format)).toMatchObject({
      requestId: '$context.requestId',
      sourceIp: '$context.identity.sourceIp',
      routeKey: '$context.routeKey',
      status: '$context.status',
    });
  });

  it('never puts headers or bodies in the access log format', () => {
    const stage = resourceOf(template, api.stage).Properties as { AccessLogSettings: { Format: string } };
    expect(stage.AccessLogSettings.Format).not.toMatch(/header|body|signature/i);
  });

  it('encrypts both log groups with the key and keeps them a year, retained on deletion', () => {
    for (const group of [api.accessLogs, api.handler.logGroup]) {
      expect(resourceOf(template, group)).toMatchObject({ Properties: { KmsKeyId: keyArn, RetentionInDays: 365 }, DeletionPolicy: 'Retain' });
    }
  });

  it('runs the handler on Node.js 22 or newer, arm64, 512 MB, with a timeout just past Zoom\'s 3 seconds', () => {
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
      { Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: { 'Fn::GetAtt': [logicalIdOf(api.handler.logGroup), 'Arn'] } },
      { Effect: 'Allow', Action: 'events:PutEvents', Resource: { 'Fn::GetAtt': [logicalIdOf(api.eventBus), 'Arn'] } },
      { Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: { Ref: logicalIdOf(api.secret) } },
      { Effect: 'Allow', Action: 'kms:Decrypt', Resource: keyArn, Condition: { StringEquals: { 'kms:ViaService': 'secretsmanager.eu-west-1.amazonaws.com' } } },
      { Effect: 'Allow', Action: 's3:PutObject', Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [logicalIdOf(lake), 'Arn'] }, '/webhook-bodies/*']] } },
      { Effect: 'Allow', Action: 'kms:GenerateDataKey', Resource: keyArn, Condition: { StringEquals: { 'kms:ViaService': 's3.eu-west-1.amazonaws.com' } } },
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
      Effect: 'Allow', Action: 'events:PutEvents', Resource: { 'Fn::GetAtt': [logicalIdOf(given.bus ?? given.api.eventBus), 'Arn'] },
    });
  });

  it('exposes the webhook URL as the API endpoint plus /zoom/webhook', () => {
    expect(stack.resolve(api.webhookUrl)).toEqual({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [logicalIdOf(api.api), 'ApiEndpoint'] }, '/zoom/webhook']] });
  });
});
