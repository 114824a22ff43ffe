import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { LAKE_ROOT } from '#core/schema/registry.ts';

/** What a role needs to run Athena queries over lake tables and read their results. */
export interface AthenaQueryAccess {
  readonly workGroupName: string;
  readonly databaseName: string;
  /** Glue tables (and views) the queries read, already including any `<name>_raw` tables behind views. */
  readonly glueTables: readonly string[];
  readonly lakeBucket: IBucket;
  readonly resultsBucket: IBucket;
  /** The results prefix in the workgroup, ending in `/`. */
  readonly resultsPrefix: string;
  /** The key of the lake and results buckets. */
  readonly encryptionKey: IKey;
}

/**
 * Grants `role` the queries of one workgroup over the named Glue tables: Athena reads the lake and writes the results
 * with the caller's credentials, so the role also reads everything under the lake root and reads and writes its
 * results prefix, with the key used through S3 only.
 */
export function grantAthenaQueries(role: iam.IRole, access: AthenaQueryAccess): void {
  const { region, account, partition } = Stack.of(role);
  const arn = (service: string, resource: string) => `arn:${partition}:${service}:${region}:${account}:${resource}`;
  const { lakeBucket: lake, resultsBucket: results, databaseName } = access;
  const statements = [
    new iam.PolicyStatement({
      actions: ['athena:StartQueryExecution', 'athena:GetQueryExecution', 'athena:GetQueryResults', 'athena:StopQueryExecution'],
      resources: [arn('athena', `workgroup/${access.workGroupName}`)],
    }),
    new iam.PolicyStatement({
      actions: ['glue:GetDatabase', 'glue:GetTable', 'glue:GetPartitions'],
      resources: [
        arn('glue', 'catalog'),
        arn('glue', `database/${databaseName}`),
        ...access.glueTables.map((t) => arn('glue', `table/${databaseName}/${t}`)),
      ],
    }),
    new iam.PolicyStatement({ actions: ['s3:GetBucketLocation'], resources: [lake.bucketArn] }),
    new iam.PolicyStatement({
      actions: ['s3:ListBucket'],
      resources: [lake.bucketArn],
      conditions: { StringLike: { 's3:prefix': [`${LAKE_ROOT}/*`] } },
    }),
    new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [lake.arnForObjects(`${LAKE_ROOT}/*`)] }),
    new iam.PolicyStatement({ actions: ['s3:GetBucketLocation', 's3:ListBucket', 's3:ListBucketMultipartUploads'], resources: [results.bucketArn] }),
    new iam.PolicyStatement({
      actions: ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'],
      resources: [results.arnForObjects(`${access.resultsPrefix}*`)],
    }),
    new iam.PolicyStatement({
      actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
      resources: [access.encryptionKey.keyArn],
      conditions: { StringEquals: { 'kms:ViaService': `s3.${region}.amazonaws.com` } },
    }),
  ];
  for (const statement of statements) role.addToPrincipalPolicy(statement);
}

/**
 * Grants `role` what Athena needs, reading with the caller's credentials, to read a table whose data lives outside the
 * lake (the data-access table, the identity table): list and read objects under `location` (`s3://bucket/prefix/`), and
 * decrypt them with `kmsKeyArn` through S3 when they are SSE-KMS encrypted.
 */
export function grantExternalObjects(role: iam.IRole, location: string, kmsKeyArn: string | undefined): void {
  const { region, partition } = Stack.of(role);
  const [, bucket = '', prefix = ''] = /^s3:\/\/([^/]+)\/(.*)$/.exec(location) ?? [];
  if (bucket === '') throw new Error(`${location} is not an s3://bucket/prefix/ location`);
  const bucketArn = `arn:${partition}:s3:::${bucket}`;
  role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:GetBucketLocation'], resources: [bucketArn] }));
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: ['s3:ListBucket'],
      resources: [bucketArn],
      ...(prefix === '' ? {} : { conditions: { StringLike: { 's3:prefix': [`${prefix}*`] } } }),
    }),
  );
  role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [`${bucketArn}/${prefix}*`] }));
  if (kmsKeyArn !== undefined) {
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['kms:Decrypt'],
        resources: [kmsKeyArn],
        conditions: { StringEquals: { 'kms:ViaService': `s3.${region}.amazonaws.com` } },
      }),
    );
  }
}
