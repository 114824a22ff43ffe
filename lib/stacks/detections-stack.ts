import { CfnOutput, CrossStackReferences, Duration, ReferenceStrength, Stack, type StackProps } from 'aws-cdk-lib';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { CfnEventBusPolicy, IEventBus } from 'aws-cdk-lib/aws-events';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Bucket, type IBucket } from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { IDP_SIGNINS_VIEW } from '#core/detect/identity-view.ts';
import type { DetectionRegistry } from '#core/detect/registry.ts';
import type { ZoomlakeConfig } from '../config/schema.ts';
import { AlertBus } from '../constructs/alert-bus.ts';
import { AlertRouter } from '../constructs/alert-router.ts';
import { CorrelationWorkflow } from '../constructs/correlation-workflow.ts';
import { DetectionCatalog } from '../constructs/detection-catalog.ts';
import { DetectionRunner } from '../constructs/detection-runner.ts';
import { IdentitySource } from '../constructs/identity-source.ts';
import { RealtimeChecks } from '../constructs/realtime-checks.ts';
import type { NamedSql } from '../detections/load.ts';

/** Properties of {@link ZoomlakeDetectionsStack}. */
export interface ZoomlakeDetectionsStackProps extends StackProps {
  /** The validated zoomlake configuration. */
  readonly config: ZoomlakeConfig;
  /** The storage stack's customer-managed key. */
  readonly key: IKey;
  /** The storage stack's lake bucket. */
  readonly lakeBucket: IBucket;
  /** The storage stack's Athena results bucket. */
  readonly resultsBucket: IBucket;
  /** The storage stack's Glue database name (a literal). */
  readonly databaseName: string;
  /** The storage stack's Athena workgroup name (a literal). */
  readonly workGroupName: string;
  /** The storage stack's state table (alert suppression, live meeting state, user directory, idempotency keys). */
  readonly stateTable: ITableV2;
  /** The pipeline stack's internal bus of verified Zoom webhook events, which the realtime checks read. */
  readonly webhookBus: IEventBus;
  /** The pipeline stack's Zoom API credentials secret, which the post-meeting correlation reads too. */
  readonly zoomCredentials: ISecret;
  /** The validated detections (`queries/detections/*`). */
  /** The detection registry, with the config's parameter overrides applied. */
  readonly registry: DetectionRegistry;
  /** The hunting queries (`queries/hunting/*.sql`). */
  readonly huntingQueries: readonly NamedSql[];
}

/**
 * The stateless detection half of zoomlake: the alert bus (with its archive) and its routing, the config views and
 * saved queries in the Athena console, the scheduled detection runner, and the realtime checks on the webhook bus.
 */
export class ZoomlakeDetectionsStack extends Stack {
  /** The alert bus every alert is published to. */
  readonly alertBus: AlertBus;
  /** Rules routing alerts to the targets of `alerts.routes` (SNS, SQS, Lambda, Slack, PagerDuty). */
  readonly alertRouter: AlertRouter;
  /** Config views and named queries. */
  readonly catalog: DetectionCatalog;
  /** The runner, its schedules and alarms. */
  readonly runner: DetectionRunner;
  /** The identity input (its Glue table when the stack creates it; the runner reads it), when config `identity` is set. */
  readonly identity: IdentitySource | undefined;
  /** The realtime checks on the webhook bus: rule, queue, function and alarms. */
  readonly realtime: RealtimeChecks;
  /** The post-meeting correlation (state machine, starter, task functions), when `correlation.enabled` and the plan is paid. */
  readonly correlation: CorrelationWorkflow | undefined;
  /** The alert bus policy denying `source: zoomlake` to every principal but the runner, realtime and correlation Alerts roles. */
  readonly alertBusPolicy: CfnEventBusPolicy;

