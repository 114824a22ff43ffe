import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
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
  /** Every CloudWatch alarm of every zoomlake stack notifies this topic (buildApp wires them); `alarms.emails` subscribe. */
  readonly alarmTopic: sns.Topic;

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

    this.alarmTopic = new sns.Topic(this, 'AlarmTopic', { displayName: 'zoomlake operational alarms', masterKey: this.key, enforceSSL: true });
    for (const email of props.config.alarms.emails) this.alarmTopic.addSubscription(new subscriptions.EmailSubscription(email));
    // CloudWatch publishes this account's alarm notifications to the topic, encrypting them with the key (both
    // conditioned on the alarms' account and ARNs against the confused deputy).
    const fromAlarms = {
      StringEquals: { 'aws:SourceAccount': this.account },
      ArnLike: { 'aws:SourceArn': `arn:${this.partition}:cloudwatch:${this.region}:${this.account}:alarm:*` },
    };
    this.alarmTopic.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.alarmTopic.topicArn],
        conditions: fromAlarms,
      }),
    );
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchAlarmsToEncryptNotifications',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: fromAlarms,
      }),
    );

    new CfnOutput(this, 'AlarmTopicArn', {
      value: this.alarmTopic.topicArn,
      description: 'SNS topic every zoomlake CloudWatch alarm notifies (ALARM and OK); subscribe on-call here',
    });
    new CfnOutput(this, 'LakeBucketName', { value: this.lakeBucket.bucketName, description: 'S3 bucket holding the Parquet lake' });
    new CfnOutput(this, 'GlueDatabaseName', { value: this.databaseName, description: 'Glue database to query in Athena' });
    new CfnOutput(this, 'AthenaWorkGroupName', { value: this.workGroupName, description: 'Athena workgroup to query in' });
    new CfnOutput(this, 'StateTableName', { value: this.stateTable.tableName, description: 'DynamoDB table holding cursors and live state' });
  }
}
