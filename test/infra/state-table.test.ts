import { Key } from 'aws-cdk-lib/aws-kms';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { ALLOW_DATA_DELETION_CONTEXT } from '../../lib/constructs/data-removal.ts';
import { StateTable } from '../../lib/constructs/state-table.ts';
import { logicalIdOf, resourceOf, testStack } from './helpers.ts';

function build(allowDataDeletion?: boolean, context: Record<string, string> = {}) {
  const stack = testStack(context);
  const key = new Key(stack, 'Key', { enableKeyRotation: true });
  const state = new StateTable(stack, 'State', { encryptionKey: key, allowDataDeletion });
  return { key, state, template: Template.fromStack(stack) };
}

const { key, state, template } = build();

describe('StateTable', () => {
  it('keys items by string pk and sk', () => {
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
      ],
    });
  });

  it('bills on demand', () => {
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', { BillingMode: 'PAY_PER_REQUEST' });
  });

  it('turns on point-in-time recovery', () => {
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      Replicas: [{ Region: 'eu-west-1', PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } }],
    });
  });

  it('expires items by the expiresAt attribute', () => {
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', { TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true } });
  });

  it('encrypts with the customer-managed key it is given', () => {
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS' },
      Replicas: [{ SSESpecification: { KMSMasterKeyId: { 'Fn::GetAtt': [logicalIdOf(key), 'Arn'] } } }],
    });
  });

  it('turns on deletion protection by default', () => {
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', { Replicas: [{ DeletionProtectionEnabled: true }] });
  });

  it('retains the table on stack deletion and replacement by default', () => {
    expect(resourceOf(template, state.table)).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });

  it.each([
    [false, undefined, 'Retain', true],
    [true, undefined, 'Retain', true],
    [false, 'true', 'Retain', true],
    [true, 'true', 'Delete', false],
  ])('with allowDataDeletion=%s and context %s, the table is %s with deletion protection %s', (allow, flag, policy, protectedTable) => {
    const custom = build(allow, flag === undefined ? {} : { [ALLOW_DATA_DELETION_CONTEXT]: flag });
    expect(resourceOf(custom.template, custom.state.table)).toMatchObject({
      DeletionPolicy: policy,
      Properties: { Replicas: [{ DeletionProtectionEnabled: protectedTable }] },
    });
  });
});
