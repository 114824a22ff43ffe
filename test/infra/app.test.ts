import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { App, CfnResource, Validations, type Stack } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../lib/app.ts';
import { ALLOW_DATA_DELETION_CONTEXT } from '../../lib/constructs/data-removal.ts';
import { acknowledge, acknowledgeObjectPrefixGrants } from '../../lib/nag/acknowledgements.ts';
import { applyNagChecks } from '../../lib/nag/checks.ts';
import { TEST_ENV, testConfig } from './helpers.ts';
import { NO_BUNDLING } from './pipeline-helpers.ts';

/** The app exactly as bin/app.ts builds it: stacks, acknowledgements, cdk-nag (asset bundling skipped). */
function fullApp(config: Record<string, unknown> = {}, context: Record<string, string> = {}) {
  const built = buildApp(testConfig(config), new App({ context: { ...NO_BUNDLING, ...context } }), TEST_ENV);
  applyNagChecks(built.app);
  return built;
}

/** Unacknowledged cdk-nag findings (errors and warnings) as `rule at path` lines, for readable failures. */
function nagFindings(app: App): string[] {
  const report = new AwsSolutionsChecks().validateScope(app);
  return report.violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} (${v.severity}) at ${r.constructPath}`));
}

/** Every acknowledgement recorded in the tree: where it sits, which rule, why. */
function acknowledgements(root: IConstruct): { construct: IConstruct; rule: string; reason: string }[] {
  return root.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((m) => Object.entries(m.data as Record<string, string>))
      .map(([id, reason]) => ({ construct, rule: id.replace(/^annotation::/i, ''), reason })),
  );
}

describe('the zoomlake app', () => {
  it('has no unacknowledged cdk-nag AwsSolutions finding, error or warning', () => {
    expect(nagFindings(fullApp().app)).toEqual([]);
  });

  it('has no unacknowledged cdk-nag finding when data deletion is allowed (auto-delete custom resources)', () => {
    const { app, storage } = fullApp({ allowDataDeletion: true }, { [ALLOW_DATA_DELETION_CONTEXT]: 'true' });
    expect(storage.node.findAll().some((c) => CfnResource.isCfnResource(c) && c.cfnResourceType === 'Custom::S3AutoDeleteObjects')).toBe(true);
    expect(nagFindings(app)).toEqual([]);
  });

  it('synthesizes with cdk-nag applied, as `cdk synth` does', () => {
    expect(() => fullApp().app.synth()).not.toThrow();
  });

  it('fails synth on an unacknowledged finding, so the checks above can fail', () => {
    const { app, storage } = fullApp();
    new Bucket(storage, 'Unlogged', { enforceSSL: true });
    expect(nagFindings(app)).toContain('AwsSolutions-S1 (error) at ZoomlakeStorage/Unlogged/Resource');
    expect(() => app.synth()).toThrow(/AwsSolutions-S1/);
  });

  it.each(['storage', 'pipeline', 'detections'] as const)('carries no CDK error or warning annotations in the %s stack', (name) => {
    const annotations = Annotations.fromStack(fullApp()[name]);
    expect(annotations.findError('*', Match.anyValue())).toEqual([]);
    expect(annotations.findWarning('*', Match.stringLikeRegexp('AwsSolutions-.*'))).toEqual([]);
    expect(annotations.findWarning('*', Match.anyValue())).toEqual([]);
  });

  it('acknowledges each finding on one CloudFormation resource, never on a stack or a construct subtree', () => {
    const acks = acknowledgements(fullApp().app);
    expect(acks.length).toBeGreaterThan(0);
    for (const ack of acks) expect(CfnResource.isCfnResource(ack.construct), ack.construct.node.path).toBe(true);
  });

  it('gives every acknowledgement a reason of at least one full sentence', () => {
    for (const ack of acknowledgements(fullApp().app)) {
      expect(ack.reason, `${ack.rule} at ${ack.construct.node.path}`).toMatch(/^[A-Z].{30,}\.$/s);
    }
  });

  it('acknowledges only the reviewed findings', () => {
    // The lake bucket's ARN reaches the pipeline as an import whose generated name is not asserted.
    const acks = acknowledgements(fullApp().app).map((a) =>
      `${a.rule} at ${a.construct.node.path}`
        .replace(/ZoomlakeStorage:ExportsOutputFnGetAttStorageLake\w+/, '<lake arn>')
        .replace(/ZoomlakeStorage:ExportsOutputFnGetAttStorageAthenaResults\w+/, '<results arn>'),
    );
    expect(acks.sort()).toEqual([
      'AwsSolutions-APIG2 at ZoomlakePipeline/Webhook/Api/Resource',
      'AwsSolutions-APIG4 at ZoomlakePipeline/Webhook/Api/Default/zoom/webhook/POST/Resource',
      'AwsSolutions-APIG6 at ZoomlakePipeline/Webhook/Stage/Resource',
      'AwsSolutions-COG4 at ZoomlakePipeline/Webhook/Api/Default/zoom/webhook/POST/Resource',
      'AwsSolutions-IAM5[Resource::*] at ZoomlakeDetections/Correlation/StateMachine/Role/DefaultPolicy/Resource',
      'AwsSolutions-IAM5[Resource::<lake arn>/webhook-bodies/*] at ZoomlakeDetections/Correlation/Starter/Role/DefaultPolicy/Resource',
      'AwsSolutions-IAM5[Resource::<lake arn>/webhook-bodies/*] at ZoomlakeDetections/Realtime/Checks/Role/DefaultPolicy/Resource',
      'AwsSolutions-IAM5[Resource::<lake arn>/webhook-bodies/*] at ZoomlakePipeline/LakeWriter/Writer/Role/DefaultPolicy/Resource',
      'AwsSolutions-IAM5[Resource::<lake arn>/webhook-bodies/*] at ZoomlakePipeline/Webhook/Handler/Role/DefaultPolicy/Resource',
      'AwsSolutions-IAM5[Resource::<lake arn>/zoom/*] at ZoomlakeDetections/Correlation/Correlate/Role/DefaultPolicy/Resource',
      'AwsSolutions-IAM5[Resource::<lake arn>/zoom/*] at ZoomlakeDetections/Correlation/Exposure/Role/DefaultPolicy/Resource',
      'AwsSolutions-IAM5[Resource::<lake arn>/zoom/*] at ZoomlakeDetections/Runner/Runner/Role/DefaultPolicy/Resource',
      'AwsSolutions-IAM5[Resource::<lake arn>/zoom/*] at ZoomlakePipeline/Compaction/Compactor/Role/DefaultPolicy/Resource',
      'AwsSolutions-IAM5[Resource::<lake arn>/zoom/*] at ZoomlakePipeline/LakeWriter/Writer/Role/DefaultPolicy/Resource',
      'AwsSolutions-IAM5[Resource::<lake arn>/zoom/*] at ZoomlakePipeline/Poller/Poller/Role/DefaultPolicy/Resource',
      'AwsSolutions-IAM5[Resource::<lake arn>/zoom/alerts/*] at ZoomlakeDetections/Correlation/Alerts/Role/DefaultPolicy/Resource',
      'AwsSolutions-IAM5[Resource::<lake arn>/zoom/alerts/*] at ZoomlakeDetections/Realtime/Checks/Role/DefaultPolicy/Resource',
      'AwsSolutions-IAM5[Resource::<lake arn>/zoom/alerts/*] at ZoomlakeDetections/Runner/Runner/Role/DefaultPolicy/Resource',
      'AwsSolutions-IAM5[Resource::<lake arn>/zoom/meeting_participants/*] at ZoomlakeDetections/Correlation/Fetch/Role/DefaultPolicy/Resource',
      'AwsSolutions-IAM5[Resource::<lake arn>/zoom/participant_details/*] at ZoomlakeDetections/Correlation/Fetch/Role/DefaultPolicy/Resource',
      'AwsSolutions-IAM5[Resource::<results arn>/results/*] at ZoomlakeDetections/Correlation/Correlate/Role/DefaultPolicy/Resource',
      'AwsSolutions-IAM5[Resource::<results arn>/results/*] at ZoomlakeDetections/Correlation/Exposure/Role/DefaultPolicy/Resource',
      'AwsSolutions-IAM5[Resource::<results arn>/results/*] at ZoomlakeDetections/Runner/Runner/Role/DefaultPolicy/Resource',
      'AwsSolutions-S1 at ZoomlakeStorage/Storage/AccessLogs/Resource',
      'AwsSolutions-SMG4 at ZoomlakePipeline/Poller/Credentials/Resource',
      'AwsSolutions-SMG4 at ZoomlakePipeline/Webhook/Secret/Resource',
      'AwsSolutions-SQS3 at ZoomlakeDetections/Correlation/DeadLetterQueue/Resource',
      'AwsSolutions-SQS3 at ZoomlakeDetections/Runner/DeadLetterQueue/Resource',
      'AwsSolutions-SQS3 at ZoomlakePipeline/Compaction/DeadLetterQueue/Resource',
      'AwsSolutions-SQS3 at ZoomlakePipeline/Poller/DeadLetterQueue/Resource',
    ]);
  });

  it('acknowledges no object-prefix wildcard beyond the reviewed prefixes', () => {
    const { app, pipeline } = fullApp();
    pipeline.webhook.handler.role.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['s3:GetObject'], resources: ['arn:aws:s3:::another-bucket/other/*'] }),
    );
    expect(nagFindings(app)).toContain(
      'AwsSolutions-IAM5[Resource::arn:aws:s3:::another-bucket/other/*] (error) at ZoomlakePipeline/Webhook/Handler/Role/DefaultPolicy/Resource',
    );
  });

  it('refuses an object-prefix acknowledgement that matches no grant, so stale ones cannot linger', () => {
    const { pipeline } = fullApp();
    expect(() =>
      acknowledgeObjectPrefixGrants(
        pipeline.webhook.handler.role.node.findChild('DefaultPolicy'),
        ['/zoom/*'],
        'The webhook function never writes there.',
      ),
    ).toThrow(/grants nothing under \/zoom\/\*/);
  });

  it('refuses to acknowledge a finding on something that is not a CloudFormation resource', () => {
    const { storage } = fullApp();
    expect(() => acknowledge(storage, 'AwsSolutions-S1', 'A whole stack must never be acknowledged at once.')).toThrow(
      /not a CloudFormation resource/,
    );
  });
});

describe('operational alarms', () => {
  const built = buildApp(
    testConfig({ alarms: { emails: ['oncall@example.com'] }, alerts: { routes: [{ name: 'siem', target: { type: 'sqs' } }] } }),
    new App({ context: NO_BUNDLING }),
    TEST_ENV,
  );
  const storage = Template.fromStack(built.storage);
  const topicId = built.storage.getLogicalId(built.storage.alarmTopic.node.defaultChild as CfnResource);
  const stacks = [built.storage, built.pipeline, built.detections];

  it('has alarms in the stateless stacks to wire (so the check below is not vacuous)', () => {
    const count = (s: Stack) => Object.keys(Template.fromStack(s).findResources('AWS::CloudWatch::Alarm')).length;
    expect(count(built.pipeline)).toBeGreaterThan(3);
    expect(count(built.detections)).toBeGreaterThan(5);
  });

  it.each(['ZoomlakePipeline', 'ZoomlakeDetections'])('makes every alarm of %s notify the alarm topic on ALARM and on OK', (name) => {
    const stack = stacks.find((s) => s.stackName === name)!;
    const alarms = Object.entries(Template.fromStack(stack).findResources('AWS::CloudWatch::Alarm'));
    const imported = (v: unknown) => JSON.stringify(v).includes('ExportsOutputRefStorageAlarmTopic') || JSON.stringify(v).includes(topicId);
    const unwired = alarms
      .filter(([, a]) => {
        const p = (a as { Properties: { AlarmActions?: unknown[]; OKActions?: unknown[] } }).Properties;
        return p.AlarmActions?.length !== 1 || !imported(p.AlarmActions[0]) || p.OKActions?.length !== 1 || !imported(p.OKActions[0]);
      })
      .map(([id]) => id);
    expect(unwired).toEqual([]);
  });

  it('makes the webhook edge alarms (4xx rate, 429, 5xx, fall in verified events) notify the alarm topic', () => {
    const { webhook } = built.pipeline;
    const resources = Template.fromStack(built.pipeline).toJSON().Resources as Record<
      string,
      { Properties: { AlarmActions?: unknown[]; OKActions?: unknown[] } }
    >;
    for (const alarm of [webhook.clientErrorRateAlarm, webhook.throttledAlarm, webhook.serverErrorAlarm, webhook.verifiedEventsFallAlarm]) {
      const props = resources[built.pipeline.getLogicalId(alarm.node.defaultChild as CfnResource)]?.Properties;
      const topic = [{ 'Fn::ImportValue': expect.stringMatching(new RegExp(`^ZoomlakeStorage:ExportsOutputRef${topicId}`)) }];
      expect(props?.AlarmActions).toEqual(topic);
      expect(props?.OKActions).toEqual(topic);
    }
  });

  it('encrypts the topic with the key, enforces TLS, subscribes alarms.emails and outputs its ARN', () => {
    storage.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue(), DisplayName: 'zoomlake operational alarms' });
    storage.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'oncall@example.com', TopicArn: { Ref: topicId } });
    storage.hasOutput('AlarmTopicArn', { Value: { Ref: topicId } });
    storage.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({
            Effect: 'Allow',
            Action: 'sns:Publish',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Condition: {
              StringEquals: { 'aws:SourceAccount': TEST_ENV.account },
              ArnLike: {
                'aws:SourceArn': {
                  'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:cloudwatch:${TEST_ENV.region}:${TEST_ENV.account}:alarm:*`]],
                },
              },
            },
          }),
        ]),
      },
    });
  });

  it("lets CloudWatch use the key for this account's alarms only", () => {
    storage.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'AllowCloudWatchAlarmsToEncryptNotifications',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
            Condition: Match.objectLike({ StringEquals: { 'aws:SourceAccount': TEST_ENV.account } }),
          }),
        ]),
      },
    });
  });

  it('subscribes nobody by default', () => {
    const plain = buildApp(testConfig({}), new App({ context: NO_BUNDLING }), TEST_ENV);
    Template.fromStack(plain.storage).resourceCountIs('AWS::SNS::Subscription', 0);
  });
});
