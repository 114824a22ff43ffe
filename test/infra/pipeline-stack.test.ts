import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { ZoomlakePipelineStack } from '../../lib/stacks/pipeline-stack.ts';
import { ZoomlakeStorageStack } from '../../lib/stacks/storage-stack.ts';
import { TEST_ENV, logicalIdOf, resourceOf, testConfig } from './helpers.ts';
import { NO_BUNDLING, starResources } from './pipeline-helpers.ts';

function build(config: Record<string, unknown> = {}) {
  const app = new App({ context: NO_BUNDLING });
  const cfg = testConfig(config);
  const storage = new ZoomlakeStorageStack(app, 'Storage', { config: cfg, env: TEST_ENV });
  const pipeline = new ZoomlakePipelineStack(app, 'Pipeline', {
    config: cfg,
    env: TEST_ENV,
    key: storage.key,
    lakeBucket: storage.lakeBucket,
    stateTable: storage.stateTable,
  });
  return { storage, pipeline, template: Template.fromStack(pipeline), storageTemplate: Template.fromStack(storage) };
}

const { storage, pipeline, template, storageTemplate } = build();
const imported = { 'Fn::ImportValue': Match.stringLikeRegexp('^Storage:ExportsOutput') };
const importedValue = { 'Fn::ImportValue': expect.stringMatching(/^Storage:ExportsOutput/) };
const webhookEnv = (t = template, p = pipeline) =>
  (resourceOf(t, p.webhook.handler.function).Properties as { Environment: { Variables: Record<string, unknown> } }).Environment.Variables;

