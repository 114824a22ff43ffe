import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { LakeCompaction, type LakeCompactionProps } from '../../lib/constructs/lake-compaction.ts';
import { DEFAULT_COMPACTION_LIMITS } from '#core/lake/compaction.ts';
import { logicalIdOf, resourceOf } from './helpers.ts';
import { pipelineTestStack, starResources, statementsOf } from './pipeline-helpers.ts';

function build(props: Partial<LakeCompactionProps> = {}) {
  const { stack, key, lake } = pipelineTestStack();
  const compaction = new LakeCompaction(stack, 'Compaction', {
    encryptionKey: key,
    lakeBucket: lake,
    schedule: 'cron(15 4 * * ? *)',
    lookbackDays: 2,
    ...props,
  });
  return { key, lake, compaction, template: Template.fromStack(stack) };
}

const { key, lake, compaction, template } = build();
const keyArn = { 'Fn::GetAtt': [logicalIdOf(key), 'Arn'] };
const lakeArn = { 'Fn::GetAtt': [logicalIdOf(lake), 'Arn'] };
const fnArn = { 'Fn::GetAtt': [logicalIdOf(compaction.compactor.function), 'Arn'] };
const fnProps = () => resourceOf(template, compaction.compactor.function).Properties as Record<string, unknown>;

describe('LakeCompaction', () => {
  it('runs on the configured schedule with an empty input, two retries within an hour, then the dead-letter queue', () => {
    const schedules = Object.values(template.findResources('AWS::Scheduler::Schedule'));
    expect(schedules).toHaveLength(1);
    expect(schedules[0]!.Properties).toMatchObject({
      ScheduleExpression: 'cron(15 4 * * ? *)',
      Target: {
        Arn: fnArn,
        Input: '{}',
        RoleArn: { 'Fn::GetAtt': [logicalIdOf(compaction.schedulerRole), 'Arn'] },
        RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 3_600 },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [logicalIdOf(compaction.deadLetterQueue), 'Arn'] } },
      },
    });
    expect(resourceOf(template, compaction.deadLetterQueue).Properties).toMatchObject({ KmsMasterKeyId: keyArn });
  });

  it('uses another schedule and lookback when configured', () => {
    const other = build({ schedule: 'rate(1 day)', lookbackDays: 5, maxRowsPerFile: 1000 });
    other.template.hasResourceProperties('AWS::Scheduler::Schedule', { ScheduleExpression: 'rate(1 day)' });
    const env = (resourceOf(other.template, other.compaction.compactor.function).Properties as { Environment: { Variables: unknown } }).Environment;
    expect(env.Variables).toMatchObject({ LOOKBACK_DAYS: '5', MAX_ROWS_PER_FILE: '1000' });
  });

  it('sets the environment the handler reads, arm64, 15 minutes, one run at a time', () => {
    expect(fnProps()).toMatchObject({
      Environment: {
        Variables: {
          LAKE_BUCKET_NAME: { Ref: logicalIdOf(lake) },
          LOOKBACK_DAYS: '2',
          MAX_ROWS_PER_FILE: String(DEFAULT_COMPACTION_LIMITS.maxRowsPerFile),
        },
      },
      Architectures: ['arm64'],
      Timeout: 900,
      ReservedConcurrentExecutions: 1,
    });
  });

  it('grants listing under zoom/ only, read, write and delete of zoom/* objects, and the lake key through S3', () => {
    const statements = statementsOf(template, compaction.compactor.role).filter((s) => ![s.Action].flat().some((a) => String(a).startsWith('logs:')));
    expect(statements).toEqual([
      { Effect: 'Allow', Action: 's3:ListBucket', Resource: lakeArn, Condition: { StringLike: { 's3:prefix': ['zoom/*'] } } },
      { Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'], Resource: { 'Fn::Join': ['', [lakeArn, '/zoom/*']] } },
      {
        Effect: 'Allow',
        Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
        Resource: keyArn,
        Condition: { StringEquals: { 'kms:ViaService': 's3.eu-west-1.amazonaws.com' } },
      },
    ]);
    expect(starResources(template)).toEqual([]);
  });

  it('lets the scheduler invoke only the compaction function and dead-letter only to its queue', () => {
    expect(statementsOf(template, compaction.schedulerRole)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ Action: 'lambda:InvokeFunction', Resource: fnArn }),
        expect.objectContaining({ Action: 'sqs:SendMessage', Resource: { 'Fn::GetAtt': [logicalIdOf(compaction.deadLetterQueue), 'Arn'] } }),
      ]),
    );
    expect(statementsOf(template, compaction.schedulerRole)).toHaveLength(3);
  });

  it('alarms on function errors and on dead-lettered runs', () => {
    expect(resourceOf(template, compaction.errorsAlarm).Properties).toMatchObject({
      MetricName: 'Errors',
      Namespace: 'AWS/Lambda',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: logicalIdOf(compaction.compactor.function) } }],
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
    expect(resourceOf(template, compaction.deadLetterAlarm).Properties).toMatchObject({
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalIdOf(compaction.deadLetterQueue), 'QueueName'] } }],
    });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
  });
});
