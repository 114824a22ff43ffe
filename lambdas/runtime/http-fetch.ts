import type { ZoomFetchInit, ZoomFetchResponse } from '#core/zoom/client.ts';

/**
 * The Zoom client's fetch over Node's global fetch: the core sets no timers, so the request timeout becomes an
 * abort signal here. Used by the CLI and the Lambda poller alike (fetch is built into both runtimes).
 */
export function httpFetch(url: string, init: ZoomFetchInit): Promise<ZoomFetchResponse> {
  return fetch(url, {
    method: init.method,
    headers: init.headers,
    body: init.body,
    signal: init.timeoutMs !== undefined ? AbortSignal.timeout(init.timeoutMs) : undefined,
  });
}
