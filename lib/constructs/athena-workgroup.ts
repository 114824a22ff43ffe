import { Stack, Token } from 'aws-cdk-lib';
import * as athena from 'aws-cdk-lib/aws-athena';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

/** Athena's smallest accepted per-query scan cutoff (10 MB). */
const MIN_BYTES_SCANNED_CUTOFF = 10 * 1024 * 1024;

/** Properties of {@link AthenaWorkgroup}. */
export interface AthenaWorkgroupProps {
  /** Bucket the query results are written to. */
  readonly resultsBucket: IBucket;
  /** Key the query results are encrypted with (SSE-KMS). */
  readonly encryptionKey: IKey;
  /** Per-query scan cap in bytes; a query that would scan more is cancelled. */
  readonly bytesScannedCutoffPerQuery: number;
  /**
   * Workgroup name; people pick it in the Athena console and detections run in it, so it is fixed, not generated.
   * @default 'zoomlake'
   */
  readonly workGroupName?: string;
  /**
   * Key prefix of query results in the results bucket.
   * @default 'results/'
   */
  readonly resultsPrefix?: string;
}

/**
 * The Athena workgroup for hunting and detections: engine v3, settings enforced so no client can send results
 * elsewhere or unencrypted, per-query scan cap, CloudWatch metrics.
 */
export class AthenaWorkgroup extends Construct {
  /** The workgroup name. */
  readonly workGroupName: string;
  /** The workgroup resource. */
  readonly workGroup: athena.CfnWorkGroup;

  constructor(scope: Construct, id: string, props: AthenaWorkgroupProps) {
    super(scope, id);
    this.workGroupName = props.workGroupName ?? 'zoomlake';
    if (!Token.isUnresolved(this.workGroupName) && !/^[A-Za-z0-9._-]{1,128}$/.test(this.workGroupName)) {
      throw new Error(`workGroupName must be 1-128 letters, digits, ".", "_" or "-", got "${this.workGroupName}"`);
    }
    if (!Number.isInteger(props.bytesScannedCutoffPerQuery) || props.bytesScannedCutoffPerQuery < MIN_BYTES_SCANNED_CUTOFF) {
      throw new Error(
        `bytesScannedCutoffPerQuery must be an integer of at least ${MIN_BYTES_SCANNED_CUTOFF} (10 MB), got ${props.bytesScannedCutoffPerQuery}`,
      );
    }
    const prefix = props.resultsPrefix ?? 'results/';

    this.workGroup = new athena.CfnWorkGroup(this, 'WorkGroup', {
      name: this.workGroupName,
      description: 'zoomlake: hunting and scheduled detections over the Zoom telemetry lake',
      state: 'ENABLED',
      workGroupConfiguration: {
        engineVersion: { selectedEngineVersion: 'Athena engine version 3' },
        // Client-side result locations and encryption settings are ignored, so results never leave the bucket.
        enforceWorkGroupConfiguration: true,
        publishCloudWatchMetricsEnabled: true,
        bytesScannedCutoffPerQuery: props.bytesScannedCutoffPerQuery,
        resultConfiguration: {
          outputLocation: `s3://${props.resultsBucket.bucketName}/${prefix}`,
          encryptionConfiguration: { encryptionOption: 'SSE_KMS', kmsKey: props.encryptionKey.keyArn },
          // Athena refuses to write results if the bucket was re-created in another account.
          expectedBucketOwner: Stack.of(this).account,
          aclConfiguration: { s3AclOption: 'BUCKET_OWNER_FULL_CONTROL' },
        },
      },
    });
  }
}
