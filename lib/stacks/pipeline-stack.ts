import { CfnOutput, CrossStackReferences, ReferenceStrength, Stack, type StackProps } from 'aws-cdk-lib';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Bucket, type IBucket } from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import type { ZoomlakeConfig } from '../config/schema.ts';
import { LakeCompaction } from '../constructs/lake-compaction.ts';
import { ScheduledPoller } from '../constructs/scheduled-poller.ts';
import { WebhookLakeWriter } from '../constructs/webhook-lake-writer.ts';
import { ZoomWebhookApi } from '../constructs/zoom-webhook-api.ts';

/** Properties of {@link ZoomlakePipelineStack}. */
export interface ZoomlakePipelineStackProps extends StackProps {
  /** The validated zoomlake configuration. */
  readonly config: ZoomlakeConfig;
  /** The storage stack's customer-managed key. */
  readonly key: IKey;
  /** The storage stack's lake bucket. */
  readonly lakeBucket: IBucket;
  /** The storage stack's state table (poll cursors and leases). */
  readonly stateTable: ITableV2;
}

/** The stateless half of zoomlake: the Zoom webhook receiver, the writer landing its events in the lake, and the API poller. */
export class ZoomlakePipelineStack extends Stack {
  /** The webhook API, its function, secret and the internal Zoom bus. */
  readonly webhook: ZoomWebhookApi;
  /** The rule, queues and function writing webhook events to the lake. */
  readonly lakeWriter: WebhookLakeWriter;
  /** The scheduled Zoom API poller, its credentials secret and alarms. */
  readonly poller: ScheduledPoller;
  /** The daily lake compaction, when `compaction.enabled`. */
  readonly compaction?: LakeCompaction;

  constructor(scope: Construct, id: string, props: ZoomlakePipelineStackProps) {
    super(scope, id, props);
    // Imports, not stack-output lookups: CloudFormation then refuses to delete storage this stack still uses.
    CrossStackReferences.of(this).consume(ReferenceStrength.STRONG);
    const { key, config } = props;
    const lakeBucket = viaExports(this, props.lakeBucket);

    this.webhook = new ZoomWebhookApi(this, 'Webhook', {
      encryptionKey: key,
      lakeBucket,
      replayWindowSeconds: config.webhook.replayWindowSeconds,
      maxBodyBytes: config.webhook.maxBodyBytes,
      throttlingRateLimit: config.webhook.throttlingRateLimit,
      throttlingBurstLimit: config.webhook.throttlingBurstLimit,
      perIpRequestsPerMinute: config.webhook.perIpRequestsPerMinute,
      allowedSourceCidrs: config.webhook.allowedSourceCidrs,
    });
    this.lakeWriter = new WebhookLakeWriter(this, 'LakeWriter', { eventBus: this.webhook.eventBus, lakeBucket, encryptionKey: key });

    this.poller = new ScheduledPoller(this, 'Poller', {
      encryptionKey: key,
      lakeBucket,
      stateTable: props.stateTable,
      sources: config.sources,
      plan: config.planTier,
      apiBudgetShare: config.apiBudgetShare,
      riskSignals: {
        internalDomains: config.internalDomains,
        sensitiveMeetingPatterns: config.sensitiveMeetingPatterns,
        watchedUsers: config.watchedUsers,
      },
    });

    if (config.compaction.enabled) {
      this.compaction = new LakeCompaction(this, 'Compaction', {
        encryptionKey: key,
        lakeBucket,
        schedule: config.compaction.schedule,
        lookbackDays: config.compaction.lookbackDays,
      });
    }

    new CfnOutput(this, 'WebhookUrl', { value: this.webhook.webhookUrl, description: 'Event notification endpoint URL to enter in the Zoom app' });
    new CfnOutput(this, 'WebhookSecretArn', {
      value: this.webhook.secret.secretArn,
      description: 'Put the Zoom app secret token here: aws secretsmanager put-secret-value --secret-id <arn> --secret-string <token>',
    });
    new CfnOutput(this, 'ZoomCredentialsSecretArn', {
      value: this.poller.credentials.secretArn,
      description: 'Put the Zoom Server-to-Server OAuth credentials here as JSON {"accountId","clientId","clientSecret"}',
    });
  }
}

/**
 * A bucket of another stack, seen through the exports CDK would create for it anyway. Referenced explicitly, its
 * ARN reads the same in IAM policies before and after synthesis resolves cross-stack references, so the cdk-nag
 * acknowledgements of object-prefix grants (computed from those policies) hold at both times.
 */
function viaExports(scope: Stack, bucket: IBucket): IBucket {
  const producer = Stack.of(bucket);
  if (producer === scope) return bucket;
  return Bucket.fromBucketAttributes(scope, 'LakeBucket', {
    bucketArn: producer.exportValue(bucket.bucketArn),
    bucketName: producer.exportValue(bucket.bucketName),
    encryptionKey: bucket.encryptionKey,
  });
}