describe('ZoomlakePipelineStack', () => {
  it('holds the webhook API with its one method behind its web ACL, the four functions and the writer rule', () => {
    template.resourceCountIs('AWS::ApiGateway::RestApi', 1);
    template.resourceCountIs('AWS::ApiGateway::Method', 1);
    template.resourceCountIs('AWS::WAFv2::WebACLAssociation', 1);
    template.resourceCountIs('AWS::Lambda::Function', 4);
    template.resourceCountIs('AWS::Events::Rule', 1);
  });

  it('holds no bucket, table or key: the data lives in the storage stack', () => {
    for (const type of ['AWS::S3::Bucket', 'AWS::DynamoDB::GlobalTable', 'AWS::DynamoDB::Table', 'AWS::KMS::Key']) template.resourceCountIs(type, 0);
  });

  it('routes the events the webhook publishes to the lake writer', () => {
    expect(resourceOf(template, pipeline.lakeWriter.rule).Properties).toMatchObject({
      EventBusName: { Ref: logicalIdOf(pipeline.webhook.eventBus) },
    });
  });

  it('passes the webhook settings of the config to the webhook function', () => {
    const custom = build({ webhook: { replayWindowSeconds: 900, maxBodyBytes: 1_048_576 } });
    expect(webhookEnv(custom.template, custom.pipeline)).toMatchObject({ REPLAY_WINDOW_SECONDS: '900', MAX_BODY_BYTES: '1048576' });
  });

  it('takes the stage throttle, the per-IP limit and the source allow-list from the config', () => {
    const custom = build({
      webhook: { throttlingRateLimit: 1_000, throttlingBurstLimit: 2_000, perIpRequestsPerMinute: 20_000, allowedSourceCidrs: ['3.7.35.0/25'] },
    });
    custom.template.hasResourceProperties('AWS::ApiGateway::Stage', {
      MethodSettings: [Match.objectLike({ ThrottlingRateLimit: 1_000, ThrottlingBurstLimit: 2_000 })],
    });
    custom.template.hasResourceProperties('AWS::WAFv2::WebACL', {
      Rules: Match.arrayWith([Match.objectLike({ Statement: { RateBasedStatement: Match.objectLike({ Limit: 20_000 }) } })]),
    });
    custom.template.hasResourceProperties('AWS::WAFv2::IPSet', { Addresses: ['3.7.35.0/25'] });
  });

  it('lets only the webhook function put zoomlake.webhook events on the Zoom bus', () => {
    template.hasResourceProperties('AWS::Events::EventBusPolicy', {
      EventBusName: { Ref: logicalIdOf(pipeline.webhook.eventBus) },
      Statement: Match.objectLike({
        Effect: 'Deny',
        Condition: {
          'ForAnyValue:StringEquals': { 'events:source': ['zoomlake.webhook'] },
          ArnNotEquals: {
            'aws:PrincipalArn': [{ 'Fn::GetAtt': [logicalIdOf(pipeline.webhook.handler.role), 'Arn'] }],
          },
        },
      }),
    });
  });

  it("uses the storage stack's lake bucket and key through imports", () => {
    expect(webhookEnv().LAKE_BUCKET_NAME).toEqual(importedValue);
    template.hasResourceProperties('AWS::SQS::Queue', { KmsMasterKeyId: imported });
    template.hasResourceProperties('AWS::SecretsManager::Secret', { KmsKeyId: imported });
  });

  it('lets CloudWatch Logs and EventBridge use the storage key, in the storage stack', () => {
    const statements = (resourceOf(storageTemplate, storage.key).Properties as { KeyPolicy: { Statement: { Sid?: string }[] } }).KeyPolicy.Statement;
    expect(statements.map((s) => s.Sid)).toEqual(
      expect.arrayContaining(['AllowCloudWatchLogsOfThisAccount', 'AllowEventBridgeToEncryptQueueMessages']),
    );
  });

  it('outputs the webhook URL to enter in the Zoom app', () => {
    template.hasOutput('WebhookUrl', {
      Value: {
        'Fn::Join': [
          '',
          [
            'https://',
            { Ref: logicalIdOf(pipeline.webhook.api) },
            '.execute-api.eu-west-1.',
            { Ref: 'AWS::URLSuffix' },
            '/',
            { Ref: logicalIdOf(pipeline.webhook.stage) },
            '/zoom/webhook',
          ],
        ],
      },
    });
  });

  it('outputs the ARN of the secret to put the webhook secret token in', () => {
    template.hasOutput('WebhookSecretArn', { Value: { Ref: logicalIdOf(pipeline.webhook.secret) } });
  });

  it('outputs the ARN of the secret to put the Zoom API credentials in', () => {
    template.hasOutput('ZoomCredentialsSecretArn', { Value: { Ref: logicalIdOf(pipeline.poller.credentials) } });
  });

  it('gives the poller the state table of the storage stack through an import', () => {
    const env = (resourceOf(template, pipeline.poller.poller.function).Properties as { Environment: { Variables: Record<string, unknown> } })
      .Environment.Variables;
    expect(env.STATE_TABLE_NAME).toEqual(importedValue);
  });

  it('compacts the lake daily on the configured schedule, and not at all when compaction is off', () => {
    expect(resourceOf(template, pipeline.compaction!.schedule).Properties).toMatchObject({ ScheduleExpression: 'cron(15 4 * * ? *)' });
    const env = (resourceOf(template, pipeline.compaction!.compactor.function).Properties as { Environment: { Variables: Record<string, unknown> } })
      .Environment.Variables;
    expect(env).toMatchObject({ LAKE_BUCKET_NAME: importedValue, LOOKBACK_DAYS: '2' });
    const custom = build({ compaction: { schedule: 'cron(0 2 * * ? *)', lookbackDays: 6 } });
    expect(resourceOf(custom.template, custom.pipeline.compaction!.schedule).Properties).toMatchObject({ ScheduleExpression: 'cron(0 2 * * ? *)' });
    const off = build({ compaction: { enabled: false } });
    expect(off.pipeline.compaction).toBeUndefined();
    off.template.resourceCountIs('AWS::Lambda::Function', 3);
  });

  it('grants no IAM permission on every resource', () => {
    expect(starResources(template)).toEqual([]);
  });
});
