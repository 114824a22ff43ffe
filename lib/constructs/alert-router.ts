import { fileURLToPath } from 'node:url';
import { Arn, ArnFormat, Duration, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { deadLetterAlarm } from './alarms.ts';
import { allowEventBridgeToEncrypt } from './event-queue.ts';
import { SEVERITIES, type Severity } from '#core/alerts/alert.ts';
import type { alertNotifierEnv } from '#runtime/env/alert-notifier.ts';
import type { FunctionEnv } from '#runtime/env/function-env.ts';
import type { ZoomlakeConfig } from '../config/schema.ts';
import type { AlertBus } from './alert-bus.ts';
import { ZoomlakeFunction } from './zoomlake-function.ts';

const NOTIFIER_ENTRY = fileURLToPath(new URL('../../lambdas/handlers/alert-notifier.handler.ts', import.meta.url));

/** One alert route as configured (`alerts.routes[]` in zoomlake.config.json). */
export type AlertRouteConfig = ZoomlakeConfig['alerts']['routes'][number];

/** Properties of {@link AlertRouter}. */
export interface AlertRouterProps {
  /** The alert bus the routing rules attach to. */
  readonly alertBus: AlertBus;
  /** The routes: which alerts (minimum severity, optional detection ids) go to which target. */
  readonly routes: readonly AlertRouteConfig[];
  /** Customer-managed key encrypting the topics, queues and log groups. */
  readonly encryptionKey: IKey;
  /**
   * Whether the Slack and PagerDuty notifiers also send archive replays (events carrying `replay-name`).
   * @default false - replays are skipped and logged, so replaying the archive never pages anyone twice
   */
  readonly notifyReplays?: boolean;
  /**
   * PagerDuty Events API v2 endpoint, e.g. the EU service region's.
   * @default - https://events.pagerduty.com/v2/enqueue
   */
  readonly pagerDutyEventsUrl?: string;
  /**
   * How long the notifiers' logs are kept.
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;
}

/** What one route created. */
export interface AlertRouteResources {
  /** The rule matching the route's alerts on the alert bus. */
  readonly rule: events.Rule;
  /** The topic (sns routes). */
  readonly topic?: sns.Topic;
  /** The queue (sqs routes). */
  readonly queue?: sqs.Queue;
  /** The notifier function (slack and pagerduty routes). */
  readonly notifier?: ZoomlakeFunction;
  /** The secret the notifier reads (slack and pagerduty routes). */
  readonly secret?: secretsmanager.ISecret;
  /** The existing function invoked (lambda routes). */
  readonly function?: lambda.IFunction;
}

/** How long EventBridge (and Lambda's async queue) keep retrying one event before it goes to the dead-letter queue. */
const MAX_EVENT_AGE = Duration.hours(24);

/** The severities at or above `min`, for an event pattern. */
export function severitiesFrom(min: Severity): Severity[] {
  return SEVERITIES.slice(SEVERITIES.indexOf(min));
}

/** The event pattern of a route: every zoomlake alert at or above its severity, of its detections when it names some. */
export function routePattern(bus: AlertBus, route: Pick<AlertRouteConfig, 'name' | 'minSeverity' | 'detections'>): events.EventPattern {
  if (route.detections !== undefined && route.detections.length === 0) {
    throw new Error(`alert route "${route.name}": detections is empty; omit it to route every detection`);
  }
  return {
    ...bus.alertPattern,
    detail: {
      severity: severitiesFrom(route.minSeverity),
      ...(route.detections === undefined ? {} : { detection_id: [...route.detections] }),
    },
  };
}

/**
 * Routes alerts from the alert bus to the targets in config, one rule per route matching severity (at or above the
 * route's minimum) and optionally detection ids: an SNS topic (KMS, TLS only) with email subscriptions, an SQS queue
 * (KMS, TLS only) for a SIEM or SOAR to drain, an existing Lambda function, or a notifier function posting to Slack
 * or PagerDuty with the webhook URL or routing key read from Secrets Manager at run time (never in the template; the
 * notifier may read that one secret only). Every target has a retry policy and the router's dead-letter queue,
 * whose depth raises an alarm. Archive replays carry `replay-name`: the notifiers skip them unless `notifyReplays`;
 * the other targets receive them and can do the same, and a replay can be limited to chosen rules.
 */
export class AlertRouter extends Construct {
  /** Each route's resources, by route name. */
  readonly routes: ReadonlyMap<string, AlertRouteResources>;
  /**
   * Alert events no target accepted after retries, notifier failures, and messages a queue consumer failed five times;
   * undefined when there are no routes.
   */
  readonly deadLetterQueue: sqs.Queue | undefined;
  /** In alarm while the dead-letter queue holds any message; undefined when there are no routes. */
  readonly deadLetterAlarm: cloudwatch.Alarm | undefined;

  private readonly props: AlertRouterProps;

  constructor(scope: Construct, id: string, props: AlertRouterProps) {
    super(scope, id);
    this.props = props;
    const routes = new Map<string, AlertRouteResources>();
    this.routes = routes;
    if (props.routes.length === 0) return;

    const key = props.encryptionKey;
    const deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: key,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.deadLetterQueue = deadLetterQueue;
    this.deadLetterAlarm = deadLetterAlarm(
      this,
      deadLetterQueue,
      'zoomlake: alerts were not delivered to a route target; inspect and redrive the alert router dead-letter queue',
    );

    for (const route of props.routes) {
      if (routes.has(route.name)) throw new Error(`alert route "${route.name}" is defined twice`);
      routes.set(route.name, this.addRoute(route, deadLetterQueue));
    }
    if ([...routes.values()].some((r) => r.topic ?? r.queue)) allowEventBridgeToEncrypt(key, 'AllowEventBridgeToEncryptAlertTargets');
  }

  private addRoute(route: AlertRouteConfig, deadLetterQueue: sqs.Queue): AlertRouteResources {
    const scope = new Construct(this, route.name);
    const rule = new events.Rule(scope, 'Rule', {
      description: `zoomlake: alerts of severity ${route.minSeverity} or higher${route.detections ? ` from ${route.detections.join(', ')}` : ''} to ${route.target.type} (route ${route.name})`,
      eventBus: this.props.alertBus.eventBus,
      eventPattern: routePattern(this.props.alertBus, route),
    });
    this.allowRuleToDeadLetter(rule, deadLetterQueue);
    const target = route.target;
    switch (target.type) {
      case 'sns': {
        const topic = new sns.Topic(scope, 'Topic', {
          displayName: `zoomlake alerts (${route.name})`,
          masterKey: this.props.encryptionKey,
          enforceSSL: true,
        });
        for (const email of target.emails) topic.addSubscription(new subscriptions.EmailSubscription(email));
        topic.addToResourcePolicy(
          new iam.PolicyStatement({
            principals: [new iam.ServicePrincipal('events.amazonaws.com')],
            actions: ['sns:Publish'],
            resources: [topic.topicArn],
            conditions: { ArnEquals: { 'aws:SourceArn': rule.ruleArn } },
          }),
        );
        this.addTarget(rule, topic.topicArn, deadLetterQueue);
        return { rule, topic };
      }
      case 'sqs': {
        const queue = new sqs.Queue(scope, 'Queue', {
          encryption: sqs.QueueEncryption.KMS,
          encryptionMasterKey: this.props.encryptionKey,
          enforceSSL: true,
          retentionPeriod: Duration.days(14),
          deadLetterQueue: { queue: deadLetterQueue, maxReceiveCount: 5 },
        });
        queue.addToResourcePolicy(
          new iam.PolicyStatement({
            principals: [new iam.ServicePrincipal('events.amazonaws.com')],
            actions: ['sqs:SendMessage'],
            resources: [queue.queueArn],
            conditions: { ArnEquals: { 'aws:SourceArn': rule.ruleArn } },
          }),
        );
        this.addTarget(rule, queue.queueArn, deadLetterQueue);
        return { rule, queue };
      }
      case 'lambda': {
        const fn = lambda.Function.fromFunctionArn(scope, 'Function', target.functionArn);
        this.checkSameAccount(route.name, target.functionArn);
        new lambda.CfnPermission(scope, 'InvokePermission', {
          action: 'lambda:InvokeFunction',
          functionName: target.functionArn,
          principal: 'events.amazonaws.com',
          sourceArn: rule.ruleArn,
        });
        this.addTarget(rule, target.functionArn, deadLetterQueue);
        return { rule, function: fn };
      }
      case 'slack':
      case 'pagerduty': {
        const secretId = target.type === 'slack' ? target.webhookSecretName : target.routingKeySecretName;
        const secret = importSecret(scope, secretId);
        const notifier = this.notifier(scope, route.name, target.type, secretId, deadLetterQueue);
        new lambda.CfnPermission(scope, 'InvokePermission', {
          action: 'lambda:InvokeFunction',
          functionName: notifier.function.functionArn,
          principal: 'events.amazonaws.com',
          sourceArn: rule.ruleArn,
        });
        this.addTarget(rule, notifier.function.functionArn, deadLetterQueue);
        return { rule, notifier, secret };
      }
    }
  }

  /** A notifier for one channel and secret: one per route, so a retry of one channel never resends another. */
  private notifier(
    scope: Construct,
    routeName: string,
    channel: 'slack' | 'pagerduty',
    secretId: string,
    deadLetterQueue: sqs.Queue,
  ): ZoomlakeFunction {
    const { notifyReplays, pagerDutyEventsUrl } = this.props;
    const environment: FunctionEnv<typeof alertNotifierEnv> = {
      NOTIFY_CHANNEL: channel,
      NOTIFY_SECRET_ID: secretId,
      NOTIFY_REPLAYS: notifyReplays === true ? 'true' : 'false',
      ...(channel === 'pagerduty' && pagerDutyEventsUrl !== undefined ? { PAGERDUTY_EVENTS_URL: pagerDutyEventsUrl } : {}),
    };
    const notifier = new ZoomlakeFunction(scope, 'Notifier', {
      entry: NOTIFIER_ENTRY,
      description: `zoomlake: posts alerts of route ${routeName} to ${channel === 'slack' ? 'Slack' : 'PagerDuty'}`,
      encryptionKey: this.props.encryptionKey,
      // Four tries of at most 5 s each with up to 3.5 s of backoff between them, and a margin.
      timeout: Duration.seconds(60),
      memorySize: 256,
      logRetention: this.props.logRetention,
      environment,
    });
    // Exactly this secret: a partial ARN (name-??????) for a name, the ARN itself for an ARN.
    notifier.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [secretGrantArn(scope, secretId)] }),
    );
    // EventBridge invokes asynchronously: a thrown error is retried twice by Lambda, then lands in the dead-letter queue.
    // The failure record goes to the dead-letter queue; granted narrowly instead of SqsDestination's grantSendMessages,
    // which adds every kms:GenerateDataKey* and kms:ReEncrypt* action.
    notifier.function.configureAsyncInvoke({
      retryAttempts: 2,
      maxEventAge: Duration.hours(6),
      onFailure: { bind: () => ({ destination: deadLetterQueue.queueArn }) },
    });
    notifier.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [deadLetterQueue.queueArn] }));
    notifier.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: [this.props.encryptionKey.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `sqs.${Stack.of(this).region}.amazonaws.com` } },
      }),
    );
    return notifier;
  }

  private addTarget(rule: events.Rule, arn: string, deadLetterQueue: sqs.Queue): void {
    // Bare targets instead of aws-events-targets, which would grant EventBridge every KMS action on the key and
    // condition resource policies on the account instead of this rule.
    rule.addTarget({
      bind: () => ({
        arn,
        deadLetterConfig: { arn: deadLetterQueue.queueArn },
        retryPolicy: { maximumEventAgeInSeconds: MAX_EVENT_AGE.toSeconds(), maximumRetryAttempts: 185 },
      }),
    });
  }

  private allowRuleToDeadLetter(rule: events.Rule, deadLetterQueue: sqs.Queue): void {
    deadLetterQueue.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('events.amazonaws.com')],
        actions: ['sqs:SendMessage'],
        resources: [deadLetterQueue.queueArn],
        conditions: { ArnEquals: { 'aws:SourceArn': rule.ruleArn } },
      }),
    );
  }

  private checkSameAccount(routeName: string, functionArn: string): void {
    const account = Arn.split(functionArn, ArnFormat.COLON_RESOURCE_NAME).account;
    const own = Stack.of(this).account;
    if (account !== undefined && !Token.isUnresolved(own) && account !== own) {
      throw new Error(
        `alert route "${routeName}": function ${functionArn} is in account ${account}, not ${own}; ` +
          'EventBridge rules invoke functions of their own account only: route to an SQS queue or a bus in that account instead',
      );
    }
  }
}

/** A secret named in config: by ARN (complete, as the console shows it) or by name. */
function importSecret(scope: Construct, secretId: string): secretsmanager.ISecret {
  return secretId.startsWith('arn:')
    ? secretsmanager.Secret.fromSecretCompleteArn(scope, 'Secret', secretId)
    : secretsmanager.Secret.fromSecretNameV2(scope, 'Secret', secretId);
}

/** The ARN an IAM grant on the secret names: the ARN as given, or `<name>-??????` (Secrets Manager's random suffix). */
function secretGrantArn(scope: Construct, secretId: string): string {
  if (secretId.startsWith('arn:')) return secretId;
  return Stack.of(scope).formatArn({
    service: 'secretsmanager',
    resource: 'secret',
    resourceName: `${secretId}-??????`,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
}
