import { Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { describe, expect, it } from 'vitest';
import { AlertBus, type AlertBusProps } from '../../lib/constructs/alert-bus.ts';
import { logicalIdOf, resourceOf } from './helpers.ts';
import { pipelineTestStack } from './pipeline-helpers.ts';

function build(props: Partial<AlertBusProps> = {}) {
  const { stack, key } = pipelineTestStack();
  const bus = new AlertBus(stack, 'AlertBus', { encryptionKey: key, ...props });
  return { key, bus, template: Template.fromStack(stack) };
}

const { key, bus, template } = build();
const keyArn = { 'Fn::GetAtt': [logicalIdOf(key), 'Arn'] };
/** The bus ARN as written, not as a reference to the bus: the key may live in another stack. */
const BUS_ARN = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':events:eu-west-1:123456789012:event-bus/zoomlake-alerts']] };
type KeyStatement = {
  Sid?: string;
  Principal?: { Service?: string };
  Action: string | string[];
  Condition?: Record<string, Record<string, unknown>>;
};
const keyStatements = () => (resourceOf(template, key).Properties as { KeyPolicy: { Statement: KeyStatement[] } }).KeyPolicy.Statement;

describe('AlertBus', () => {
  it('is a custom bus with a fixed name, encrypted with the key', () => {
    expect(resourceOf(template, bus.eventBus).Properties).toMatchObject({ Name: 'zoomlake-alerts', KmsKeyIdentifier: keyArn });
  });

  it('archives every event on the bus for 90 days by default, encrypted with the key', () => {
    const archive = resourceOf(template, bus.archive).Properties as Record<string, unknown>;
    expect(archive).toMatchObject({ SourceArn: { 'Fn::GetAtt': [logicalIdOf(bus.eventBus), 'Arn'] }, RetentionDays: 90, KmsKeyIdentifier: keyArn });
    expect(archive.EventPattern).toBeUndefined();
  });

  it('keeps the archive as long as asked and takes another bus name', () => {
    const custom = build({ archiveRetention: Duration.days(400), eventBusName: 'security-alerts' });
    expect(resourceOf(custom.template, custom.bus.archive).Properties).toMatchObject({ RetentionDays: 400 });
    expect(resourceOf(custom.template, custom.bus.eventBus).Properties).toMatchObject({ Name: 'security-alerts' });
  });

  it('refuses an archive retention under one day', () => {
    expect(() => build({ archiveRetention: Duration.hours(1) })).toThrow(/archiveRetention must be at least one day/);
  });

  it('lets EventBridge use the key for this bus only, naming the bus by its literal ARN', () => {
    const forEvents = keyStatements().filter((s) => s.Principal?.Service === 'events.amazonaws.com');
    const archive = forEvents.find((s) => s.Sid === 'AllowEventBridgeToArchiveTheAlertBus');
    expect(archive).toMatchObject({
      Action: ['kms:Decrypt', 'kms:GenerateDataKey', 'kms:ReEncryptFrom', 'kms:ReEncryptTo'],
      Condition: { StringEquals: { 'aws:SourceAccount': '123456789012', 'kms:EncryptionContext:aws:events:event-bus:arn': BUS_ARN } },
    });
    for (const s of forEvents) {
      expect(s.Condition?.StringEquals?.['aws:SourceAccount'], s.Sid).toBe('123456789012');
      if ([s.Action].flat().some((a) => a !== 'kms:DescribeKey'))
        expect(s.Condition?.StringEquals?.['kms:EncryptionContext:aws:events:event-bus:arn'], s.Sid).toEqual(BUS_ARN);
    }
  });

  it('offers the pattern matching every zoomlake alert put in this account, for routing rules', () => {
    expect(bus.alertPattern).toEqual({ source: ['zoomlake'], account: ['123456789012'], detailType: ['Zoom Security Alert'] });
  });

  it('has no bus policy until its producers are named', () => {
    template.resourceCountIs('AWS::Events::EventBusPolicy', 0);
  });
});

describe('AlertBus reserved for its producers', () => {
  const { stack, key: k } = pipelineTestStack();
  const reserved = new AlertBus(stack, 'AlertBus', { encryptionKey: k });
  const producer = (id: string) => new iam.Role(stack, id, { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  const roles = [producer('Runner'), producer('Realtime')];
  const policy = reserved.reserveFor(roles);
  const t = Template.fromStack(stack);

  it("denies zoomlake events on the bus to every principal but the producers' roles", () => {
    expect(resourceOf(t, policy).Properties).toEqual({
      EventBusName: { Ref: logicalIdOf(reserved.eventBus) },
      StatementId: 'Only-zoomlake-producers',
      Statement: {
        Sid: 'Only-zoomlake-producers',
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Action: 'events:PutEvents',
        Resource: { 'Fn::GetAtt': [logicalIdOf(reserved.eventBus), 'Arn'] },
        Condition: {
          'ForAnyValue:StringEquals': { 'events:source': ['zoomlake'] },
          ArnNotEquals: { 'aws:PrincipalArn': roles.map((r) => ({ 'Fn::GetAtt': [logicalIdOf(r), 'Arn'] })) },
        },
      },
    });
  });

  it('refuses to reserve the bus for no producer', () => {
    const other = pipelineTestStack();
    expect(() => new AlertBus(other.stack, 'AlertBus', { encryptionKey: other.key }).reserveFor([])).toThrow(
      /reserving zoomlake on .* needs at least one producer role/,
    );
  });
});
