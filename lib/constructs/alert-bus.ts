import { Duration, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { CONFIG_DEFAULTS } from '#config/schema.ts';
import { ALERT_DETAIL_TYPE, ALERT_EVENT_SOURCE } from '#core/alerts/alert.ts';
import { eventsOf, reserveEventSource } from './event-source-guard.ts';

/** Properties of {@link AlertBus}. */
export interface AlertBusProps {
  /** Customer-managed key encrypting the bus and its archive; EventBridge is allowed to use it for this bus only. */
  readonly encryptionKey: IKey;
  /**
   * How long the archive keeps every alert event for replay.
   * @default Duration.days(90)
   */
  readonly archiveRetention?: Duration;
  /**
   * The bus name. SIEM, SOAR and other accounts subscribe to it, so it is fixed, not generated.
   * @default 'zoomlake-alerts'
   */
  readonly eventBusName?: string;
}

/**
 * The custom EventBridge bus every zoomlake alert is published to (`source: zoomlake`, `detail-type: Zoom Security
 * Alert`, detail = the alert), KMS-encrypted, with an archive of every event for replay. Routing rules and targets
 * attach to `eventBus` with `alertPattern`.
 */
export class AlertBus extends Construct {
  /** The alert bus. */
  readonly eventBus: events.EventBus;
  /** The archive of every event on the bus. */
  readonly archive: events.CfnArchive;
  /**
   * Matches every zoomlake alert put in this account; routes narrow it by severity or detection. With
   * {@link reserveFor}, only the alert producers can put such events.
   */
  readonly alertPattern: events.EventPattern = eventsOf(this, ALERT_EVENT_SOURCE, [ALERT_DETAIL_TYPE]);

  constructor(scope: Construct, id: string, props: AlertBusProps) {
    super(scope, id);
    const name = props.eventBusName ?? 'zoomlake-alerts';
    const retention = props.archiveRetention ?? Duration.days(CONFIG_DEFAULTS.alerts.archiveDays);
    if (retention.toSeconds() < 86_400) throw new Error(`archiveRetention must be at least one day, got ${retention.toHumanString()}`);
    const key = props.encryptionKey;
    const stack = Stack.of(this);

    this.eventBus = new events.EventBus(this, 'Bus', {
      eventBusName: name,
      description: 'zoomlake: security alerts from scheduled detections, realtime checks and post-meeting correlation',
      kmsKey: key,
    });

    // The key may live in another stack: its policy names the bus by its literal ARN, never by a reference to
    // this stack, which would make the two stacks depend on each other.
    const busArn = stack.formatArn({ service: 'events', resource: 'event-bus', resourceName: name });
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowEventBridgeToArchiveTheAlertBus',
        principals: [new iam.ServicePrincipal('events.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey', 'kms:ReEncryptFrom', 'kms:ReEncryptTo'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account, 'kms:EncryptionContext:aws:events:event-bus:arn': busArn } },
      }),
    );
    // Creating an encrypted archive checks the key first; DescribeKey carries no encryption context to match.
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowEventBridgeToDescribeTheKey',
        principals: [new iam.ServicePrincipal('events.amazonaws.com')],
        actions: ['kms:DescribeKey'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
    );
    this.archive = new events.CfnArchive(this, 'Archive', {
      sourceArn: this.eventBus.eventBusArn,
      description: `zoomlake: every alert event, kept ${retention.toDays()} days for replay`,
      retentionDays: retention.toDays(),
      kmsKeyIdentifier: key.keyArn,
    });
  }

  /**
   * Reserves the alert source on the bus for `producers`, the roles of the functions that publish alerts: any other
   * principal of the account allowed events:PutEvents on the bus is denied putting `source: zoomlake`, so it cannot
   * forge alerts that reach the routes' SNS, Slack and PagerDuty targets. Call it once, with every producer.
   */
  reserveFor(producers: readonly iam.IRole[]): events.CfnEventBusPolicy {
    return reserveEventSource(this, 'OnlyProducersPublish', this.eventBus, ALERT_EVENT_SOURCE, producers);
  }
}
