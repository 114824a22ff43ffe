import { fileURLToPath } from 'node:url';
import { Duration, Names, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { METRICS, type DimensionsOf } from '#core/metrics.ts';
import type { FunctionEnv } from '#runtime/env/function-env.ts';
import type { zoomWebhookEnv } from '#runtime/env/zoom-webhook.ts';
import { CONFIG_DEFAULTS } from '#config/schema.ts';
import { WEBHOOK_BODY_PREFIX, WEBHOOK_EVENT_SOURCE } from '#core/webhook/receive.ts';
import { alarmAtLeast, zoomlakeMetric } from './alarms.ts';
import { reserveEventSource } from './event-source-guard.ts';
import { WebhookFirewall } from './webhook-firewall.ts';
import { ZoomlakeFunction, encryptedLogGroup } from './zoomlake-function.ts';

/** The one route Zoom posts to. */
export const WEBHOOK_PATH = '/zoom/webhook';
/** The REST API stage; it is the first segment of the webhook URL's path. */
export const WEBHOOK_STAGE = 'zoomlake';

/** Share of requests answered 4xx, over three 5-minute periods running, that raises the edge alarm. */
const CLIENT_ERROR_RATE_ALARM = 0.25;
/** Standard deviations below the learned band of verified events, over three 10-minute periods, that raise the fall alarm. */
const VERIFIED_EVENTS_BAND_STD_DEVS = 3;

const HANDLER_ENTRY = fileURLToPath(new URL('../../lambdas/handlers/zoom-webhook.handler.ts', import.meta.url));

/** Properties of {@link ZoomWebhookApi}. */
export interface ZoomWebhookApiProps {
  /** Customer-managed key for the webhook secret and the log groups. */
  readonly encryptionKey: IKey;
  /** The lake bucket: bodies too large for a bus event are written under `webhook-bodies/`. */
  readonly lakeBucket: IBucket;
  /**
   * The internal bus verified Zoom events are published to; only the webhook function may put `zoomlake.webhook`
   * events on it.
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
   * Steady-state requests per second the stage accepts, from all sources together, before answering 429 (Zoom retries those).
   * @default 300
   */
  readonly throttlingRateLimit?: number;
  /**
   * Requests the stage accepts in a burst above the steady rate.
   * @default 600
   */
  readonly throttlingBurstLimit?: number;
  /**
   * Requests one source IP may send in a minute before AWS WAF answers it 429.
   * @default 6000
   */
  readonly perIpRequestsPerMinute?: number;
  /**
   * Source ranges (CIDR) allowed to reach the webhook, such as Zoom's published ranges; AWS WAF answers others 403.
   * @default - every source, each under the per-IP limit
   */
  readonly allowedSourceCidrs?: readonly string[];
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
 * Zoom's way in: a regional REST API with the single method `POST /zoom/webhook` behind an AWS WAF web ACL (a rate
 * limit per source IP, an optional source allow-list), throttled and access-logged, in front of the webhook function.
 * The function verifies each request against the secret token over the exact body bytes (every media type is binary,
 * so API Gateway hands them over base64-encoded, untouched), answers url_validation and publishes verified events to
 * the internal Zoom bus, whose policy lets no other principal put events of that source. The function may only
 * publish to that bus, read that secret and write large bodies under `webhook-bodies/` in the lake. Alarms: a high
 * share of 4xx, any 429 (stage throttle or per-IP limit), any 5xx, and a fall in verified events.
 */
export class ZoomWebhookApi extends Construct {
  /** The internal bus carrying verified Zoom events (`source: zoomlake.webhook`). */
  readonly eventBus: events.IEventBus;
  /** The bus policy statement denying `zoomlake.webhook` events to every principal but the webhook function's role. */
  readonly busPolicy: events.CfnEventBusPolicy;
  /**
   * The Zoom app's webhook secret token. Created holding a random placeholder, so every request is refused until
   * the operator stores the real token (Zoom Marketplace app, Feature, Secret Token) in it after deploy; warm
   * functions cache it for five minutes, so validate the endpoint in Zoom after that.
   */
  readonly secret: secretsmanager.Secret;
  /** The webhook function. */
  readonly handler: ZoomlakeFunction;
  /** The REST API. */
  readonly api: apigw.RestApi;
  /** The API's only method, `POST /zoom/webhook`, authenticated by the function (Zoom's HMAC signature). */
  readonly method: apigw.Method;
  /** The API's stage, carrying throttling and access logging. */
  readonly stage: apigw.Stage;
  /** The AWS WAF web ACL in front of the stage. */
  readonly firewall: WebhookFirewall;
  /** The stage's access log group. */
  readonly accessLogs: logs.LogGroup;
  /** The URL to enter as the event notification endpoint in the Zoom app. */
  readonly webhookUrl: string;
  /** In ALARM while a quarter or more of the requests are answered 4xx, three 5-minute periods running. */
  readonly clientErrorRateAlarm: cloudwatch.Alarm;
  /** In ALARM when any request was answered 429 in 5 minutes: the stage throttle or the per-IP limit. */
  readonly throttledAlarm: cloudwatch.Alarm;
  /** In ALARM when the API answered any 5xx in 5 minutes (the function failed, timed out, or could not publish). */
  readonly serverErrorAlarm: cloudwatch.Alarm;
  /** In ALARM when verified events fall below their learned band (anomaly detection) for 30 minutes. */
  readonly verifiedEventsFallAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: ZoomWebhookApiProps) {
    super(scope, id);
    const { encryptionKey: key, lakeBucket: lake } = props;
    const region = Stack.of(this).region;
    const logRetention = props.logRetention ?? logs.RetentionDays.ONE_YEAR;

    this.eventBus = props.eventBus ?? new events.EventBus(this, 'Bus', { description: 'zoomlake: verified Zoom webhook events' });

    this.secret = new secretsmanager.Secret(this, 'Secret', {
      description:
        'zoomlake: the Zoom app webhook secret token. Holds a random placeholder (every request gets 401) until you put the token from the Zoom Marketplace app here.',
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
        REPLAY_WINDOW_SECONDS: String(props.replayWindowSeconds ?? CONFIG_DEFAULTS.webhook.replayWindowSeconds),
        MAX_BODY_BYTES: String(props.maxBodyBytes ?? CONFIG_DEFAULTS.webhook.maxBodyBytes),
      } satisfies FunctionEnv<typeof zoomWebhookEnv>,
    });
    const role = this.handler.role;
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['events:PutEvents'], resources: [this.eventBus.eventBusArn] }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [this.secret.secretArn] }));
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['kms:Decrypt'],
        resources: [key.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${region}.amazonaws.com` } },
      }),
    );
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: [lake.arnForObjects(`${WEBHOOK_BODY_PREFIX}/*`)] }));
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['kms:GenerateDataKey'],
        resources: [key.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `s3.${region}.amazonaws.com` } },
      }),
    );

    this.busPolicy = reserveEventSource(this, 'OnlyReceiverPublishes', this.eventBus, WEBHOOK_EVENT_SOURCE, [role]);

    this.api = new apigw.RestApi(this, 'Api', {
      restApiName: Names.uniqueResourceName(this, { maxLength: 128, separator: '-' }),
      description: 'zoomlake: Zoom webhook receiver',
      endpointConfiguration: { types: [apigw.EndpointType.REGIONAL] },
      // Every body is binary: the function gets the exact bytes Zoom signed, base64-encoded, never re-encoded as text.
      binaryMediaTypes: ['*/*'],
      // The stage is created below, without the Endpoint output and the account-wide CloudWatch role RestApi adds.
      deploy: false,
      cloudWatchRole: false,
    });
    const signatureHeaders = this.api.addRequestValidator('SignatureHeaders', {
      requestValidatorName: 'zoom-signature-headers',
      validateRequestParameters: true,
      validateRequestBody: false,
    });
    const resource = this.api.root.resourceForPath(WEBHOOK_PATH);
    this.method = resource.addMethod('POST', new apigw.LambdaIntegration(this.handler.function, { proxy: true, allowTestInvoke: false }), {
      authorizationType: apigw.AuthorizationType.NONE,
      // A request without Zoom's signing headers is answered 400 here, without invoking the function.
      requestParameters: { 'method.request.header.x-zm-signature': true, 'method.request.header.x-zm-request-timestamp': true },
      requestValidator: signatureHeaders,
    });

    this.accessLogs = encryptedLogGroup(this, 'AccessLogs', key, logRetention);
    this.stage = new apigw.Stage(this, 'Stage', {
      deployment: new apigw.Deployment(this, 'Deployment', { api: this.api, description: 'zoomlake: Zoom webhook receiver' }),
      stageName: WEBHOOK_STAGE,
      throttlingRateLimit: props.throttlingRateLimit ?? CONFIG_DEFAULTS.webhook.throttlingRateLimit,
      throttlingBurstLimit: props.throttlingBurstLimit ?? CONFIG_DEFAULTS.webhook.throttlingBurstLimit,
      accessLogDestination: new apigw.LogGroupLogDestination(this.accessLogs),
      accessLogFormat: accessLogFormat(),
      // Execution logs could hold request data and need an account-wide role; the access log says what happened.
      dataTraceEnabled: false,
    });
    this.api.deploymentStage = this.stage;
    this.firewall = new WebhookFirewall(this, 'Firewall', {
      stage: this.stage,
      perIpRequestsPerMinute: props.perIpRequestsPerMinute ?? CONFIG_DEFAULTS.webhook.perIpRequestsPerMinute,
      allowedSourceCidrs: props.allowedSourceCidrs,
    });
    this.webhookUrl = this.stage.urlForPath(WEBHOOK_PATH);

    new logs.MetricFilter(this, 'ThrottledFilter', {
      logGroup: this.accessLogs,
      metricNamespace: METRICS.WebhookThrottled.namespace,
      metricName: METRICS.WebhookThrottled.name,
      filterPattern: logs.FilterPattern.stringValue('$.status', '=', '429'),
      metricValue: '1',
      dimensions: { ApiId: '$.apiId' } satisfies DimensionsOf<typeof METRICS.WebhookThrottled>,
    });
    const fiveMinutes = { period: Duration.minutes(5) };
    this.clientErrorRateAlarm = alarmAtLeast(
      this,
      'ClientErrorRateAlarm',
      `zoomlake: ${CLIENT_ERROR_RATE_ALARM * 100}% or more of the requests to the Zoom webhook were answered 4xx for 15 minutes ` +
        '(unsigned or mis-signed requests, a wrong secret token in the secret, throttling); see the API access logs',
      this.api.metricClientError({ ...fiveMinutes, statistic: 'Average' }),
      CLIENT_ERROR_RATE_ALARM,
      3,
    );
    this.throttledAlarm = alarmAtLeast(
      this,
      'ThrottledAlarm',
      'zoomlake: the Zoom webhook answered 429 (the stage throttle, webhook.throttlingRateLimit, or one source over ' +
        'webhook.perIpRequestsPerMinute); Zoom retries 5, 25 and 85 minutes later, then drops the event; see the access logs',
      new cloudwatch.MathExpression({
        expression: 'MAX([FILL(stage, 0), FILL(perIp, 0)])',
        usingMetrics: { stage: this.metricThrottled(fiveMinutes), perIp: this.firewall.metricRateLimited(fiveMinutes) },
        label: 'requests answered 429',
        ...fiveMinutes,
      }),
    );
    this.serverErrorAlarm = alarmAtLeast(
      this,
      'ServerErrorAlarm',
      'zoomlake: the Zoom webhook answered 5xx (the function failed or timed out, or could not read the secret or publish); ' +
        'Zoom retries; see the webhook function logs',
      this.api.metricServerError({ ...fiveMinutes, statistic: 'Sum' }),
    );
    this.verifiedEventsFallAlarm = new cloudwatch.AnomalyDetectionAlarm(this, 'VerifiedEventsFallAlarm', {
      alarmDescription:
        'zoomlake: fewer verified Zoom events than usual for this time for 30 minutes: Zoom deliveries may be ' +
        'refused (WAF, throttle, secret token) or failing; see the other webhook alarms and the access logs',
      // No request at all is no data: filled with zeros, so a webhook Zoom cannot reach still falls below the band.
      metric: new cloudwatch.MathExpression({
        expression: 'FILL(verified, 0)',
        usingMetrics: { verified: this.metricVerifiedEvents() },
        label: 'verified events',
        period: Duration.minutes(10),
      }),
      stdDevs: VERIFIED_EVENTS_BAND_STD_DEVS,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_LOWER_THRESHOLD,
      evaluationPeriods: 3,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
  }

  /** Requests whose event was verified and published (the function's VerifiedEvents metric; Sum per 10 minutes by default). */
  metricVerifiedEvents(props: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    return zoomlakeMetric(
      METRICS.VerifiedEvents,
      { FunctionName: this.handler.function.functionName },
      { statistic: 'Sum', period: Duration.minutes(10), ...props },
    );
  }

  /** Requests the stage refused with 429, from its access log (Sum per 5 minutes by default). */
  metricThrottled(props: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    return zoomlakeMetric(METRICS.WebhookThrottled, { ApiId: this.api.restApiId }, { statistic: 'Sum', period: Duration.minutes(5), ...props });
  }
}

/** One JSON line per request: who, what, how it ended (and the WAF verdict); never headers or bodies (they carry the signature). */
function accessLogFormat(): apigw.AccessLogFormat {
  const f = apigw.AccessLogField;
  return apigw.AccessLogFormat.custom(
    JSON.stringify({
      requestId: f.contextRequestId(),
      requestTime: f.contextRequestTimeEpoch(),
      apiId: f.contextApiId(),
      sourceIp: f.contextIdentitySourceIp(),
      userAgent: f.contextIdentityUserAgent(),
      method: f.contextHttpMethod(),
      resourcePath: f.contextResourcePath(),
      protocol: f.contextProtocol(),
      status: f.contextStatus(),
      responseLength: f.contextResponseLength(),
      errorType: f.contextErrorResponseType(),
      waf: f.contextWafResponseCode(),
      integrationStatus: f.contextIntegrationStatus(),
      integrationLatency: f.contextIntegrationLatency(),
      integrationError: f.contextIntegrationErrorMessage(),
    }),
  );
}
