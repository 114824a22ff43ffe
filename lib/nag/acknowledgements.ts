import { CfnResource, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import type { ZoomlakeStorageStack } from '../stacks/storage-stack.ts';

/**
 * Acknowledges one cdk-nag finding on exactly one CloudFormation resource. An L2 construct is narrowed to its
 * own resource so the acknowledgement never spreads to its children (bucket policies, custom resources).
 */
export function acknowledge(construct: IConstruct, ruleId: string, reason: string): void {
  const resource = CfnResource.isCfnResource(construct) ? construct : construct.node.defaultChild;
  if (!resource || !CfnResource.isCfnResource(resource)) {
    throw new Error(`cannot acknowledge ${ruleId} on ${construct.node.path}: it is not a CloudFormation resource`);
  }
  Validations.of(resource).acknowledge({ id: ruleId, reason });
}

/** Every cdk-nag acknowledgement in the storage stack, each with its reason. */
export function acknowledgeStorageFindings(stack: ZoomlakeStorageStack): void {
  acknowledge(
    stack.storage.logsBucket,
    'AwsSolutions-S1',
    'This is the server access logs bucket itself. Logging it into itself would log every log delivery, and a ' +
      'second logs bucket would only move the same finding.',
  );
}
