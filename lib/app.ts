import { App, type Environment } from 'aws-cdk-lib';
import type { ZoomlakeConfig } from './config/schema.ts';
import { acknowledgePipelineFindings, acknowledgeStorageFindings } from './nag/acknowledgements.ts';
import { ZoomlakePipelineStack } from './stacks/pipeline-stack.ts';
import { ZoomlakeStorageStack } from './stacks/storage-stack.ts';

/** The stacks of one zoomlake deployment. */
export interface ZoomlakeApp {
  /** The CDK app the stacks were added to. */
  readonly app: App;
  /** The stateful stack. */
  readonly storage: ZoomlakeStorageStack;
  /** The stateless stack: webhook receiver and lake writer. */
  readonly pipeline: ZoomlakePipelineStack;
}

/**
 * The deployment target the CDK CLI resolved (`CDK_DEFAULT_*`, else `AWS_REGION`). The region is required: the
 * state table's customer-managed-key encryption cannot be rendered in a region-agnostic stack.
 */
export function defaultEnvironment(): Environment {
  const region = process.env.CDK_DEFAULT_REGION ?? process.env.AWS_REGION;
  if (!region) {
    throw new Error('no AWS region: run through `npx cdk synth`/`deploy`, or set AWS_REGION (or CDK_DEFAULT_REGION)');
  }
  return { account: process.env.CDK_DEFAULT_ACCOUNT, region };
}

/** Adds every zoomlake stack to `app`, with their cdk-nag acknowledgements; `bin/app.ts` and the tests share it. */
export function buildApp(config: ZoomlakeConfig, app: App = new App(), env: Environment = defaultEnvironment()): ZoomlakeApp {
  const storage = new ZoomlakeStorageStack(app, 'ZoomlakeStorage', {
    config,
    env,
    description: 'zoomlake (stateful): lake and results buckets, KMS key, Glue catalog, Athena workgroup, state table',
  });
  acknowledgeStorageFindings(storage);
  const pipeline = new ZoomlakePipelineStack(app, 'ZoomlakePipeline', {
    config,
    env,
    key: storage.key,
    lakeBucket: storage.lakeBucket,
    stateTable: storage.stateTable,
    description: 'zoomlake (stateless): Zoom webhook API, internal Zoom event bus, lake writer queue and function, Zoom API poller',
  });
  acknowledgePipelineFindings(pipeline);
  return { app, storage, pipeline };
}
