import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ConfigError } from '#config/load.ts';

/** The newest Node.js runtime this aws-cdk-lib offers (cdk-nag AwsSolutions-L1 asks for the latest). */
export const NODE_RUNTIME = lambda.Runtime.NODEJS_24_X;

/**
 * The module every bundle takes in place of the SDK's default credential chain: the environment provider alone, where
 * Lambda puts the execution role's credentials (lambdas/adapters/lambda-credentials.ts says why). Relative to the
 * project root, where esbuild runs.
 */
export const CREDENTIAL_CHAIN_ALIAS = '@aws-sdk/credential-provider-node=./lambdas/adapters/lambda-credentials.ts';

/**
 * How every zoomlake function is bundled (the bench bundles with the same options to measure size and cold init):
 * one minified ESM file for Node.js 22 and later, the AWS SDK clients the function uses bundled and tree-shaken.
 */
export const LAMBDA_BUNDLING = {
  format: nodejs.OutputFormat.ESM,
  target: 'node22',
  mainFields: ['module', 'main'],
  minify: true,
  // Error and class names survive minification, so logged error names stay meaningful.
  keepNames: true,
  sourceMap: false,
  // The AWS SDK is bundled, not taken from the runtime: the adapters run against the exact versions they are tested
  // with, and one tree-shaken file loads faster at cold start than the runtime's SDK (`npm run bench` measures both).
  externalModules: [],
  esbuildArgs: { '--alias': [CREDENTIAL_CHAIN_ALIAS] },
  // Some bundled CommonJS dependencies call require() for Node built-ins, which ESM output lacks.
  banner: "import { createRequire as __zoomlakeCreateRequire } from 'node:module'; const require = __zoomlakeCreateRequire(import.meta.url);",
  forceDockerBundling: false,
} satisfies nodejs.BundlingOptions;

/** Properties of {@link ZoomlakeFunction}. */
export interface ZoomlakeFunctionProps {
  /** Absolute path of the `<name>.handler.ts` file exporting `handler`. */
  readonly entry: string;
  /** What the function does, shown in the console. */
  readonly description: string;
  /**
   * Key encrypting the function's log group. A key created in this app gets a key-policy statement letting
   * CloudWatch Logs in this account and region use it; an imported key must already allow that.
   */
  readonly encryptionKey: IKey;
  /** How long one invocation may run. */
  readonly timeout: Duration;
  /**
   * Memory in MB (CPU scales with it).
   * @default 512
   */
  readonly memorySize?: number;
  /**
   * Environment variables, set by the construct that grants the access they name.
   * @default - none
   */
  readonly environment?: Readonly<Record<string, string>>;
  /**
   * Concurrent executions reserved for (and capping) this function.
   * @default - unreserved: the account's shared pool, no cap
   */
  readonly reservedConcurrentExecutions?: number;
  /**
   * How long the function's logs are kept.
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Files written beside the bundled handler, by file name (data the handler reads at init, such as
   * `detections.json`). They are part of the bundle, so the asset hash changes whenever one does.
   * @default - none
   */
  readonly extraFiles?: Readonly<Record<string, string>>;
}

/** Lambda's limit on one function's environment variables, names and values together (UTF-8 bytes). */
export const LAMBDA_ENVIRONMENT_BYTES = 4096;
// A value only known at deploy time (a generated table, bucket or bus name; an ARN) is counted at this size: the
// names CDK generates and the ARNs zoomlake passes stay well under it.
const UNRESOLVED_VALUE_BYTES = 128;

/**
 * Fails synth, not the deployment, when `environment` cannot fit Lambda's limit: the config lists that end up in a
 * function's settings (internal domains, watched users, support names, trusted externals) can outgrow it.
 */
export function checkEnvironmentSize(path: string, environment: Readonly<Record<string, string>>): void {
  const sizes = Object.entries(environment).map(
    ([name, value]) => [name, Buffer.byteLength(name) + (Token.isUnresolved(value) ? UNRESOLVED_VALUE_BYTES : Buffer.byteLength(value))] as const,
  );
  const total = sizes.reduce((n, [, bytes]) => n + bytes, 0);
  if (total <= LAMBDA_ENVIRONMENT_BYTES) return;
  const [largest, bytes] = sizes.reduce((a, b) => (b[1] > a[1] ? b : a));
  throw new ConfigError(
    `${path}: the function's environment takes about ${total} bytes, over Lambda's ${LAMBDA_ENVIRONMENT_BYTES}; ${largest} alone is ${bytes} (shorten the config lists it carries)`,
  );
}

