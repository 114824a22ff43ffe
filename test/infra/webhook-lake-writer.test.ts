import { Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { EventBus } from 'aws-cdk-lib/aws-events';
import { describe, expect, it } from 'vitest';
import { WEBHOOK_WRITER_MEMORY_MB } from '#core/webhook/lake-writer.ts';
import { WebhookLakeWriter, type WebhookLakeWriterProps } from '../../lib/constructs/webhook-lake-writer.ts';
import { logicalIdOf, resourceOf } from './helpers.ts';
import { nodeMajor, pipelineTestStack, starResources, statementsOf } from './pipeline-helpers.ts';

function build(props: Partial<WebhookLakeWriterProps> = {}) {
  const { stack, key, lake } = pipelineTestStack();
  const bus = new EventBus(stack, 'Bus');
  const writer = new WebhookLakeWriter(stack, 'Writer', { eventBus: bus, lakeBucket: lake, encryptionKey: key, ...props });
  return { key, lake, bus, writer, template: Template.fromStack(stack) };
}

const { key, lake, bus, writer, template } = build();
const keyArn = { 'Fn::GetAtt': [logicalIdOf(key), 'Arn'] };
const arnOf = (construct: Parameters<typeof logicalIdOf>[0]) => ({ 'Fn::GetAtt': [logicalIdOf(construct), 'Arn'] });
const props = (construct: Parameters<typeof logicalIdOf>[0], t = template) => resourceOf(t, construct).Properties as Record<string, unknown>;

describe('WebhookLakeWriter', () => {
  it('routes events with source zoomlake.webhook put in this account, and nothing else, from the bus it is given', () => {
    expect(props(writer.rule)).toMatchObject({ EventBusName: { Ref: logicalIdOf(bus) } });
    expect(props(writer.rule).EventPattern).toEqual({ source: ['zoomlake.webhook'], account: ['123456789012'] });
  });

  it('targets the queue, sending what it cannot deliver to the dead-letter queue', () => {
    expect(props(writer.rule).Targets).toEqual([
      {
        Id: 'Target0',
        Arn: arnOf(writer.queue),
        DeadLetterConfig: { Arn: arnOf(writer.deadLetterQueue) },
        RetryPolicy: { MaximumEventAgeInSeconds: 86_400, MaximumRetryAttempts: 185 },
      },
    ]);
  });

  it('encrypts both queues with the key', () => {
    for (const queue of [writer.queue, writer.deadLetterQueue]) expect(props(queue).KmsMasterKeyId).toEqual(keyArn);
  });

  it('moves a message to the dead-letter queue after 5 receives', () => {
    expect(props(writer.queue).RedrivePolicy).toEqual({ deadLetterTargetArn: arnOf(writer.deadLetterQueue), maxReceiveCount: 5 });
  });

  it('keeps dead letters 14 days', () => {
    expect(props(writer.deadLetterQueue).MessageRetentionPeriod).toBe(14 * 86_400);
  });

  it('hides a received message for at least 6 times the writer timeout', () => {
    const timeout = props(writer.writer.function).Timeout as number;
    expect(props(writer.queue).VisibilityTimeout).toBeGreaterThanOrEqual(6 * timeout);
  });

  it('keeps the visibility timeout above 6 times a custom writer timeout', () => {
    const custom = build({ timeout: Duration.minutes(5) });
    expect(props(custom.writer.writer.function, custom.template).Timeout).toBe(300);
    expect(props(custom.writer.queue, custom.template).VisibilityTimeout).toBeGreaterThanOrEqual(1_800);
  });

  it('refuses a timeout too short for the writer to start a group before its reserve', () => {
    expect(() => build({ timeout: Duration.seconds(59) })).toThrow('webhook lake writer timeout must be at least 1 minute');
    expect(() => build({ timeout: Duration.seconds(60) })).not.toThrow();
  });

  it('gives the writer the memory its limits were measured against', () => {
    expect(props(writer.writer.function).MemorySize).toBe(WEBHOOK_WRITER_MEMORY_MB);
    expect(WEBHOOK_WRITER_MEMORY_MB).toBe(1024);
  });

  it.each(['queue', 'deadLetterQueue'] as const)('denies every request to the %s that is not over TLS', (name) => {
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: logicalIdOf(writer[name]) }],
      PolicyDocument: {
        Statement: [
          {
            Effect: 'Deny',
            Principal: { AWS: '*' },
            Action: 'sqs:*',
            Resource: arnOf(writer[name]),
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          },
          {
            Effect: 'Allow',
            Principal: { Service: 'events.amazonaws.com' },
            Action: 'sqs:SendMessage',
            Resource: arnOf(writer[name]),
            Condition: { ArnEquals: { 'aws:SourceArn': arnOf(writer.rule) } },
          },
        ],
      },
    });
  });

  it('lets EventBridge encrypt messages for the queues with the key', () => {
    const statements = (props(key).KeyPolicy as { Statement: Record<string, unknown>[] }).Statement;
    expect(statements.filter((s) => (s.Principal as { Service?: string }).Service === 'events.amazonaws.com')).toEqual([
      {
        Sid: 'AllowEventBridgeToEncryptQueueMessages',
        Effect: 'Allow',
        Principal: { Service: 'events.amazonaws.com' },
        Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
        Resource: '*',
      },
    ]);
  });

  it('feeds the writer batches of up to 1000 messages gathered for up to 5 minutes (few lake files), by at most 2 concurrent invocations', () => {
    template.resourceCountIs('AWS::Lambda::EventSourceMapping', 1);
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: arnOf(writer.queue),
      FunctionName: { Ref: logicalIdOf(writer.writer.function) },
      BatchSize: 1000,
      MaximumBatchingWindowInSeconds: 300,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 2 },
    });
  });

  it('takes the batch size, window and concurrency it is given', () => {
    const custom = build({ batchSize: 200, maxBatchingWindow: Duration.seconds(20), maxConcurrency: 3 });
    custom.template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BatchSize: 200,
      MaximumBatchingWindowInSeconds: 20,
      ScalingConfig: { MaximumConcurrency: 3 },
    });
  });

  it('runs the writer on Node.js 22 or newer, arm64, told only the lake bucket', () => {
    const fn = props(writer.writer.function);
    expect(nodeMajor(fn.Runtime)).toBeGreaterThanOrEqual(22);
    expect(fn.Architectures).toEqual(['arm64']);
    expect(fn.Environment).toEqual({ Variables: { LAKE_BUCKET_NAME: { Ref: logicalIdOf(lake) } } });
  });

  it('encrypts the writer log group with the key', () => {
    expect(props(writer.writer.logGroup)).toMatchObject({ KmsKeyId: keyArn, RetentionInDays: 365 });
  });

  it('grants the writer exactly: its logs, consuming the queue, writes under zoom/ and reads under webhook-bodies/', () => {
    expect(statementsOf(template, writer.writer.role)).toEqual([
      { Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: arnOf(writer.writer.logGroup) },
      {
        Effect: 'Allow',
        Action: ['sqs:ReceiveMessage', 'sqs:ChangeMessageVisibility', 'sqs:GetQueueUrl', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'],
        Resource: arnOf(writer.queue),
      },
      { Effect: 'Allow', Action: 'kms:Decrypt', Resource: keyArn },
      { Effect: 'Allow', Action: 's3:PutObject', Resource: { 'Fn::Join': ['', [arnOf(lake), '/zoom/*']] } },
      { Effect: 'Allow', Action: 's3:GetObject', Resource: { 'Fn::Join': ['', [arnOf(lake), '/webhook-bodies/*']] } },
      {
        Effect: 'Allow',
        Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
        Resource: keyArn,
        Condition: { StringEquals: { 'kms:ViaService': 's3.eu-west-1.amazonaws.com' } },
      },
    ]);
  });

  it('grants no IAM permission on every resource', () => {
    expect(starResources(template)).toEqual([]);
  });

  it('raises an alarm as soon as one message is in the dead-letter queue', () => {
    expect(props(writer.deadLetterAlarm)).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalIdOf(writer.deadLetterQueue), 'QueueName'] } }],
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
    });
  });

  it('raises an alarm when the oldest queued message is 30 minutes old', () => {
    expect(props(writer.backlogAlarm)).toMatchObject({
      MetricName: 'ApproximateAgeOfOldestMessage',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalIdOf(writer.queue), 'QueueName'] } }],
      Threshold: 1_800,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
  });
});
