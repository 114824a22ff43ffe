import { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';

/** What EventBridge Scheduler needs to invoke a function: its execution role and the queue it dead-letters to. */
export interface SchedulerInvocation {
  readonly deadLetterQueue: sqs.Queue;
  readonly schedulerRole: iam.Role;
}

/**
 * The dead-letter queue (encrypted with `key`) and the execution role of the schedules that invoke one function,
 * created in `scope` as `DeadLetterQueue` and `SchedulerRole`; the role is assumable by Scheduler for this account
 * only, and may encrypt for the queue (Scheduler dead-letters with it).
 */
export function schedulerInvocation(scope: Construct, key: kms.IKey, account: string, region: string, what: string): SchedulerInvocation {
  const deadLetterQueue = new sqs.Queue(scope, 'DeadLetterQueue', {
    encryption: sqs.QueueEncryption.KMS,
    encryptionMasterKey: key,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
  });
  const schedulerRole = new iam.Role(scope, 'SchedulerRole', {
    description: `zoomlake: EventBridge Scheduler invoking ${what}`,
    assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': account } } }),
  });
  schedulerRole.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
      resources: [key.keyArn],
      conditions: { StringEquals: { 'kms:ViaService': `sqs.${region}.amazonaws.com` } },
    }),
  );
  return { deadLetterQueue, schedulerRole };
}
