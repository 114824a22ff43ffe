import { App, type Environment } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ZoomlakeConfig } from './config/schema.ts';
import { QUERIES_DIR, loadHuntingQueries, loadRegistry } from './detections/load.ts';
import { acknowledgeDetectionFindings, acknowledgePipelineFindings, acknowledgeStorageFindings } from './nag/acknowledgements.ts';
import { ZoomlakeDetectionsStack } from './stacks/detections-stack.ts';
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
  /** The stateless stack: alert bus and routing, config views, saved queries, scheduled detection runner, realtime checks. */
  readonly detections: ZoomlakeDetectionsStack;
}

/** Where buildApp finds what it deploys besides the config. */
export interface BuildAppOptions {
  /**
   * Folder holding `detections/<id>/` and `hunting/*.sql`; an invalid detection fails the build.
   * @default the repository's queries/
   */
  readonly queriesDir?: string;
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
export function buildApp(
  config: ZoomlakeConfig,
  app: App = new App(),
  env: Environment = defaultEnvironment(),
  options: BuildAppOptions = {},
): ZoomlakeApp {
  // First, so an invalid detection.yml fails synth with its own message (detection id and field) before anything else.
  const queriesDir = options.queriesDir ?? QUERIES_DIR;
  const registry = loadRegistry(config.detections, queriesDir);
  const huntingQueries = loadHuntingQueries(queriesDir);
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
  const detections = new ZoomlakeDetectionsStack(app, 'ZoomlakeDetections', {
    config,
    env,
    key: storage.key,
    lakeBucket: storage.lakeBucket,
    resultsBucket: storage.resultsBucket,
    databaseName: storage.databaseName,
    workGroupName: storage.workGroupName,
    stateTable: storage.stateTable,
    webhookBus: pipeline.webhook.eventBus,
    zoomCredentials: pipeline.poller.credentials,
    registry,
    huntingQueries,
    description:
      'zoomlake (stateless): alert bus, archive and routing, config views, saved Athena queries, scheduled detection runner, realtime checks',
  });
  acknowledgeDetectionFindings(detections);
  // Every alarm of every stack notifies the operational topic, going into ALARM and back to OK.
  const notify = new SnsAction(storage.alarmTopic);
  for (const alarm of app.node.findAll().filter((c): c is cloudwatch.Alarm => c instanceof cloudwatch.Alarm)) {
    alarm.addAlarmAction(notify);
    alarm.addOkAction(notify);
  }
  return { app, storage, pipeline, detections };
}
