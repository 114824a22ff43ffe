import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { ALLOW_DATA_DELETION_CONTEXT } from '../../lib/constructs/data-removal.ts';
import { ZoomlakeStorageStack } from '../../lib/stacks/storage-stack.ts';
import { TEST_ENV, logicalIdOf, resourceOf, testConfig } from './helpers.ts';

function build(config: Record<string, unknown> = {}, context: Record<string, string> = {}) {
  const stack = new ZoomlakeStorageStack(new App({ context }), 'Storage', { config: testConfig(config), env: TEST_ENV });
  return { stack, template: Template.fromStack(stack) };
}

const { stack, template } = build();

describe('ZoomlakeStorageStack', () => {
  it('holds one key, three buckets, one state table and one workgroup', () => {
    template.resourceCountIs('AWS::KMS::Key', 1);
    template.resourceCountIs('AWS::S3::Bucket', 3);
    template.resourceCountIs('AWS::DynamoDB::GlobalTable', 1);
    template.resourceCountIs('AWS::Athena::WorkGroup', 1);
  });

  it('encrypts the lake, the results and the state table with the same key', () => {
    const keyArn = { 'Fn::GetAtt': [logicalIdOf(stack.key), 'Arn'] };
    template.resourcePropertiesCountIs(
      'AWS::S3::Bucket',
      {
        BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { KMSMasterKeyID: keyArn } }] },
      },
      2,
    );
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', { Replicas: [{ SSESpecification: { KMSMasterKeyId: keyArn } }] });
    template.hasResourceProperties('AWS::Athena::WorkGroup', {
      WorkGroupConfiguration: { ResultConfiguration: { EncryptionConfiguration: { KmsKey: keyArn } } },
    });
  });

  it('passes the retention settings of the config to the buckets', () => {
    const custom = build({
      retention: { lakeDays: 1000, infrequentAccessAfterDays: 60, glacierAfterDays: 365, athenaResultsDays: 7, accessLogDays: 400 },
    });
    expect(resourceOf(custom.template, custom.stack.lakeBucket)).toMatchObject({
      Properties: {
        LifecycleConfiguration: {
          Rules: [
            {
              ExpirationInDays: 1000,
              Transitions: [
                { StorageClass: 'STANDARD_IA', TransitionInDays: 60 },
                { StorageClass: 'GLACIER_IR', TransitionInDays: 365 },
              ],
            },
          ],
        },
      },
    });
    expect(resourceOf(custom.template, custom.stack.resultsBucket)).toMatchObject({
      Properties: { LifecycleConfiguration: { Rules: [{ ExpirationInDays: 7 }] } },
    });
    expect(resourceOf(custom.template, custom.stack.logsBucket)).toMatchObject({
      Properties: { LifecycleConfiguration: { Rules: [{ ExpirationInDays: 400 }] } },
    });
  });

  it('passes the Athena settings of the config to the workgroup and the tables', () => {
    const custom = build({ athena: { bytesScannedCutoffPerQuery: 20 * 1024 ** 2, projectionStartDate: '2023-06-01' } });
    custom.template.hasResourceProperties('AWS::Athena::WorkGroup', { WorkGroupConfiguration: { BytesScannedCutoffPerQuery: 20 * 1024 ** 2 } });
    custom.template.hasResourceProperties('AWS::Glue::Table', {
      TableInput: { Name: 'activities_raw', Parameters: { 'projection.dt.range': '2023-06-01,NOW' } },
    });
  });

  it.each([
    [false, 'true', 'Retain'],
    [true, undefined, 'Retain'],
    [true, 'true', 'Delete'],
  ])('with config allowDataDeletion=%s and context %s, data resources are %s', (allow, flag, policy) => {
    const custom = build({ allowDataDeletion: allow }, flag === undefined ? {} : { [ALLOW_DATA_DELETION_CONTEXT]: flag });
    for (const construct of [
      custom.stack.key,
      custom.stack.lakeBucket,
      custom.stack.resultsBucket,
      custom.stack.logsBucket,
      custom.stack.stateTable,
    ]) {
      expect(resourceOf(custom.template, construct), construct.node.path).toMatchObject({ DeletionPolicy: policy });
    }
  });

  it('exposes the stable names later stacks and users rely on', () => {
    expect(stack.databaseName).toBe('zoomlake');
    expect(stack.workGroupName).toBe('zoomlake');
  });

  it.each([
    ['LakeBucketName', () => ({ Ref: logicalIdOf(stack.lakeBucket) })],
    ['GlueDatabaseName', () => 'zoomlake'],
    ['AthenaWorkGroupName', () => 'zoomlake'],
    ['StateTableName', () => ({ Ref: logicalIdOf(stack.stateTable) })],
  ])('outputs %s', (name, value) => {
    template.hasOutput(name, { Value: value() });
  });
});