/**
 * A zoomlake Lambda function: Node.js (latest) on ARM64, bundled locally by esbuild into one minified ESM file,
 * its own role with no managed policy (only what callers grant, plus writing its own logs), and JSON logs in a
 * KMS-encrypted, retained log group with a retention period.
 */
export class ZoomlakeFunction extends Construct {
  /** The function. */
  readonly function: nodejs.NodejsFunction;
  /** The function's execution role; grants go here. */
  readonly role: iam.Role;
  /** The function's log group. */
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: ZoomlakeFunctionProps) {
    super(scope, id);
    this.logGroup = encryptedLogGroup(this, 'Logs', props.encryptionKey, props.logRetention ?? logs.RetentionDays.ONE_YEAR);
    // An own role instead of AWSLambdaBasicExecutionRole: that managed policy may create and write any log group.
    this.role = new iam.Role(this, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'), description: props.description });
    this.logGroup.grantWrite(this.role);

    checkEnvironmentSize(this.node.path, props.environment ?? {});
    this.function = new nodejs.NodejsFunction(this, 'Function', {
      entry: props.entry,
      handler: 'handler',
      description: props.description,
      runtime: NODE_RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout,
      role: this.role,
      environment: { ...props.environment },
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      bundling: {
        ...LAMBDA_BUNDLING,
        commandHooks: extraFilesHooks(props.extraFiles ?? {}),
      },
    });
  }
}

/**
 * Bundling hooks copying `files` (name -> content) into the bundle's output folder. The files are written to a
 * temporary folder only when bundling runs (not when tests skip it); `undefined` when there are none.
 */
export function extraFilesHooks(files: Readonly<Record<string, string>>): nodejs.ICommandHooks | undefined {
  const names = Object.keys(files);
  if (names.length === 0) return undefined;
  for (const name of names) {
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) throw new Error(`extra file names must be plain file names, got "${name}"`);
  }
  const quote = (path: string) => `'${path.replaceAll("'", "'\\''")}'`;
  return {
    beforeBundling: () => [],
    beforeInstall: () => [],
    afterBundling: (_inputDir, outputDir) => {
      const dir = mkdtempSync(join(tmpdir(), 'zoomlake-bundle-'));
      return names.map((name) => {
        writeFileSync(join(dir, name), files[name] ?? '');
        return `cp ${quote(join(dir, name))} ${quote(join(outputDir, name))}`;
      });
    },
  };
}

/**
 * A log group encrypted with `key` (CloudWatch Logs is allowed to use a key created in this app), kept for
 * `retention` and retained when the stack is deleted: logs are evidence.
 */
export function encryptedLogGroup(scope: Construct, id: string, key: IKey, retention: logs.RetentionDays): logs.LogGroup {
  allowCloudWatchLogs(key);
  return new logs.LogGroup(scope, id, { encryptionKey: key, retention, removalPolicy: RemovalPolicy.RETAIN });
}

/**
 * Lets CloudWatch Logs encrypt and decrypt with `key` for log groups of the key's own account and region, as a
 * KMS-encrypted log group requires. Scoped by region and account only: naming each log group would make the key's
 * stack depend on the stacks using it. Identical statements are rendered once, so every log group may call this.
 */
export function allowCloudWatchLogs(key: IKey): void {
  const { region, account, partition } = Stack.of(key);
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'AllowCloudWatchLogsOfThisAccount',
      principals: [new iam.ServicePrincipal(`logs.${region}.amazonaws.com`)],
      actions: [
        'kms:Encrypt',
        'kms:Decrypt',
        'kms:ReEncryptFrom',
        'kms:ReEncryptTo',
        'kms:GenerateDataKey',
        'kms:GenerateDataKeyWithoutPlaintext',
        'kms:DescribeKey',
      ],
      resources: ['*'],
      conditions: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:${partition}:logs:${region}:${account}:log-group:*` } },
    }),
  );
}