  constructor(scope: Construct, id: string, props: ZoomlakeDetectionsStackProps) {
    super(scope, id, props);
    // Imports, not stack-output lookups: CloudFormation then refuses to delete storage this stack still uses.
    CrossStackReferences.of(this).consume(ReferenceStrength.STRONG);
    const { key, config } = props;
    const lakeBucket = viaExports(this, 'LakeBucket', props.lakeBucket);
    const resultsBucket = viaExports(this, 'ResultsBucket', props.resultsBucket);

    this.alertBus = new AlertBus(this, 'AlertBus', { encryptionKey: key, archiveRetention: Duration.days(config.alerts.archiveDays) });
    this.alertRouter = new AlertRouter(this, 'AlertRouter', { alertBus: this.alertBus, routes: config.alerts.routes, encryptionKey: key });
    this.catalog = new DetectionCatalog(this, 'Catalog', {
      databaseName: props.databaseName,
      workGroupName: props.workGroupName,
      settings: config,
      detections: props.registry.detections,
      huntingQueries: props.huntingQueries,
    });
    this.runner = new DetectionRunner(this, 'Runner', {
      registry: props.registry,
      encryptionKey: key,
      lakeBucket,
      resultsBucket,
      workGroupName: props.workGroupName,
      databaseName: props.databaseName,
      configViewNames: [...this.catalog.configViews.keys()],
      alertBus: this.alertBus.eventBus,
      stateTable: props.stateTable,
    });
    // The runner's first query may come right after a deploy: its config views must exist by then.
    for (const view of this.catalog.configViews.values()) this.runner.node.addDependency(view);
    // Only the runner queries idp_signins, so only it may read the identity table and its data.
    this.identity = config.identity
      ? new IdentitySource(this, 'Identity', { databaseName: props.databaseName, identity: config.identity })
      : undefined;
    if (this.identity) {
      this.identity.grantRead(this.runner.runner.role);
      const view = this.catalog.configViews.get(IDP_SIGNINS_VIEW);
      if (this.identity.table && view) view.addDependency(this.identity.table);
    }
    this.realtime = new RealtimeChecks(this, 'Realtime', {
      eventBus: props.webhookBus,
      stateTable: props.stateTable,
      lakeBucket,
      alertBus: this.alertBus.eventBus,
      encryptionKey: key,
      settings: {
        ...config.realtime,
        internalDomains: config.internalDomains,
        sensitiveMeetingPatterns: config.sensitiveMeetingPatterns,
        watchedUsers: config.watchedUsers,
        trustedExternals: config.trustedExternals,
        minClientVersion: config.minClientVersion,
        supportNames: config.supportNames,
      },
      registry: props.registry,
    });
    // Free accounts have no report API, which the workflow's first step reads: no workflow there.
    this.correlation =
      config.correlation.enabled && config.planTier !== 'free'
        ? new CorrelationWorkflow(this, 'Correlation', {
            settings: config.correlation,
            filter: { sensitiveMeetingPatterns: config.sensitiveMeetingPatterns, watchedUsers: config.watchedUsers },
            registry: props.registry,
            plan: config.planTier,
            apiBudgetShare: config.apiBudgetShare,
            webhookBus: props.webhookBus,
            alertBus: this.alertBus.eventBus,
            stateTable: props.stateTable,
            lakeBucket,
            resultsBucket,
            workGroupName: props.workGroupName,
            databaseName: props.databaseName,
            configViewNames: [...this.catalog.configViews.keys()],
            zoomCredentials: props.zoomCredentials,
            encryptionKey: key,
          })
        : undefined;
    // The Exposure step's first query may come right after a deploy: the config views must exist by then.
    if (this.correlation) for (const view of this.catalog.configViews.values()) this.correlation.node.addDependency(view);
    // Every function granted events:PutEvents on the alert bus, and only those, may put alerts on it.
    this.alertBusPolicy = this.alertBus.reserveFor([
      this.runner.runner.role,
      this.realtime.checks.role,
      ...(this.correlation ? [this.correlation.functions.alerts.role] : []),
    ]);

    new CfnOutput(this, 'AlertBusName', {
      value: this.alertBus.eventBus.eventBusName,
      description: 'EventBridge bus carrying every zoomlake alert (source zoomlake, detail-type Zoom Security Alert)',
    });
    new CfnOutput(this, 'AlertBusArn', {
      value: this.alertBus.eventBus.eventBusArn,
      description: 'ARN of the alert bus, for rules and cross-account subscriptions',
    });
    new CfnOutput(this, 'DetectionRunnerName', {
      value: this.runner.runner.function.functionName,
      description: 'Run detections by hand: aws lambda invoke --function-name <name> --payload \'{"detections":["<id>"]}\'',
    });
    if (this.correlation) {
      new CfnOutput(this, 'CorrelationStateMachineArn', {
        value: this.correlation.stateMachine.stateMachineArn,
        description: 'The post-meeting correlation state machine: one execution per meeting instance, named meeting-<sha256 of its UUID>',
      });
    }
  }
}

/**
 * A bucket of another stack, seen through the exports CDK would create for it anyway. Referenced explicitly, its
 * ARN reads the same in IAM policies before and after synthesis resolves cross-stack references, so the cdk-nag
 * acknowledgements of object-prefix grants (computed from those policies) hold at both times.
 */
function viaExports(scope: Stack, id: string, bucket: IBucket): IBucket {
  const producer = Stack.of(bucket);
  if (producer === scope) return bucket;
  return Bucket.fromBucketAttributes(scope, id, {
    bucketArn: producer.exportValue(bucket.bucketArn),
    bucketName: producer.exportValue(bucket.bucketName),
    encryptionKey: bucket.encryptionKey,
  });
}
