import { Template } from 'aws-cdk-lib/assertions';
import { AttributeType, TableEncryptionV2, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { EventBus } from 'aws-cdk-lib/aws-events';
import { describe, expect, it } from 'vitest';
import { REALTIME_EVENTS } from '#core/webhook/routes.ts';
import { bundleSha256, detectionBundle } from '#core/detect/bundle.ts';
import { RealtimeChecks } from '../../lib/constructs/realtime-checks.ts';
import { REGISTRY } from '../support/registry.ts';
import { logicalIdOf, resourceOf } from './helpers.ts';
import { pipelineTestStack, starResources, statementsOf } from './pipeline-helpers.ts';

const SETTINGS = {
  meetingStateHours: 72,
  idempotencyHours: 48,
  internalDomains: ['example.com'],
  sensitiveMeetingPatterns: ['board'],
  watchedUsers: ['ceo@example.com'],
  trustedExternals: ['lawfirm.example'],
  minClientVersion: '6.0.0',
  supportNames: ['IT Support'],
};
const { stack, key, lake } = pipelineTestStack();
const bus = new EventBus(stack, 'Bus');
const alertBus = new EventBus(stack, 'Alerts');
const table = new TableV2(stack, 'State', {
  partitionKey: { name: 'pk', type: AttributeType.STRING },
  sortKey: { name: 'sk', type: AttributeType.STRING },
  encryption: TableEncryptionV2.customerManagedKey(key),
});
const rt = new RealtimeChecks(stack, 'Realtime', {
  eventBus: bus,
  stateTable: table,
  lakeBucket: lake,
  alertBus,
  encryptionKey: key,
  settings: SETTINGS,
  registry: REGISTRY,
});
const template = Template.fromStack(stack);
const arnOf = (c: Parameters<typeof logicalIdOf>[0]) => ({ 'Fn::GetAtt': [logicalIdOf(c), 'Arn'] });
const props = (c: Parameters<typeof logicalIdOf>[0]) => resourceOf(template, c).Properties as Record<string, unknown>;

describe('RealtimeChecks', () => {
  it('routes only the webhook event types the checks read, put in this account, from the bus it is given', () => {
    expect(props(rt.rule)).toMatchObject({ EventBusName: { Ref: logicalIdOf(bus) } });
    expect(props(rt.rule).EventPattern).toEqual({ source: ['zoomlake.webhook'], account: ['123456789012'], 'detail-type': [...REALTIME_EVENTS] });
    expect(REALTIME_EVENTS).toContain('meeting.participant_joined');
    expect(REALTIME_EVENTS).not.toContain('meeting.participant_left');
  });

  it('targets the queue with retries and a dead-letter queue', () => {
    expect(props(rt.rule).Targets).toEqual([
      {
        Id: 'Target0',
        Arn: arnOf(rt.queue),
        DeadLetterConfig: { Arn: arnOf(rt.deadLetterQueue) },
        RetryPolicy: { MaximumEventAgeInSeconds: 86_400, MaximumRetryAttempts: 185 },
      },
    ]);
    expect(props(rt.queue).RedrivePolicy).toEqual({ deadLetterTargetArn: arnOf(rt.deadLetterQueue), maxReceiveCount: 5 });
    for (const q of [rt.queue, rt.deadLetterQueue]) expect(props(q).KmsMasterKeyId).toEqual(arnOf(key));
  });

  it('drains the queue without a batching window and reports partial batch failures', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: arnOf(rt.queue),
      BatchSize: 10,
      MaximumBatchingWindowInSeconds: 0,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    expect(props(rt.queue).VisibilityTimeout).toBeGreaterThanOrEqual(6 * (props(rt.checks.function).Timeout as number));
  });

  it('passes the tables, buses and settings in the environment', () => {
    const env = (props(rt.checks.function).Environment as { Variables: Record<string, unknown> }).Variables;
    expect(env.STATE_TABLE_NAME).toEqual({ Ref: logicalIdOf(table) });
    expect(env.ALERT_BUS_NAME).toEqual({ Ref: logicalIdOf(alertBus) });
    expect(JSON.parse(env.REALTIME_SETTINGS as string)).toEqual(SETTINGS);
  });

  it('ships the detection registry with the function and names its hash', () => {
    const env = (props(rt.checks.function).Environment as { Variables: Record<string, unknown> }).Variables;
    expect(env.DETECTIONS_SHA256).toBe(bundleSha256(detectionBundle(REGISTRY)));
    // Thresholds come from the registry, not the environment.
    expect(env.REALTIME_SETTINGS).not.toMatch(/burst|min_ips/);
  });

  it('routes meeting.ended, for the end the recording check compares deletions with', () => {
    expect(REALTIME_EVENTS).toContain('meeting.ended');
  });

  it('grants the state table, body reads, alert writes and the alert bus, and nothing on *', () => {
    const statements = statementsOf(template, rt.checks.role);
    expect(statements).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          Action: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:Query'],
          Resource: arnOf(table),
        }),
        expect.objectContaining({ Action: 's3:GetObject', Resource: { 'Fn::Join': ['', [arnOf(lake), '/webhook-bodies/*']] } }),
        expect.objectContaining({ Action: 's3:PutObject', Resource: { 'Fn::Join': ['', [arnOf(lake), '/zoom/alerts/*']] } }),
        expect.objectContaining({ Action: 'events:PutEvents', Resource: arnOf(alertBus) }),
      ]),
    );
    expect(statements.some((s) => JSON.stringify(s.Action).includes('s3:PutObject') && JSON.stringify(s.Resource).includes('/zoom/*'))).toBe(false);
    expect(starResources(template).filter((s) => !JSON.stringify(s.Principal ?? '').includes('amazonaws.com'))).toEqual([]);
  });

  it('alarms on any dead letter and on a backlog older than five minutes', () => {
    expect(props(rt.deadLetterAlarm)).toMatchObject({ Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold' });
    expect(props(rt.backlogAlarm)).toMatchObject({ Threshold: 300, MetricName: 'ApproximateAgeOfOldestMessage' });
  });
});
