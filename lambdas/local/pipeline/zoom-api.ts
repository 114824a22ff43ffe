import type { Clock, ZoomApi } from '#core/ports.ts';
import { StateStoreBudget } from '#core/zoom/budget.ts';
import { ZoomHttpClient } from '#core/zoom/client.ts';
import { httpFetch } from '#runtime/http-fetch.ts';
import type { LocalRuntime } from './runtime.ts';

/** A Server-to-Server OAuth app's credentials. */
export interface ZoomCredentials {
  readonly accountId: string;
  readonly clientId: string;
  readonly clientSecret: string;
}

/** Where the Zoom API is: the real one unless set (the simulator's URLs). */
export interface ZoomEndpoints {
  readonly oauthUrl?: string | undefined;
  readonly apiBaseUrl?: string | undefined;
}

/**
 * Zoom's API for a local folder: the config's plan and budget share, the daily share counted in the folder's state
 * file so successive and concurrent passes (pollers, correlation) share one budget.
 */
export function localZoomApi(rt: LocalRuntime, credentials: ZoomCredentials, endpoints: ZoomEndpoints = {}, clock: Clock = rt.clock): ZoomApi {
  return new ZoomHttpClient({
    fetch: httpFetch, clock, sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)), random: Math.random,
    credentials, plan: rt.config.planTier, apiBudgetShare: rt.config.apiBudgetShare, timeoutMs: 30_000,
    sharedBudget: new StateStoreBudget(rt.state),
    ...(endpoints.oauthUrl ? { oauthUrl: endpoints.oauthUrl } : {}),
    ...(endpoints.apiBaseUrl ? { apiBaseUrl: endpoints.apiBaseUrl } : {}),
  });
}
