import type { APIGatewayProxyEvent, APIGatewayProxyEventV2, APIGatewayProxyResult } from 'aws-lambda';
// zod/mini tree-shakes: the full zod build alone would be ~450 KB of this function's bundle (npm run bench).
import * as z from 'zod/mini';
import { EventBridgePublisher } from '#adapters/eventbridge-publisher.ts';
import { VERIFIED_EVENTS_METRIC, emfLine } from '#adapters/metrics.ts';
import { S3ObjectStore } from '#adapters/s3-object-store.ts';
import { SecretsManagerSecretProvider } from '#adapters/secrets-manager-secret-provider.ts';
import type { Clock } from '#core/ports.ts';
import { WEBHOOK_INLINE_BODY_BYTES, receiveWebhook, type ReceiverDeps, type WebhookHttpRequest } from '#core/webhook/receive.ts';
import { SystemClock } from '#runtime/system-clock.ts';
import { maskLogLine } from '#core/mask/credentials.ts';

/** The environment the ZoomWebhookApi construct sets. */
const positiveInt = z.coerce.number().check(z.int(), z.positive());
const envSchema = z.object({
  EVENT_BUS_NAME: z.string().check(z.minLength(1)),
  LAKE_BUCKET_NAME: z.string().check(z.minLength(1)),
  WEBHOOK_SECRET_ARN: z.string().check(z.minLength(1)),
  REPLAY_WINDOW_SECONDS: positiveInt,
  MAX_BODY_BYTES: positiveInt,
});

/**
 * An API Gateway Lambda proxy handler. The REST API in front of it sends payload 1.0 (header names as the client sent
 * them, the body base64-encoded since every media type is binary); an HTTP API's 2.0 events carry the same fields.
 */
export type HttpApiHandler = (event: APIGatewayProxyEvent | APIGatewayProxyEventV2) => Promise<APIGatewayProxyResult>;

/** Counts one request for the VerifiedEvents metric: `verified` when its event was verified and published. */
export type VerifiedCounter = (verified: boolean) => void;

/** The receiver's dependencies from the Lambda environment: one client per AWS service, the secret cached by the provider. */
export function fromEnv(env: NodeJS.ProcessEnv = process.env): ReceiverDeps {
  const e = envSchema.parse(env);
  const clock = new SystemClock();
  const secrets = new SecretsManagerSecretProvider();
  return {
    publisher: new EventBridgePublisher(e.EVENT_BUS_NAME, clock),
    bodies: new S3ObjectStore(e.LAKE_BUCKET_NAME),
    clock,
    secret: () => secrets.getSecret(e.WEBHOOK_SECRET_ARN),
    // Bodies over an EventBridge entry (1 MB, detail JSON-escaped) go to the lake bucket under webhook-bodies/.
    options: { replayWindowSeconds: e.REPLAY_WINDOW_SECONDS, maxBodyBytes: e.MAX_BODY_BYTES, inlineBodyBytes: WEBHOOK_INLINE_BODY_BYTES },
  };
}

/**
 * The VerifiedEvents counter of the deployed function: one EMF line per request straight to stdout, dimension
 * FunctionName (set by Lambda), which the ZoomWebhookApi alarm on a fall in verified events reads.
 */
export function verifiedCounter(
  env: NodeJS.ProcessEnv = process.env, clock: Clock = new SystemClock(), write: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
): VerifiedCounter {
  const { AWS_LAMBDA_FUNCTION_NAME: functionName } = z.object({ AWS_LAMBDA_FUNCTION_NAME: z.string().check(z.minLength(1)) }).parse(env);
  return (verified) => write(emfLine(clock.now(), { FunctionName: functionName }, { [VERIFIED_EVENTS_METRIC]: verified ? 1 : 0 }));
}

/**
 * The webhook handler over `deps`. The body is HMAC-checked as the bytes Zoom sent (base64-decoded when API Gateway
 * encoded it); one JSON log line per request carries the outcome, reason code, event name and size, never the body,
 * headers or secret.
 */
export function makeHandler(deps: ReceiverDeps, log: (line: string) => void = (line) => console.log(maskLogLine(line)), count: VerifiedCounter = () => undefined): HttpApiHandler {
  return async (event) => {
    const headers: Record<string, string | undefined> = {};
    for (const [name, value] of Object.entries(event.headers ?? {})) headers[name.toLowerCase()] = value;
    const body = event.isBase64Encoded ? Buffer.from(event.body ?? '', 'base64') : Buffer.from(event.body ?? '', 'utf8');
    const request: WebhookHttpRequest = { headers, body };

    const result = await receiveWebhook(request, deps);
    log(JSON.stringify({ outcome: result.outcome, reason: result.reason, event: result.event, bytes: result.bytes }));
    count(result.outcome === 'accepted');
    return { statusCode: result.status, headers: { 'content-type': 'application/json' }, body: result.body };
  };
}

let live: HttpApiHandler | undefined;

/** The Lambda entry point; its dependencies are built on the first invocation and kept for the container's life. */
export const handler: HttpApiHandler = (event) => {
  live ??= makeHandler(fromEnv(), undefined, verifiedCounter());
  return live(event);
};
