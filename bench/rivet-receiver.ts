/**
 * A REIMPLEMENTATION of the per-request steps of Zoom's Rivet SDK `AwsLambdaReceiver`, written for the bench only.
 * It is not the package: `@zoom/rivet` is published under Zoom's API terms, not an open-source licence, so it is not
 * a dependency, not even of the bench (docs/zoom-contract.md). The steps follow what the package does, as read in
 * zoom/rivet-javascript meetings/meetings.mjs (`AwsLambdaReceiver.start`, `CommonHttpRequest.buildFromAwsEvent`,
 * `isEventVerified`, `parseHeaders`, `processEvent`, `hashUrlValidationEvent`, `EventManager.emit`) and as summarised
 * in ../shared/zoom-reference.md §1.3-1.4:
 *
 * 1. the body, base64-decoded as ASCII when the event says so, is parsed with JSON.parse (400 when it is not JSON);
 * 2. the payload must have a string `event`;
 * 3. `x-zm-signature` and `x-zm-request-timestamp` are found by comparing every header name lower-cased;
 * 4. the signature is `v0=` + hex HMAC-SHA256 under the secret token of `v0:{timestamp}:{JSON.stringify(payload)}`
 *    (the parsed payload serialised again, not the raw body), compared with `===`;
 * 5. `endpoint.url_validation` is answered with `{ encryptedToken, plainToken }`, the token's hex HMAC-SHA256;
 * 6. any other event is emitted to the listeners registered for its name, awaited, then 200 is answered.
 *
 * Two differences, both said in the bench output: Rivet checks no timestamp freshness, so the same replay-window
 * check as zoomlake's is added (both sides then do the same checks); and Rivet's `console.debug` of the whole Lambda
 * event and context (serialised on every request) is left out, as zoomlake's own log line is left out of its side.
 */
import { createHmac } from 'node:crypto';

/** The parts of an API Gateway / function URL event the receiver reads. */
export interface LambdaHttpEvent {
  readonly body?: string | null;
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly isBase64Encoded: boolean;
}

/** What the receiver answers: Rivet's `buildResponse`. */
export interface LambdaHttpResult {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** A listener as Rivet's event manager calls it, with the parsed payload. */
export type RivetListener = (payload: { event: string; [key: string]: unknown }) => unknown;

class RequestError extends Error {}

const respond = (statusCode: number, body: object): LambdaHttpResult => ({
  body: JSON.stringify(body),
  headers: { 'Content-Type': 'application/json' },
  statusCode,
});

/** The receiver's handler over `listeners` (by event name), verifying with `secretToken` at `now()`. */
export function rivetStyleReceiver(
  secretToken: string,
  listeners: Readonly<Record<string, readonly RivetListener[]>>,
  replayWindowSeconds: number,
  now: () => number,
): (event: LambdaHttpEvent) => Promise<LambdaHttpResult> {
  const findHeader = (headers: LambdaHttpEvent['headers'], header: string) => {
    const found = Object.keys(headers).find((key) => key.toLowerCase() === header.toLowerCase());
    return found && headers[found];
  };
  const emit = async (name: string, payload: { event: string }) => {
    const registered = listeners[name];
    if (!registered) return;
    await Promise.all(registered.map(async (listener) => void (await Promise.resolve(listener(payload)))));
  };
  return async (event) => {
    try {
      let payload: { event: string; payload?: { plainToken?: unknown }; [key: string]: unknown };
      try {
        const raw = event.body ?? '';
        payload = JSON.parse(event.isBase64Encoded ? Buffer.from(raw, 'base64').toString('ascii') : raw);
      } catch {
        throw new RequestError('Failed to parse payload string to JSON.');
      }
      if (typeof payload.event !== 'string') throw new RequestError('Request payload structure does not match expected from Zoom.');
      const signature = findHeader(event.headers, 'x-zm-signature');
      const requestTimestamp = findHeader(event.headers, 'x-zm-request-timestamp');
      if (!signature && !requestTimestamp) throw new RequestError('Request payload must have signature and request timestamp from Zoom.');
      const message = `v0:${Number(requestTimestamp).toString()}:${JSON.stringify(payload)}`;
      const hash = createHmac('sha256', secretToken).update(message).digest('hex');
      if (`v0=${hash}` !== signature) throw new RequestError('Failed to verify event originated from Zoom.');
      // Not in Rivet: the freshness check zoomlake applies, so both sides check the same things.
      if (Math.abs(now() - Number(requestTimestamp) * 1000) > replayWindowSeconds * 1000) throw new RequestError('Request is too old.');
      const plainToken = payload.payload?.plainToken;
      const processed =
        payload.event === 'endpoint.url_validation' && typeof plainToken === 'string'
          ? { encryptedToken: createHmac('sha256', secretToken).update(plainToken).digest('hex'), plainToken }
          : payload;
      if (typeof processed.encryptedToken === 'string' && typeof processed.plainToken === 'string') return respond(200, processed);
      await emit(payload.event, payload);
      return respond(200, { message: 'Zoom event processed successfully.' });
    } catch (error) {
      if (error instanceof RequestError) return respond(400, { error: error.message });
      return respond(500, { error: 'An unknown error occurred. Please try again later.' });
    }
  };
}
