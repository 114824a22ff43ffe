import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { HttpApi, HttpMethod, type HttpRoute, HttpStage, LogGroupLogDestination } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { WEBHOOK_BODY_PREFIX } from '#core/webhook/receive.ts';
import { ZoomlakeFunction, encryptedLogGroup } from './zoomlake-function.ts';

/** The one route Zoom posts to. */
export const WEBHOOK_PATH = '/zoom/webhook';

const HANDLER_ENTRY = fileURLToPath(new URL('../../lambdas/handlers/zoom-webhook.handler.ts', import.meta.url));

/** Properties of {@link ZoomWebhookApi}. */
export interface ZoomWebhookApiProps {
  /** Customer-managed key for the webhook secret and the log groups. */
  readonly encryptionKey: IKey;
  /** The lake bucket: bodies too large for a bus event are written under `webhook-bodies/`. */
  readonly lakeBucket: IBucket;
  /**
   * The internal bus verified Zoom events are published to.
   * @default - a new event bus
   */
  readonly eventBus?: events.IEventBus;
  /**
   * How old a signed request may be, in seconds.
   * @default 5400
   */
  readonly replayWindowSeconds?: number;
  /**
   * Largest body accepted, in bytes; larger requests get 413.
   * @default 2097152 (2 MiB)
   */
  readonly maxBodyBytes?: number;
  /**
   * Steady-state requests per second the stage accepts before answering 429 (Zoom retries those).
   * @default 50
   */
  readonly throttlingRateLimit?: number;
  /**
   * Requests the stage accepts in a burst above the steady rate.
   * @default 100
   */
  readonly throttlingBurstLimit?: number;
  /**
   * Concurrent executions reserved for (and capping) the webhook function.
   * @default - unreserved
   */
  readonly reservedConcurrency?: number;
  /**
   * How long the function and access logs are kept.
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;
}

/**
 * Zoom's way in: an HTTP API with the single route `POST /zoom/webhook` (throttled, access-logged) in front of
 * the webhook function, which verifies each request against the secret token, answers url_validation and publishes
 * verified events to the internal Zoom bus. The function may only publish to that bus, read that secret and write
 * large bodies under `webhook-bodies/` in the lake.
 */
export class ZoomWebhookApi extends Construct {
  /** The internal bus carrying verified Zoom events (`source: zoomlake.webhook`). */
  readonly eventBus: events.IEventBus;
  /**
   * The Zoom app's webhook secret token. Created holding a random placeholder, so every request is refused until
   * the operator stores the real token (Zoom Marketplace app, Feature, Secret Token) in it after deploy; warm
   * functions cache it for five minutes, so validate the endpoint in Zoom after that.
   */
  readonly secret: secretsmanager.Secret;
  /** The webhook function. */
  readonly handler: ZoomlakeFunction;
  /** The HTTP API. */
  readonly api: HttpApi;
  /** The API's only route, `POST /zoom/webhook`, authenticated by the function (Zoom's HMAC signature). */
  readonly route: HttpRoute;
  /** The API's `$default` stage, carrying throttling and access logging. */
  readonly stage: HttpStage;
  /** The stage's access log group. */
  readonly accessLogs: logs.LogGroup;
  /** The URL to enter as the event notification endpoint in the Zoom app. */
  readonly webhookUrl: string;

  constructor(scope: Construct, id: string, props: ZoomWebhookApiProps) {
    super(scope, id);
    const { encryptionKey: key, lakeBucket: lake } = props;
    const region = Stack.of(this).region;
    const logRetention = props.logRetention ?? logs.RetentionDays.ONE_YEAR;

    this.eventBus = props.eventBus ?? new events.EventBus(this, 'Bus', { description: 'zoomlake: verified Zoom webhook events' });

    this.secret = new secretsmanager.Secret(this, 'Secret', {
      description: 'zoomlake: the Zoom app webhook secret token. Holds a random placeholder (every request gets 401) until you put the token from the Zoom Marketplace app here.',
      encryptionKey: key,
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.handler = new ZoomlakeFunction(this, 'Handler', {
      entry: HANDLER_ENTRY,
      description: 'zoomlake: verifies Zoom webhook requests and publishes them to the Zoom event bus',
      encryptionKey: key,
      // Zoom waits about 3 s for an answer; a stuck call is cut soon after, and Zoom retries.
      timeout: Duration.seconds(5),
      memorySize: 512,
      reservedConcurrentExecutions: props.reservedConcurrency,
      logRetention,
      environment: {
        EVENT_BUS_NAME: this.eventBus.eventBusName,
        LAKE_BUCKET_NAME: lake.bucketName,
        WEBHOOK_SECRET_ARN: this.secret.secretArn,
        REPLAY_WINDOW_SECONDS: String(props.replayWindowSeconds ?? 5_400),
        MAX_BODY_BYTES: String(props.maxBodyBytes ?? 2 * 1024 * 1024),
      },
    });
    const role = this.handler.role;
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['events:PutEvents'], resources: [this.eventBus.eventBusArn] }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [this.secret.secretArn] }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['kms:Decrypt'],
      resources: [key.keyArn],
      conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${region}.amazonaws.com` } },
    }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: [lake.arnForObjects(`${WEBHOOK_BODY_PREFIX}/*`)] }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['kms:GenerateDataKey'],
      resources: [key.keyArn],
      conditions: { StringEquals: { 'kms:ViaService': `s3.${region}.amazonaws.com` } },
    }));

    this.api = new HttpApi(this, 'Api', {
      description: 'zoomlake: Zoom webhook receiver',
      // The stage is created below, so throttling and access logging can be set on it.
      createDefaultStage: false,
    });
    const [route] = this.api.addRoutes({
      path: WEBHOOK_PATH,
      methods: [HttpMethod.POST],
      integration: new HttpLambdaIntegration('Receiver', this.handler.function),
    });
    if (!route) throw new Error('the webhook route was not created');
    this.route = route;

    this.accessLogs = encryptedLogGroup(this, 'AccessLogs', key, logRetention);
    this.stage = new HttpStage(this, 'Stage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: props.throttlingRateLimit ?? 50, burstLimit: props.throttlingBurstLimit ?? 100 },
      accessLogSettings: { destination: new LogGroupLogDestination(this.accessLogs), format: accessLogFormat() },
    });

    this.webhookUrl = `${this.api.apiEndpoint}${WEBHOOK_PATH}`;
  }
}

/** One JSON line per request: who, what, how it ended; never headers or bodies (they carry the signature). */
function accessLogFormat(): AccessLogFormat {
  return AccessLogFormat.custom(JSON.stringify({
    requestId: '$context.requestId',
    requestTime: '$context.requestTimeEpoch',
    sourceIp: '$context.identity.sourceIp',
    userAgent: '$context.identity.userAgent',
    routeKey: '$context.routeKey',
    protocol: '$context.protocol',
    status: '$context.status',
    responseLength: '$context.responseLength',
    integrationStatus: '$context.integrationStatus',
    integrationLatency: '$context.integrationLatency',
    integrationError: '$context.integrationErrorMessage',
    error: '$context.error.message',
  }));
}
