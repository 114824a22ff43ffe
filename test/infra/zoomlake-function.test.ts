import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App, Duration, Lazy, Stack } from 'aws-cdk-lib';
import type { Asset } from 'aws-cdk-lib/aws-s3-assets';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Template } from 'aws-cdk-lib/assertions';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IConstruct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { NODE_RUNTIME, ZoomlakeFunction, type ZoomlakeFunctionProps } from '../../lib/constructs/zoomlake-function.ts';
import { TEST_ENV, logicalIdOf, resourceOf } from './helpers.ts';
import { nodeMajor, pipelineTestStack, statementsOf } from './pipeline-helpers.ts';

const ENTRY = fileURLToPath(new URL('../../lambdas/handlers/zoom-webhook.handler.ts', import.meta.url));

function build(props: Partial<ZoomlakeFunctionProps> = {}) {
  const { stack, key } = pipelineTestStack();
  const fn = new ZoomlakeFunction(stack, 'Fn', {
    entry: ENTRY,
    description: 'test function',
    encryptionKey: key,
    timeout: Duration.seconds(7),
    ...props,
  });
  return { key, fn, template: Template.fromStack(stack) };
}

const { key, fn, template } = build();
const functionProps = () => resourceOf(template, fn.function).Properties as Record<string, unknown>;

describe('ZoomlakeFunction', () => {
  it('runs on the newest Node.js runtime, at least nodejs22.x', () => {
    expect(functionProps().Runtime).toBe(NODE_RUNTIME.name);
    expect(nodeMajor(functionProps().Runtime)).toBeGreaterThanOrEqual(22);
  });

  it('runs on arm64', () => {
    expect(functionProps().Architectures).toEqual(['arm64']);
  });

  it('takes its timeout and 512 MB of memory by default', () => {
    expect(functionProps()).toMatchObject({ Timeout: 7, MemorySize: 512 });
  });

  it('takes the memory size, environment and reserved concurrency it is given', () => {
    const custom = build({ memorySize: 1024, environment: { SOME_NAME: 'value' }, reservedConcurrentExecutions: 3 });
    expect(resourceOf(custom.template, custom.fn.function).Properties).toMatchObject({
      MemorySize: 1024,
      Environment: { Variables: { SOME_NAME: 'value' } },
      ReservedConcurrentExecutions: 3,
    });
  });

  it.each([
    ['a value over the limit', { SETTINGS: 'x'.repeat(4_090) }, 'SETTINGS alone is 4098'],
    ['many values that add up', Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`LIST_${i}`, 'y'.repeat(500)])), 'over Lambda'],
  ])('refuses at synth an environment over 4 KB: %s', (_what, environment, message) => {
    expect(() => build({ environment })).toThrow(message);
  });

  it('counts a value known only at deploy time at a name or ARN size, so a big environment with tokens still fits', () => {
    const tokens = Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`NAME_${i}`, Lazy.string({ produce: () => `generated-name-${i}` })]));
    expect(() => build({ environment: { ...tokens, SETTINGS: 'z'.repeat(2_500) } })).not.toThrow();
  });

  it('reserves no concurrency by default', () => {
    expect(functionProps().ReservedConcurrentExecutions).toBeUndefined();
  });

  it('writes JSON logs to its own log group', () => {
    expect(functionProps().LoggingConfig).toEqual({ LogFormat: 'JSON', LogGroup: { Ref: logicalIdOf(fn.logGroup) } });
  });

  it('encrypts its log group with the key and keeps logs a year by default', () => {
    expect(resourceOf(template, fn.logGroup).Properties).toEqual({ KmsKeyId: { 'Fn::GetAtt': [logicalIdOf(key), 'Arn'] }, RetentionInDays: 365 });
  });

  it('keeps logs for the retention it is given', () => {
    const custom = build({ logRetention: RetentionDays.THREE_MONTHS });
    expect(resourceOf(custom.template, custom.fn.logGroup).Properties).toMatchObject({ RetentionInDays: 90 });
  });

  it('retains its log group when the stack is deleted', () => {
    expect(resourceOf(template, fn.logGroup)).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });

  it('uses its own role, with no managed policy', () => {
    expect(functionProps().Role).toEqual({ 'Fn::GetAtt': [logicalIdOf(fn.role), 'Arn'] });
    expect((resourceOf(template, fn.role).Properties as Record<string, unknown>).ManagedPolicyArns).toBeUndefined();
  });

  it('may only write to its own log group until callers grant more', () => {
    expect(statementsOf(template, fn.role)).toEqual([
      { Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: { 'Fn::GetAtt': [logicalIdOf(fn.logGroup), 'Arn'] } },
    ]);
  });

  it("lets CloudWatch Logs of the key's region and account use the key", () => {
    expect(logsStatementsOf(template, key)).toEqual([
      {
        Sid: 'AllowCloudWatchLogsOfThisAccount',
        Effect: 'Allow',
        Principal: { Service: 'logs.eu-west-1.amazonaws.com' },
        Action: expect.arrayContaining(['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey']),
        Resource: '*',
        Condition: {
          ArnLike: {
            'kms:EncryptionContext:aws:logs:arn': {
              'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':logs:eu-west-1:123456789012:log-group:*']],
            },
          },
        },
      },
    ]);
  });

  it('adds that key-policy statement once however many functions use the key', () => {
    const { stack, key: shared } = pipelineTestStack();
    for (const id of ['A', 'B'])
      new ZoomlakeFunction(stack, id, { entry: ENTRY, description: id, encryptionKey: shared, timeout: Duration.seconds(3) });
    expect(logsStatementsOf(Template.fromStack(stack), shared)).toHaveLength(1);
  });
});

