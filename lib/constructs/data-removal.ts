import { RemovalPolicy } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/** Context key that, together with `allowDataDeletion` in the config, lets `cdk destroy` delete data. */
export const ALLOW_DATA_DELETION_CONTEXT = 'zoomlake:allowDataDeletion';

/**
 * The removal policy for a resource holding data: DESTROY only when the construct was asked to allow deletion
 * AND the `zoomlake:allowDataDeletion` context is true, so neither a config edit nor a stray `-c` flag alone
 * can turn a stack deletion into data loss.
 */
export function dataRemovalPolicy(scope: IConstruct, allowDataDeletion: boolean | undefined): RemovalPolicy {
  const flag: unknown = scope.node.tryGetContext(ALLOW_DATA_DELETION_CONTEXT);
  const globallyAllowed = flag === true || flag === 'true';
  return allowDataDeletion === true && globallyAllowed ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;
}
