import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { dataRemovalPolicy } from './data-removal.ts';

/** Properties of {@link StateTable}. */
export interface StateTableProps {
  /** Customer-managed key the table is encrypted with. */
  readonly encryptionKey: IKey;
  /**
   * Whether deleting the stack may delete the table. Takes effect only when the `zoomlake:allowDataDeletion`
   * context is also true; deletion protection is off only then.
   * @default false
   */
  readonly allowDataDeletion?: boolean;
}

/**
 * The single DynamoDB table behind the `StateStore` port: poll cursors and leases, webhook idempotency keys,
 * live meeting state, the user directory and alert suppression keys, told apart by `pk`/`sk` prefixes.
 */
export class StateTable extends Construct {
  /** Name of the partition key attribute (string). */
  static readonly PARTITION_KEY = 'pk';
  /** Name of the sort key attribute (string). */
  static readonly SORT_KEY = 'sk';
  /** Epoch-seconds attribute DynamoDB expires items by; readers must still check it, as TTL deletes late. */
  static readonly TTL_ATTRIBUTE = 'expiresAt';

  /** The table. */
  readonly table: dynamodb.TableV2;

  constructor(scope: Construct, id: string, props: StateTableProps) {
    super(scope, id);
    const removalPolicy = dataRemovalPolicy(this, props.allowDataDeletion);
    this.table = new dynamodb.TableV2(this, 'Table', {
      partitionKey: { name: StateTable.PARTITION_KEY, type: dynamodb.AttributeType.STRING },
      sortKey: { name: StateTable.SORT_KEY, type: dynamodb.AttributeType.STRING },
      // Traffic follows Zoom activity and poll schedules: spiky and mostly idle.
      billing: dynamodb.Billing.onDemand(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: StateTable.TTL_ATTRIBUTE,
      encryption: dynamodb.TableEncryptionV2.customerManagedKey(props.encryptionKey),
      deletionProtection: removalPolicy !== RemovalPolicy.DESTROY,
      removalPolicy,
    });
  }
}
