import type { Clock, SecretProvider, StateStore, ZoomApi } from '#core/ports.ts';
import { StateStoreBudget } from '#core/zoom/budget.ts';
import { ZoomHttpClient, type ZoomCredentials } from '#core/zoom/client.ts';
import { zoomCredentialsFromSecret } from '#core/zoom/credentials.ts';
import type { ZoomPlan } from '#core/zoom/rate-limit.ts';
import { httpFetch } from './http-fetch.ts';

/** How a Zoom client is set up, whatever its credentials. */
export interface ZoomClientSettings {
  readonly clock: Clock;
  /** The account's plan, which sets the rate limits. */
  readonly plan: ZoomPlan;
  /** The part of the account's daily Heavy/Resource-intensive limit zoomlake may spend. */
  readonly apiBudgetShare: number;
  /** Counts that daily share for every process drawing on it (DynamoDB in AWS, the state file locally). */
  readonly state: StateStore;
  /** Zoom's hosts, when not the real ones (Zoom for Government, the simulator, tests). */
  readonly oauthUrl?: string | undefined;
  readonly apiBaseUrl?: string | undefined;
}

/** Zoom's API over the network: Node's fetch with a 30 s timeout per request, retries with jitter, the shared daily budget. */
export function zoomClient(credentials: ZoomCredentials, settings: ZoomClientSettings): ZoomHttpClient {
  const { clock, plan, apiBudgetShare, state, oauthUrl, apiBaseUrl } = settings;
  return new ZoomHttpClient({
    fetch: httpFetch,
    clock,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    random: Math.random,
    credentials,
    plan,
    apiBudgetShare,
    timeoutMs: 30_000,
    sharedBudget: new StateStoreBudget(state),
    ...(oauthUrl ? { oauthUrl } : {}),
    ...(apiBaseUrl ? { apiBaseUrl } : {}),
  });
}

/**
 * Zoom's API with the Server-to-Server OAuth credentials stored as JSON in secret `secretId`, read on every call (the
 * provider caches it): the client, with its token, is kept until the secret's value changes, so a rotated secret is
 * picked up without a cold start. A malformed secret is a SecretError naming it, never quoting it.
 */
export function zoomClientFromSecret(secrets: SecretProvider, secretId: string, settings: ZoomClientSettings): () => Promise<ZoomApi> {
  let client: { raw: string; api: ZoomApi } | undefined;
  return async () => {
    const raw = await secrets.getSecret(secretId);
    if (client?.raw !== raw) client = { raw, api: zoomClient(zoomCredentialsFromSecret(secretId, raw), settings) };
    return client.api;
  };
}
