import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';

/**
 * The encrypted dead-letter queue `DeadLetterQueue` in `scope`. A dead-lettered message keeps its first enqueue time,
 * so its 14 days must outlast a source queue's 4.
 */
export function deadLetterQueue(scope: Construct, key: IKey): sqs.Queue {
  return new sqs.Queue(scope, 'DeadLetterQueue', {
    encryption: sqs.QueueEncryption.KMS,
    encryptionMasterKey: key,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
  });
}

/**
 * Sends what `rule` matches to `targetArn`, retried for 24 hours and then dead-lettered. A bare target instead of
 * targets.SqsQueue or targets.LambdaFunction: those grant EventBridge every KMS action on the key and condition the
 * queue policy on the account instead of this rule.
 */
export function deliverWithRetries(rule: events.Rule, targetArn: string, deadLetters: sqs.IQueue): void {
  rule.addTarget({
    bind: () => ({
      arn: targetArn,
      deadLetterConfig: { arn: deadLetters.queueArn },
      retryPolicy: { maximumEventAgeInSeconds: Duration.hours(24).toSeconds(), maximumRetryAttempts: 185 },
    }),
  });
}

/** Lets `rule`, and nothing else, send to each of `queues`. */
export function allowRuleToSend(rule: events.Rule, queues: readonly sqs.Queue[]): void {
  for (const queue of queues) {
    queue.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('events.amazonaws.com')],
        actions: ['sqs:SendMessage'],
        resources: [queue.queueArn],
        conditions: { ArnEquals: { 'aws:SourceArn': rule.ruleArn } },
      }),
    );
  }
}

/**
 * Lets EventBridge put messages on the queues (and topics) encrypted with `key`, as statement `sid`. Not conditioned on
 * the rule or the account: AWS documents aws:SourceArn/aws:SourceAccount in a key policy as unsupported for
 * EventBridge delivering to encrypted SNS topics, and SQS targets are delivered the same way. The queue and topic
 * policies restrict sending to the rule.
 */
export function allowEventBridgeToEncrypt(key: IKey, sid = 'AllowEventBridgeToEncryptQueueMessages'): void {
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      sid,
      principals: [new iam.ServicePrincipal('events.amazonaws.com')],
      actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
      resources: ['*'],
    }),
  );
}

/** Properties of {@link ruleFedQueue}. */
export interface RuleFedQueueProps {
  readonly key: IKey;
  readonly eventBus: events.IEventBus;
  readonly description: string;
  readonly eventPattern: events.EventPattern;
  /** At least 6x the consuming function's timeout (AWS's advice), plus any batching window. */
  readonly visibilityTimeout: Duration;
}

/** A rule on `eventBus` feeding the encrypted queue `Queue` in `scope`; what fails five times, or cannot be delivered, is dead-lettered. */
export function ruleFedQueue(scope: Construct, props: RuleFedQueueProps): { queue: sqs.Queue; deadLetterQueue: sqs.Queue; rule: events.Rule } {
  const deadLetters = deadLetterQueue(scope, props.key);
  const queue = new sqs.Queue(scope, 'Queue', {
    encryption: sqs.QueueEncryption.KMS,
    encryptionMasterKey: props.key,
    enforceSSL: true,
    visibilityTimeout: props.visibilityTimeout,
    deadLetterQueue: { queue: deadLetters, maxReceiveCount: 5 },
  });
  const rule = new events.Rule(scope, 'Rule', { description: props.description, eventBus: props.eventBus, eventPattern: props.eventPattern });
  deliverWithRetries(rule, queue.queueArn, deadLetters);
  allowRuleToSend(rule, [queue, deadLetters]);
  allowEventBridgeToEncrypt(props.key);
  return { queue, deadLetterQueue: deadLetters, rule };
}
