import { SecretsManagerSecretProvider } from '#adapters/secrets-manager-secret-provider.ts';
import { NotifyError, notifyAlertEvent, type NotifierConfig, type NotifyOutcome, type PostDeps } from '#core/alerts/notify.ts';
import { ZoomlakeError } from '#core/errors.ts';
import type { SecretProvider } from '#core/ports.ts';
import { alertNotifierEnv } from '#runtime/env/alert-notifier.ts';
import { httpFetch } from '#runtime/http-fetch.ts';
import { lazyHandler } from '#runtime/lazy-handler.ts';
import { handlerLogger, type HandlerLog } from '#runtime/log.ts';

/** The function's logger (module scope: one per container), also handed each invocation's context. */
const LOG = handlerLogger('alert-notifier');

/** What the notifier handler needs. */
export interface NotifierDeps {
  readonly config: NotifierConfig;
  readonly post: PostDeps;
}

/** The notifier's dependencies from the Lambda environment. */
export function fromEnv(env: NodeJS.ProcessEnv = process.env, secrets: SecretProvider = new SecretsManagerSecretProvider()): NotifierDeps {
  const e = alertNotifierEnv.parse(env);
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
 * The handler over `deps`, invoked asynchronously by an alert-bus rule. Logs one line per event with ids, outcome,
 * status and attempts (ERROR when the post failed): never the webhook URL, the routing key, entities or evidence.
 * Throws when the post fails so the rule's retry policy and dead-letter queue take over.
 */
export function makeHandler(deps: NotifierDeps, log: HandlerLog = LOG): (event: unknown) => Promise<NotifyOutcome> {
  return async (event) => {
    try {
      const result = await notifyAlertEvent(event, deps.config, deps.post);
      log.info('alert notification', result);
      return result;
    } catch (error) {
      // Our errors' messages are written to be safe to log (a secret's name, never its value); others are named only.
      const known = error instanceof NotifyError || error instanceof ZoomlakeError;
      const message = known ? error.message : `${deps.config.channel} notification failed: ${error instanceof Error ? error.name : 'unknown error'}`;
      const retryable = known ? error.retryable : true;
      log.error('alert notification failed', { outcome: 'failed', channel: deps.config.channel, error: message, retryable });
      throw known ? error : new NotifyError(message, true);
    }
  };
}

/** The Lambda entry point; its dependencies are built on the first invocation and kept for the container's life. */
export const handler = lazyHandler(() => makeHandler(fromEnv()), LOG);
