import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import type { ZoomlakeConfig } from '../config/schema.ts';
import { AthenaWorkgroup } from '../constructs/athena-workgroup.ts';
import { LakeCatalog } from '../constructs/lake-catalog.ts';
import { LakeStorage } from '../constructs/lake-storage.ts';
import { StateTable } from '../constructs/state-table.ts';

/** Properties of {@link ZoomlakeStorageStack}. */
export interface ZoomlakeStorageStackProps extends StackProps {
  /** The validated zoomlake configuration. */
  readonly config: ZoomlakeConfig;
}

/** The stateful half of zoomlake: key, buckets, Glue catalog, Athena workgroup and state table. */
export class ZoomlakeStorageStack extends Stack {
  /** Customer-managed key of the lake, the query results and the state table. */
  readonly key: IKey;
  /** The Parquet lake bucket. */
  readonly lakeBucket: IBucket;
  /** The Athena query results bucket. */
  readonly resultsBucket: IBucket;
  /** The server access logs bucket. */
  readonly logsBucket: IBucket;
  /** The Glue database holding the lake tables and views. */
  readonly databaseName: string;
  /** The DynamoDB state table. */
  readonly stateTable: ITableV2;
  /** The Athena workgroup name. */
  readonly workGroupName: string;
  /** The storage construct, for acknowledgements and tests. */
  readonly storage: LakeStorage;

  constructor(scope: Construct, id: string, props: ZoomlakeStorageStackProps) {
    super(scope, id, props);
    const { retention, athena, allowDataDeletion } = props.config;

    this.storage = new LakeStorage(this, 'Storage', {
      lakeRetentionDays: retention.lakeDays,
      infrequentAccessAfterDays: retention.infrequentAccessAfterDays,
      glacierAfterDays: retention.glacierAfterDays,
      athenaResultsRetentionDays: retention.athenaResultsDays,
      accessLogRetentionDays: retention.accessLogDays,
      allowDataDeletion,
    });
    const catalog = new LakeCatalog(this, 'Catalog', {
      lakeBucket: this.storage.lakeBucket,
      projectionStartDate: athena.projectionStartDate,
    });
    const state = new StateTable(this, 'State', { encryptionKey: this.storage.key, allowDataDeletion });
    const workgroup = new AthenaWorkgroup(this, 'Athena', {
      resultsBucket: this.storage.resultsBucket,
      encryptionKey: this.storage.key,
      bytesScannedCutoffPerQuery: athena.bytesScannedCutoffPerQuery,
    });

    this.key = this.storage.key;
    this.lakeBucket = this.storage.lakeBucket;
    this.resultsBucket = this.storage.resultsBucket;
    this.logsBucket = this.storage.logsBucket;
    this.databaseName = catalog.databaseName;
    this.stateTable = state.table;
    this.workGroupName = workgroup.workGroupName;

    new CfnOutput(this, 'LakeBucketName', { value: this.lakeBucket.bucketName, description: 'S3 bucket holding the Parquet lake' });
    new CfnOutput(this, 'GlueDatabaseName', { value: this.databaseName, description: 'Glue database to query in Athena' });
    new CfnOutput(this, 'AthenaWorkGroupName', { value: this.workGroupName, description: 'Athena workgroup to query in' });
    new CfnOutput(this, 'StateTableName', { value: this.stateTable.tableName, description: 'DynamoDB table holding cursors and live state' });
  }
}
