import { zoomSignature } from '#core/webhook/verify.ts';

/** Zoom's signature headers for `body` signed with `secret` now (or at `atMs`). */
export function signedHeaders(secret: string, body: string, atMs = Date.now()): Record<string, string> {
  const ts = String(Math.floor(atMs / 1000));
  return { 'content-type': 'application/json', 'x-zm-request-timestamp': ts, 'x-zm-signature': zoomSignature(secret, ts, Buffer.from(body, 'utf8')) };
}

/** POSTs a webhook body signed as Zoom signs it; resolves with the HTTP status. */
export async function postSigned(url: string, body: string, secret: string): Promise<number> {
  return (await fetch(url, { method: 'POST', headers: signedHeaders(secret, body), body })).status;
}
