import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { CONFIG_DEFAULTS } from '#config/schema.ts';
import { dataRemovalPolicy } from './data-removal.ts';

/** Feature flag that makes server access logging grant write access by bucket policy instead of an ACL. */
const ACCESS_LOGS_BY_POLICY_FLAG = '@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy';

/** Properties of {@link LakeStorage}. */
export interface LakeStorageProps {
  /**
   * Days lake objects are kept; 0 keeps them forever.
   * @default 730
   */
  readonly lakeRetentionDays?: number;
  /**
   * Days after which lake objects move to S3 Standard-IA (S3 requires at least 30).
   * @default 30
   */
  readonly infrequentAccessAfterDays?: number;
  /**
   * Days after which lake objects move to S3 Glacier Instant Retrieval (at least 30 after Standard-IA).
   * @default 180
   */
  readonly glacierAfterDays?: number;
  /**
   * Days Athena query results are kept.
   * @default 30
   */
  readonly athenaResultsRetentionDays?: number;
  /**
   * Days server access logs are kept.
   * @default 365
   */
  readonly accessLogRetentionDays?: number;
  /**
   * Days an overwritten or deleted object version is kept, in every bucket (the undo window).
   * @default 30
   */
  readonly noncurrentVersionRetentionDays?: number;
  /**
   * Whether deleting the stack may delete the key, the buckets and their objects. Takes effect only when the
   * `zoomlake:allowDataDeletion` context is also true.
   * @default false
   */
  readonly allowDataDeletion?: boolean;
}

/**
 * The lake's storage: a customer-managed KMS key, the lake bucket, the Athena results bucket and the bucket
 * both write their server access logs to.
 */
export class LakeStorage extends Construct {
  /** The customer-managed key encrypting the lake, the Athena results and the state table. */
  readonly key: kms.Key;
  /** The Parquet lake: `zoom/<table>/dt=YYYY-MM-DD/...`. */
  readonly lakeBucket: s3.Bucket;
  /** Where the Athena workgroup writes query results. */
  readonly resultsBucket: s3.Bucket;
  /** Server access logs of the lake and results buckets. */
  readonly logsBucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: LakeStorageProps = {}) {
    super(scope, id);
    // ACLs are disabled on every bucket (BucketOwnerEnforced), so log delivery must be granted by bucket policy
    // whatever the app's feature flags say.
    this.node.setContext(ACCESS_LOGS_BY_POLICY_FLAG, true);

    const { retention } = CONFIG_DEFAULTS;
    const lakeDays = props.lakeRetentionDays ?? retention.lakeDays;
    const iaDays = props.infrequentAccessAfterDays ?? retention.infrequentAccessAfterDays;
    const glacierDays = props.glacierAfterDays ?? retention.glacierAfterDays;
    const noncurrentDays = props.noncurrentVersionRetentionDays ?? 30;
    validateRetention(lakeDays, iaDays, glacierDays);

    const removalPolicy = dataRemovalPolicy(this, props.allowDataDeletion);
    const autoDeleteObjects = removalPolicy === RemovalPolicy.DESTROY;
    const common = {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      versioned: true,
      removalPolicy,
      autoDeleteObjects,
    };
    const housekeeping = {
      noncurrentVersionExpiration: Duration.days(noncurrentDays),
      abortIncompleteMultipartUploadAfter: Duration.days(7),
    };

    this.key = new kms.Key(this, 'Key', {
      description: 'zoomlake: encrypts the Zoom telemetry lake, Athena query results and detection state',
      enableKeyRotation: true,
      removalPolicy,
    });

    // S3 cannot deliver server access logs to an SSE-KMS bucket, so this one bucket uses S3-managed keys.
    this.logsBucket = new s3.Bucket(this, 'AccessLogs', {
      ...common,
      encryption: s3.BucketEncryption.S3_MANAGED,
      lifecycleRules: [
        { id: 'expire-access-logs', expiration: Duration.days(props.accessLogRetentionDays ?? retention.accessLogDays), ...housekeeping },
      ],
    });

    const kmsBucket = {
      ...common,
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: this.key,
      // One data key per bucket instead of one KMS call per object: Parquet writers and Athena touch many objects.
      bucketKeyEnabled: true,
      serverAccessLogsBucket: this.logsBucket,
      // Date-partitioned log keys keep the access logs queryable with partition projection.
      targetObjectKeyFormat: s3.TargetObjectKeyFormat.partitionedPrefix(s3.PartitionDateSource.EVENT_TIME),
    };

    this.lakeBucket = new s3.Bucket(this, 'Lake', {
      ...kmsBucket,
      serverAccessLogsPrefix: 'lake/',
      lifecycleRules: [
        {
          id: 'tier-and-expire-lake',
          transitions: [
            { storageClass: s3.StorageClass.INFREQUENT_ACCESS, transitionAfter: Duration.days(iaDays) },
            // Instant Retrieval, not Flexible: Athena must still read old partitions without a restore.
            { storageClass: s3.StorageClass.GLACIER_INSTANT_RETRIEVAL, transitionAfter: Duration.days(glacierDays) },
          ],
          expiration: lakeDays > 0 ? Duration.days(lakeDays) : undefined,
          ...housekeeping,
        },
      ],
    });

    this.resultsBucket = new s3.Bucket(this, 'AthenaResults', {
      ...kmsBucket,
      serverAccessLogsPrefix: 'athena-results/',
      lifecycleRules: [
        { id: 'expire-query-results', expiration: Duration.days(props.athenaResultsRetentionDays ?? retention.athenaResultsDays), ...housekeeping },
      ],
    });
  }
}

function validateRetention(lakeDays: number, iaDays: number, glacierDays: number): void {
  if (iaDays < 30) throw new Error(`infrequentAccessAfterDays must be at least 30 (an S3 limit), got ${iaDays}`);
  // S3 rejects a lifecycle rule whose Glacier transition comes less than 30 days after its Standard-IA one.
  if (glacierDays < iaDays + 30) {
    throw new Error(`glacierAfterDays (${glacierDays}) must be at least 30 more than infrequentAccessAfterDays (${iaDays})`);
  }
  if (lakeDays !== 0 && lakeDays <= glacierDays) {
    throw new Error(`lakeRetentionDays (${lakeDays}) must be 0 (keep forever) or greater than glacierAfterDays (${glacierDays})`);
  }
}
