import { App, Stack } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import type { IRole } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Bucket, BucketEncryption } from 'aws-cdk-lib/aws-s3';
import { TEST_ENV, logicalIdOf } from './helpers.ts';

/** App context that skips asset bundling (no esbuild run), as infra tests must. */
export const NO_BUNDLING = { 'aws:cdk:bundling-stacks': [] as string[] };

/** An empty stack in its own app with bundling skipped, plus a KMS key and a KMS-encrypted lake bucket in it. */
export function pipelineTestStack(context: Record<string, unknown> = {}): { stack: Stack; key: Key; lake: Bucket } {
  const stack = new Stack(new App({ context: { ...NO_BUNDLING, ...context } }), 'Test', { env: TEST_ENV });
  const key = new Key(stack, 'Key', { enableKeyRotation: true });
  const lake = new Bucket(stack, 'Lake', { encryption: BucketEncryption.KMS, encryptionKey: key, enforceSSL: true });
  return { stack, key, lake };
}

/** One IAM policy statement as rendered in the template. */
export type Statement = Record<string, unknown>;

/** Every statement of every AWS::IAM::Policy and AWS::IAM::ManagedPolicy attached to `role`, in order. */
export function statementsOf(template: Template, role: IRole): Statement[] {
  const roleRef = { Ref: logicalIdOf(role) };
  // CDK moves statements past the inline policy size limit into managed policies attached to the same role.
  const policies = [
    ...Object.values(template.findResources('AWS::IAM::Policy')),
    ...Object.values(template.findResources('AWS::IAM::ManagedPolicy')),
  ] as {
    Properties: { Roles?: unknown[]; PolicyDocument: { Statement: Statement[] } };
  }[];
  return policies
    .filter((p) => (p.Properties.Roles ?? []).some((r) => JSON.stringify(r) === JSON.stringify(roleRef)))
    .flatMap((p) => p.Properties.PolicyDocument.Statement);
}

/** The `Resource` entries of every AWS::IAM::Policy and AWS::IAM::Role inline policy that are exactly `*`. */
export function starResources(template: Template): Statement[] {
  const json = template.toJSON() as { Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }> };
  const documents = Object.values(json.Resources).flatMap((r) => {
    if (r.Type === 'AWS::IAM::Policy') return [r.Properties?.PolicyDocument as { Statement: Statement[] }];
    if (r.Type === 'AWS::IAM::Role')
      return ((r.Properties?.Policies ?? []) as { PolicyDocument: { Statement: Statement[] } }[]).map((p) => p.PolicyDocument);
    return [];
  });
  return documents.flatMap((d) => d.Statement).filter((s) => [s.Resource].flat().includes('*'));
}

/** The numeric Node.js major version of a Lambda runtime such as `nodejs24.x`, or NaN for other runtimes. */
export function nodeMajor(runtime: unknown): number {
  const match = /^nodejs(\d+)\.x$/.exec(String(runtime));
  return match ? Number(match[1]) : Number.NaN;
}
