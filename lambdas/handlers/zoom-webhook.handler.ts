import type { APIGatewayProxyEvent, APIGatewayProxyEventV2, APIGatewayProxyResult } from 'aws-lambda';
import { EventBridgePublisher } from '#adapters/eventbridge-publisher.ts';
import { S3ObjectWriter } from '#adapters/s3-object-writer.ts';
import { SecretsManagerSecretProvider } from '#adapters/secrets-manager-secret-provider.ts';
import { METRICS } from '#core/metrics.ts';
import { WEBHOOK_INLINE_BODY_BYTES, receiveWebhook, type ReceiverDeps, type WebhookHttpRequest } from '#core/webhook/receive.ts';
import { lambdaFunctionEnv, lambdaRegionEnv, zoomWebhookEnv } from '#runtime/env/zoom-webhook.ts';
import { lazyHandler } from '#runtime/lazy-handler.ts';
import { handlerLogger, type HandlerLog } from '#runtime/log.ts';
import { emfMetrics, type MetricSink } from '#runtime/metrics.ts';
import { SystemClock } from '#runtime/system-clock.ts';

/**
 * An API Gateway Lambda proxy handler. The REST API in front of it sends payload 1.0 (header names as the client sent
 * them, the body base64-encoded since every media type is binary); an HTTP API's 2.0 events carry the same fields.
 */
export type HttpApiHandler = (event: APIGatewayProxyEvent | APIGatewayProxyEventV2) => Promise<APIGatewayProxyResult>;

/** The function's logger (module scope: one per container), also handed each invocation's context. */
const LOG = handlerLogger('zoom-webhook');

/** Counts one request for the VerifiedEvents metric: `verified` when its event was verified and published. */
export type VerifiedCounter = (verified: boolean) => void;

/**
 * The receiver's dependencies from the Lambda environment: one client per AWS service (S3 through its one PutObject
 * call, s3-object-writer.ts), the secret cached by the provider.
 */
export function fromEnv(env: NodeJS.ProcessEnv = process.env): ReceiverDeps {
  const e = zoomWebhookEnv.parse(env);
  const { AWS_REGION: region } = lambdaRegionEnv.parse(env);
  const clock = new SystemClock();
  const secrets = new SecretsManagerSecretProvider();
  return {
    publisher: new EventBridgePublisher(e.EVENT_BUS_NAME, clock),
    // PutObject alone, not the SDK's S3 client: that client would take the function over its bundle budget.
    bodies: new S3ObjectWriter(e.LAKE_BUCKET_NAME, region, { clock }),
    clock,
    secret: () => secrets.getSecret(e.WEBHOOK_SECRET_ARN),
    // Bodies over an EventBridge entry (1 MB, detail JSON-escaped) go to the lake bucket under webhook-bodies/.
    options: { replayWindowSeconds: e.REPLAY_WINDOW_SECONDS, maxBodyBytes: e.MAX_BODY_BYTES, inlineBodyBytes: WEBHOOK_INLINE_BODY_BYTES },
  };
}

/**
 * The VerifiedEvents counter of the deployed function: one EMF line per request, dimension FunctionName (set by
 * Lambda), which the ZoomWebhookApi alarm on a fall in verified events reads.
 */
export function verifiedCounter(env: NodeJS.ProcessEnv = process.env, metrics: MetricSink = emfMetrics(new SystemClock(), LOG)): VerifiedCounter {
  const { AWS_LAMBDA_FUNCTION_NAME: functionName } = lambdaFunctionEnv.parse(env);
  return (verified) => metrics({ FunctionName: functionName }, [[METRICS.VerifiedEvents, verified ? 1 : 0]]);
}

/**
 * The webhook handler over `deps`. The body is HMAC-checked as the bytes Zoom sent (base64-decoded when API Gateway
 * encoded it); one log line per request carries the outcome, reason code, event name and size, never the body,
 * headers or secret: INFO when answered 2xx, WARN when refused (4xx), ERROR when it failed (5xx).
 */
export function makeHandler(deps: ReceiverDeps, log: HandlerLog = LOG, count: VerifiedCounter = () => undefined): HttpApiHandler {
  return async (event) => {
    const headers: Record<string, string | undefined> = {};
    const given = event.headers ?? {};
    for (const name in given) headers[name.toLowerCase()] = given[name];
    const body = event.isBase64Encoded ? Buffer.from(event.body ?? '', 'base64') : Buffer.from(event.body ?? '', 'utf8');
    const request: WebhookHttpRequest = { headers, body };

    const result = await receiveWebhook(request, deps);
    const fields = { outcome: result.outcome, reason: result.reason, event: result.event, bytes: result.bytes };
    if (result.status >= 500) log.error('webhook request failed', fields);
    else if (result.status >= 400) log.warn('webhook request refused', fields);
    else log.info('webhook request', fields);
    count(result.outcome === 'accepted');
    return { statusCode: result.status, headers: { 'content-type': 'application/json' }, body: result.body };
  };
}

/** The Lambda entry point; its dependencies are built on the first invocation and kept for the container's life. */
export const handler: HttpApiHandler = lazyHandler(() => makeHandler(fromEnv(), LOG, verifiedCounter()), LOG);