describe('ZoomlakeFunction bundling', () => {
  /** The webhook handler bundled by CDK exactly as a deployment bundles it (esbuild run locally). */
  function bundled(): string {
    const outdir = mkdtempSync(join(tmpdir(), 'zl-bundling-'));
    try {
      const app = new App({ outdir });
      const stack = new Stack(app, 'Bundled', { env: TEST_ENV });
      const fn = new ZoomlakeFunction(stack, 'Fn', {
        entry: ENTRY,
        description: 'bundled',
        encryptionKey: new Key(stack, 'Key', { enableKeyRotation: true }),
        timeout: Duration.seconds(3),
      });
      const asset = fn.function.node.findChild('Code') as Asset;
      return readFileSync(join(outdir, asset.assetPath, 'index.mjs'), 'utf8');
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  }
  const code = bundled();

  it('is one minified ES module that can require() Node built-ins', () => {
    expect(code.startsWith("import { createRequire as __zoomlakeCreateRequire } from 'node:module';")).toBe(true);
    // Minified: long lines, no indentation (an unminified bundle averages under 40 characters a line).
    expect(code.length / code.split('\n').length).toBeGreaterThan(2_000);
  });

  it('holds only the SDK clients and commands the function uses', () => {
    for (const used of ['PutEventsCommand', 'GetSecretValueCommand']) expect(code.includes(used), used).toBe(true);
    // Unused commands of the same clients are shaken out.
    for (const unused of ['ListRulesCommand', 'CreateSecretCommand']) expect(code.includes(unused), unused).toBe(false);
  });

  it("writes large bodies without the SDK's S3 client, which alone would bundle to about 316 KB", () => {
    // The PutObject-only writer is there (class names survive minification)...
    expect(code.includes('S3ObjectWriter')).toBe(true);
    // ...and nothing of @aws-sdk/client-s3: its client, its commands, its schema module, its S3-only middleware.
    for (const s3 of ['S3Client', 'PutObjectCommand', 'ListObjectsV2', 'GetObjectCommand', 'CreateMultipartUpload', 'S3ExpressIdentity']) {
      expect(code.includes(s3), s3).toBe(false);
    }
  });

  it('stays within the 300 KB budget of docs/performance.md', () => {
    expect(Buffer.byteLength(code)).toBeLessThanOrEqual(300 * 1024);
  });

  it("takes credentials from Lambda's environment only, without the rest of the SDK's default chain", () => {
    expect(code.includes('AWS_SECRET_ACCESS_KEY')).toBe(true);
    // The chain's other links and the STS, SSO and sign-in clients they bring.
    for (const link of [
      'AWS_WEB_IDENTITY_TOKEN_FILE',
      'AWS_CONTAINER_CREDENTIALS_FULL_URI',
      'sso_start_url',
      'AssumeRoleWithWebIdentityCommand',
      'GetRoleCredentialsCommand',
    ]) {
      expect(code.includes(link), link).toBe(false);
    }
  });
});

function logsStatementsOf(t: Template, k: IConstruct): Record<string, unknown>[] {
  const policy = (resourceOf(t, k).Properties as { KeyPolicy: { Statement: Record<string, unknown>[] } }).KeyPolicy;
  return policy.Statement.filter((s) => s.Sid === 'AllowCloudWatchLogsOfThisAccount');
}
