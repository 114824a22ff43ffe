import type { Clock, ZoomApi } from '#core/ports.ts';
import type { ZoomCredentials } from '#core/zoom/client.ts';
import { zoomClient } from '#runtime/zoom-client.ts';
import type { LocalRuntime } from './runtime.ts';

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
  return zoomClient(credentials, {
    clock,
    plan: rt.config.planTier,
    apiBudgetShare: rt.config.apiBudgetShare,
    state: rt.state,
    oauthUrl: endpoints.oauthUrl,
    apiBaseUrl: endpoints.apiBaseUrl,
  });
}
