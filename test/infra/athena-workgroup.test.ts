import { Key } from 'aws-cdk-lib/aws-kms';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { AthenaWorkgroup, type AthenaWorkgroupProps } from '../../lib/constructs/athena-workgroup.ts';
import { logicalIdOf, testStack } from './helpers.ts';

const CUTOFF = 5 * 1024 ** 3;

function build(props: Partial<AthenaWorkgroupProps> = {}) {
  const stack = testStack();
  const resultsBucket = Bucket.fromBucketName(stack, 'Results', 'zl-test-results');
  const encryptionKey = new Key(stack, 'Key', { enableKeyRotation: true });
  const workgroup = new AthenaWorkgroup(stack, 'Athena', { resultsBucket, encryptionKey, bytesScannedCutoffPerQuery: CUTOFF, ...props });
  return { encryptionKey, workgroup, template: Template.fromStack(stack) };
}

const { encryptionKey, workgroup, template } = build();

describe('AthenaWorkgroup', () => {
  it('is named "zoomlake" by default, so people can pick it in the console', () => {
    template.hasResourceProperties('AWS::Athena::WorkGroup', { Name: 'zoomlake', State: 'ENABLED' });
    expect(workgroup.workGroupName).toBe('zoomlake');
  });

  it('takes its name from the workGroupName prop', () => {
    const custom = build({ workGroupName: 'secops-hunt' });
    custom.template.hasResourceProperties('AWS::Athena::WorkGroup', { Name: 'secops-hunt' });
    expect(custom.workgroup.workGroupName).toBe('secops-hunt');
  });

  it('runs Athena engine version 3', () => {
    template.hasResourceProperties('AWS::Athena::WorkGroup', {
      WorkGroupConfiguration: { EngineVersion: { SelectedEngineVersion: 'Athena engine version 3' } },
    });
  });

  it('enforces its settings over client-side ones and publishes CloudWatch metrics', () => {
    template.hasResourceProperties('AWS::Athena::WorkGroup', {
      WorkGroupConfiguration: { EnforceWorkGroupConfiguration: true, PublishCloudWatchMetricsEnabled: true },
    });
  });

  it('cancels queries that would scan more than the cutoff', () => {
    template.hasResourceProperties('AWS::Athena::WorkGroup', { WorkGroupConfiguration: { BytesScannedCutoffPerQuery: CUTOFF } });
  });

  it('writes results SSE-KMS encrypted with the key to the results bucket it expects to own', () => {
    template.hasResourceProperties('AWS::Athena::WorkGroup', {
      WorkGroupConfiguration: {
        ResultConfiguration: {
          OutputLocation: 's3://zl-test-results/results/',
          EncryptionConfiguration: { EncryptionOption: 'SSE_KMS', KmsKey: { 'Fn::GetAtt': [logicalIdOf(encryptionKey), 'Arn'] } },
          ExpectedBucketOwner: '123456789012',
          AclConfiguration: { S3AclOption: 'BUCKET_OWNER_FULL_CONTROL' },
        },
      },
    });
  });

  it.each([[1024], [10 * 1024 * 1024 + 0.5]])('rejects a scan cutoff of %s bytes, which Athena would refuse', (bad) => {
    expect(() => build({ bytesScannedCutoffPerQuery: bad })).toThrow(/bytesScannedCutoffPerQuery must be an integer of at least 10485760/);
  });

  it('rejects a workgroup name Athena would refuse', () => {
    expect(() => build({ workGroupName: 'zoom lake' })).toThrow(/workGroupName must be 1-128 letters/);
  });
});
