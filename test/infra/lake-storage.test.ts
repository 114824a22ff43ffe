import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { ALLOW_DATA_DELETION_CONTEXT } from '../../lib/constructs/data-removal.ts';
import { LakeStorage, type LakeStorageProps } from '../../lib/constructs/lake-storage.ts';
import { logicalIdOf, resourceOf, testStack } from './helpers.ts';

function build(props: LakeStorageProps = {}, context: Record<string, string> = {}) {
  const stack = testStack(context);
  const storage = new LakeStorage(stack, 'Storage', props);
  return { storage, template: Template.fromStack(stack) };
}

const { storage, template } = build();
const buckets = { lake: storage.lakeBucket, results: storage.resultsBucket, logs: storage.logsBucket };
const keyArn = { 'Fn::GetAtt': [logicalIdOf(storage.key), 'Arn'] };

function props(construct: Parameters<typeof resourceOf>[1]): Record<string, unknown> {
  return resourceOf(template, construct).Properties as Record<string, unknown>;
}

describe('LakeStorage', () => {
  it('creates a customer-managed key with rotation on', () => {
    template.resourceCountIs('AWS::KMS::Key', 1);
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });

  it.each([
    ['lake', buckets.lake],
    ['results', buckets.results],
  ])('encrypts the %s bucket with the key (SSE-KMS, bucket key)', (_name, bucket) => {
    expect(props(bucket).BucketEncryption).toEqual({
      ServerSideEncryptionConfiguration: [
        { BucketKeyEnabled: true, ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: keyArn } },
      ],
    });
  });

  it('encrypts the access-logs bucket with S3-managed keys, since log delivery cannot write to SSE-KMS', () => {
    expect(props(buckets.logs).BucketEncryption).toEqual({
      ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
    });
  });

  it('blocks all four kinds of public access on every bucket', () => {
    template.resourcePropertiesCountIs(
      'AWS::S3::Bucket',
      {
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      },
      3,
    );
  });

  it('versions every bucket', () => {
    template.resourcePropertiesCountIs('AWS::S3::Bucket', { VersioningConfiguration: { Status: 'Enabled' } }, 3);
  });

  it('disables ACLs on every bucket (bucket owner enforced)', () => {
    template.resourcePropertiesCountIs('AWS::S3::Bucket', { OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] } }, 3);
  });

  it.each(Object.entries(buckets))('denies every request to the %s bucket that is not over TLS 1.2+', (_name, bucket) => {
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: logicalIdOf(bucket) },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Action: 's3:*', Principal: { AWS: '*' }, Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({ Effect: 'Deny', Action: 's3:*', Condition: { NumericLessThan: { 's3:TlsVersion': 1.2 } } }),
        ]),
      },
    });
  });

  it.each([
    ['lake', buckets.lake, 'lake/'],
    ['results', buckets.results, 'athena-results/'],
  ])('sends server access logs of the %s bucket to the logs bucket under its own prefix', (_name, bucket, prefix) => {
    expect(props(bucket).LoggingConfiguration).toEqual({
      DestinationBucketName: { Ref: logicalIdOf(buckets.logs) },
      LogFilePrefix: prefix,
      TargetObjectKeyFormat: { PartitionedPrefix: { PartitionDateSource: 'EventTime' } },
    });
  });

  it('lets S3 log delivery write to the logs bucket only for its own source buckets, by bucket policy', () => {
    for (const [bucket, prefix] of [
      [buckets.lake, 'lake/'],
      [buckets.results, 'athena-results/'],
    ] as const) {
      template.hasResourceProperties('AWS::S3::BucketPolicy', {
        Bucket: { Ref: logicalIdOf(buckets.logs) },
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Allow',
              Action: 's3:PutObject',
              Principal: { Service: 'logging.s3.amazonaws.com' },
              Condition: {
                ArnLike: { 'aws:SourceArn': { 'Fn::GetAtt': [logicalIdOf(bucket), 'Arn'] } },
                StringEquals: { 'aws:SourceAccount': '123456789012' },
              },
              Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [logicalIdOf(buckets.logs), 'Arn'] }, `/${prefix}*`]] },
            }),
          ]),
        },
      });
    }
  });

  it('tiers lake objects to Standard-IA then Glacier Instant Retrieval and expires them, from the props', () => {
    const custom = build({ infrequentAccessAfterDays: 45, glacierAfterDays: 120, lakeRetentionDays: 400, noncurrentVersionRetentionDays: 10 });
    const lake = resourceOf(custom.template, custom.storage.lakeBucket).Properties as Record<string, unknown>;
    expect(lake.LifecycleConfiguration).toEqual({
      Rules: [
        {
          Id: 'tier-and-expire-lake',
          Status: 'Enabled',
          Transitions: [
            { StorageClass: 'STANDARD_IA', TransitionInDays: 45 },
            { StorageClass: 'GLACIER_IR', TransitionInDays: 120 },
          ],
          ExpirationInDays: 400,
          NoncurrentVersionExpiration: { NoncurrentDays: 10 },
          AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 },
        },
      ],
    });
  });

  it('keeps lake objects forever when lakeRetentionDays is 0', () => {
    const custom = build({ lakeRetentionDays: 0 });
    const lake = resourceOf(custom.template, custom.storage.lakeBucket).Properties as {
      LifecycleConfiguration: { Rules: Record<string, unknown>[] };
    };
    expect(lake.LifecycleConfiguration.Rules[0]).not.toHaveProperty('ExpirationInDays');
    expect(lake.LifecycleConfiguration.Rules[0]).toHaveProperty('Transitions');
  });

  it.each([
    ['results', (s: LakeStorage) => s.resultsBucket, 'expire-query-results', 3],
    ['logs', (s: LakeStorage) => s.logsBucket, 'expire-access-logs', 90],
  ])('expires objects in the %s bucket after the configured days', (_name, pick, id, days) => {
    const custom = build({ athenaResultsRetentionDays: 3, accessLogRetentionDays: 90 });
    const bucket = resourceOf(custom.template, pick(custom.storage)).Properties as Record<string, unknown>;
    expect(bucket.LifecycleConfiguration).toEqual({
      Rules: [
        {
          Id: id,
          Status: 'Enabled',
          ExpirationInDays: days,
          NoncurrentVersionExpiration: { NoncurrentDays: 30 },
          AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 },
        },
      ],
    });
  });

  it.each([['key', storage.key], ...Object.entries(buckets)] as const)(
    'retains the %s on stack deletion and replacement by default',
    (_name, construct) => {
      expect(resourceOf(template, construct)).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    },
  );

  it('does not auto-delete objects by default', () => {
    template.resourceCountIs('Custom::S3AutoDeleteObjects', 0);
  });

  it.each([
    [false, undefined, 'Retain'],
    [true, undefined, 'Retain'],
    [false, 'true', 'Retain'],
    [true, 'false', 'Retain'],
    [true, 'true', 'Delete'],
  ])('with allowDataDeletion=%s and context %s, the key and buckets are %s', (allow, flag, policy) => {
    const context: Record<string, string> = flag === undefined ? {} : { [ALLOW_DATA_DELETION_CONTEXT]: flag };
    const custom = build({ allowDataDeletion: allow }, context);
    for (const construct of [custom.storage.key, custom.storage.lakeBucket, custom.storage.resultsBucket, custom.storage.logsBucket]) {
      expect(resourceOf(custom.template, construct)).toMatchObject({ DeletionPolicy: policy, UpdateReplacePolicy: policy });
    }
    custom.template.resourceCountIs('Custom::S3AutoDeleteObjects', policy === 'Delete' ? 3 : 0);
  });

  it.each([
    [{ infrequentAccessAfterDays: 20 }, /infrequentAccessAfterDays must be at least 30/],
    [
      { infrequentAccessAfterDays: 30, glacierAfterDays: 45 },
      /glacierAfterDays \(45\) must be at least 30 more than infrequentAccessAfterDays \(30\)/,
    ],
    [
      { glacierAfterDays: 180, lakeRetentionDays: 100 },
      /lakeRetentionDays \(100\) must be 0 \(keep forever\) or greater than glacierAfterDays \(180\)/,
    ],
  ])('rejects retention %j that S3 would refuse', (bad, message) => {
    expect(() => build(bad)).toThrow(message);
  });
});
