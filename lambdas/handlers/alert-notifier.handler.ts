import * as z from 'zod/mini';
import { SecretsManagerSecretProvider } from '#adapters/secrets-manager-secret-provider.ts';
import { NOTIFY_CHANNELS, NotifyError, notifyAlertEvent, type NotifierConfig, type NotifyOutcome, type PostDeps } from '#core/alerts/notify.ts';
import { ZoomlakeError } from '#core/errors.ts';
import type { SecretProvider } from '#core/ports.ts';
import { httpFetch } from '#runtime/http-fetch.ts';
import { maskLogLine } from '#core/mask/credentials.ts';

const positiveInt = z.coerce.number().check(z.int(), z.positive());
/** The environment the AlertRouter construct sets: one channel and its secret per function. */
const envSchema = z.object({
  NOTIFY_CHANNEL: z.enum(NOTIFY_CHANNELS),
  /** ARN or name of the secret holding the Slack webhook URL or the PagerDuty routing key. */
  NOTIFY_SECRET_ID: z.string().check(z.minLength(1)),
  PAGERDUTY_EVENTS_URL: z.optional(z.url()),
  NOTIFY_REPLAYS: z.optional(z.enum(['true', 'false'])),
  NOTIFY_MAX_ATTEMPTS: z.optional(positiveInt),
  NOTIFY_TIMEOUT_MS: z.optional(positiveInt),
});

/** What the notifier handler needs. */
export interface NotifierDeps {
  readonly config: NotifierConfig;
  readonly post: PostDeps;
}

/** The notifier's dependencies from the Lambda environment. */
export function fromEnv(env: NodeJS.ProcessEnv = process.env, secrets: SecretProvider = new SecretsManagerSecretProvider()): NotifierDeps {
  const e = envSchema.parse(env);
  return {
    config: {
      channel: e.NOTIFY_CHANNEL,
      secret: () => secrets.getSecret(e.NOTIFY_SECRET_ID),
      secretName: e.NOTIFY_SECRET_ID,
      pagerDutyUrl: e.PAGERDUTY_EVENTS_URL,
      includeReplays: e.NOTIFY_REPLAYS === 'true',
    },
    post: {
      post: httpFetch,
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      random: Math.random,
      maxAttempts: e.NOTIFY_MAX_ATTEMPTS,
      timeoutMs: e.NOTIFY_TIMEOUT_MS,
    },
  };
}

/**
 * The handler over `deps`, invoked asynchronously by an alert-bus rule. Logs one JSON line per event with ids,
 * outcome, status and attempts: never the webhook URL, the routing key, entities or evidence. Throws when the post
 * fails so the rule's retry policy and dead-letter queue take over.
 */
export function makeHandler(deps: NotifierDeps, log: (line: string) => void = (line) => console.log(maskLogLine(line))): (event: unknown) => Promise<NotifyOutcome> {
  return async (event) => {
    try {
      const result = await notifyAlertEvent(event, deps.config, deps.post);
      log(JSON.stringify(result));
      return result;
    } catch (error) {
      // Our errors' messages are written to be safe to log (a secret's name, never its value); others are named only.
      const known = error instanceof NotifyError || error instanceof ZoomlakeError;
      const message = known ? error.message : `${deps.config.channel} notification failed: ${error instanceof Error ? error.name : 'unknown error'}`;
      const retryable = known ? error.retryable : true;
      log(JSON.stringify({ outcome: 'failed', channel: deps.config.channel, error: message, retryable }));
      throw known ? error : new NotifyError(message, true);
    }
  };
}

let live: ReturnType<typeof makeHandler> | undefined;

/** The Lambda entry point; its dependencies are built on the first invocation and kept for the container's life. */
export const handler: ReturnType<typeof makeHandler> = (event) => {
  live ??= makeHandler(fromEnv());
  return live(event);
};
