import { createHash } from 'node:crypto';
import { isVirtualHostableS3Bucket, partition } from '@aws-sdk/core/client';
import { fromEnv } from '@aws-sdk/credential-provider-env';
import { DEFAULT_MAX_ATTEMPTS, MAXIMUM_RETRY_DELAY, Retry, isThrottlingError, isTransientError } from '@smithy/core/retry';
import { Hash } from '@smithy/core/serde';
import { SignatureV4 } from '@smithy/signature-v4';
import { StorageError } from '#core/errors.ts';
import { objectKeyProblem } from '#core/object-key.ts';
import type { Clock, ObjectWriter } from '#core/ports.ts';
import { SystemClock } from '#runtime/system-clock.ts';

/*
 * Why this is not the SDK's S3Client: the webhook function only ever writes the rare body too large for an event, and
 * @aws-sdk/client-s3 bundles to about 316 KB however little of it is used (its one schema module holds every S3
 * operation, which esbuild cannot shake, and the client always installs its checksum, XML and express middleware). That
 * alone kept the function over its 300 KB budget (docs/performance.md, "Bundles"). So this is one PutObject over
 * Node's fetch, signed by the SDK's own SigV4 signer and retried as the SDK's standard retry mode does, with the SDK's
 * own error classification and delays. Every other function, and every other S3 call, stays on the SDK. The SDK's
 * endpoint switches (AWS_USE_FIPS_ENDPOINT, AWS_USE_DUALSTACK_ENDPOINT, AWS_ENDPOINT_URL_S3) are not read: zoomlake sets
 * none of them on its functions.
 */

/** How long one attempt may take: the webhook function has 5 s, and a stuck connection is cut so a retry fits. */
const DEFAULT_ATTEMPT_TIMEOUT_MS = 2_000;
/** S3's error bodies are a few hundred bytes; more than this is not read for the error code. */
const MAX_ERROR_BODY_CHARS = 8_192;

/** The signer's view of the credentials: fixed, or a provider called for every request. */
type Credentials = ConstructorParameters<typeof SignatureV4>[0]['credentials'];

/** Settings of {@link S3ObjectWriter}; the defaults are those of a Lambda function in the bucket's region. */
export interface S3ObjectWriterOptions {
  /**
   * Base URL of an S3-compatible endpoint, addressed path-style (`<endpoint>/<bucket>/<key>`): for tests on loopback.
   * @default - S3 in `region`: `https://<bucket>.s3.<region>.<partition's DNS suffix>`, path-style for a bucket name
   * that cannot be a host name (dots, upper case), as the SDK does
   */
  readonly endpoint?: string;
  /**
   * The credentials requests are signed with.
   * @default - the environment's AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN, where Lambda puts the
   * execution role's (the same provider every bundled SDK client uses: lambda-credentials.ts)
   */
  readonly credentials?: Credentials;
  /** Clock the signature's date is taken from. @default the system clock */
  readonly clock?: Clock;
  /** Tries per put, the first included. @default 3 (the SDK's standard retry mode) */
  readonly maxAttempts?: number;
  /** How long one attempt may take before it is abandoned (and retried). @default 2000 */
  readonly attemptTimeoutMs?: number;
  /** How to wait between tries (tests pass a recorder). @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
  /** A number in [0, 1) for the backoff's jitter. @default Math.random */
  readonly random?: () => number;
}

/** One failed attempt: what S3 (or the network) said, and how the SDK's standard retry would class it. */
interface Failure {
  /** S3's error code, the HTTP status when the body had none, or the network error's code. */
  readonly what: string;
  readonly throttling: boolean;
  readonly retryable: boolean;
}

/**
 * Writes objects to one S3 bucket with PutObject, and does nothing else (the {@link ObjectWriter} port). Encryption is
 * left to the bucket's default (SSE-KMS with the lake key and an S3 bucket key), as with the SDK adapter: naming
 * `aws:kms` without the key id would switch to the AWS-managed key. Each object carries its SHA-256 as S3's checksum
 * (`x-amz-checksum-sha256`) and as the signed payload hash, so S3 refuses a body altered on the way.
 */
export class S3ObjectWriter implements ObjectWriter {
  private readonly signer: SignatureV4;
  private readonly clock: Clock;
  private readonly maxAttempts: number;
  private readonly attemptTimeoutMs: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;

  constructor(
    private readonly bucket: string,
    private readonly region: string,
    private readonly options: S3ObjectWriterOptions = {},
  ) {
    if (bucket === '' || bucket.includes('/')) throw new StorageError(`invalid S3 bucket name "${bucket}"`, false);
    // Built once, so a bad endpoint fails at start rather than with the first large body.
    s3ObjectUrl(bucket, region, 'k', options.endpoint);
    this.signer = new SignatureV4({
      service: 's3',
      region,
      credentials: options.credentials ?? fromEnv(),
      sha256: Hash.bind(null, 'sha256'),
      // S3 signs the path as sent, not encoded a second time as other services want.
      uriEscapePath: false,
      applyChecksum: false,
    });
    this.clock = options.clock ?? new SystemClock();
    this.maxAttempts = Math.max(1, options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS);
    this.attemptTimeoutMs = options.attemptTimeoutMs ?? DEFAULT_ATTEMPT_TIMEOUT_MS;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.random = options.random ?? Math.random;
  }

  async put(key: string, body: Uint8Array, options?: { contentType?: string }): Promise<void> {
    const problem = objectKeyProblem(key, false);
    if (problem) throw new StorageError(`invalid object key "${key}": ${problem}`, false);
    const url = s3ObjectUrl(this.bucket, this.region, key, this.options.endpoint);
    const sha256 = createHash('sha256').update(body).digest();
    const headers: Record<string, string> = {
      host: url.host,
      'x-amz-content-sha256': sha256.toString('hex'),
      'x-amz-checksum-sha256': sha256.toString('base64'),
    };
    if (options?.contentType !== undefined) headers['content-type'] = options.contentType;

    let failure: Failure | undefined;
    let attempt = 1;
    for (; attempt <= this.maxAttempts; attempt++) {
      if (failure) {
        // Full jitter over an exponential ceiling, on the SDK's bases (throttling waits longer) and cap.
        const base = failure.throttling ? Retry.throttlingDelay() : Retry.delay();
        await this.sleep(Math.floor(this.random() * Math.min(base * 2 ** (attempt - 2), MAXIMUM_RETRY_DELAY)));
      }
      failure = await this.attempt(url, headers, body);
      if (failure === undefined) return;
      if (!failure.retryable) break;
    }
    const tries = Math.min(attempt, this.maxAttempts);
    // S3's error code only: its messages may quote the request (the string to sign names the access key id).
    throw new StorageError(
      `could not put s3://${this.bucket}/${key}: ${failure!.what} after ${tries} attempt${tries === 1 ? '' : 's'}`,
      failure!.retryable,
    );
  }

  /** One signed PutObject; undefined when S3 stored the object. */
  private async attempt(url: URL, headers: Record<string, string>, body: Uint8Array): Promise<Failure | undefined> {
    let response: Response;
    try {
      const signed = await this.signer.sign(
        {
          method: 'PUT',
          protocol: url.protocol,
          hostname: url.hostname,
          port: url.port === '' ? undefined : Number(url.port),
          path: url.pathname,
          query: {},
          headers,
          body,
        },
        { signingDate: new Date(this.clock.now()) },
      );
      // fetch sets Host from the URL itself (the value signed above).
      const { host: _host, ...sent } = signed.headers;
      response = await fetch(url, {
        method: 'PUT',
        headers: sent,
        body,
        // A redirect is S3 saying the bucket is elsewhere; following it would resend a request signed for this host.
        redirect: 'manual',
        signal: AbortSignal.timeout(this.attemptTimeoutMs),
      });
    } catch (err) {
      return networkFailure(err);
    }
    if (response.ok) {
      await response.body?.cancel();
      return undefined;
    }
    let text = '';
    try {
      text = (await response.text()).slice(0, MAX_ERROR_BODY_CHARS);
    } catch {
      // A body cut off mid-way leaves the status to go by.
    }
    const code = /<Code>([A-Za-z0-9.]{1,64})<\/Code>/.exec(text)?.[1];
    return classify(code ? `${code} (HTTP ${response.status})` : `HTTP ${response.status}`, {
      name: code ?? 'UnknownError',
      status: response.status,
    });
  }
}

/** A request that got no answer: a refused or reset connection, a timeout, or a credential that could not be read. */
function networkFailure(err: unknown): Failure {
  const e = err instanceof Error ? (err as Error & { code?: unknown; cause?: { code?: unknown } }) : undefined;
  // fetch puts the socket's error code on its cause; AbortSignal.timeout rejects with a TimeoutError.
  const code = typeof e?.cause?.code === 'string' ? e.cause.code : typeof e?.code === 'string' ? e.code : undefined;
  return classify(code ?? e?.name ?? 'unknown error', { name: e?.name ?? 'Error', code });
}

/** Classes a failure with the SDK's own rules: its standard retry mode retries throttling and transient errors only. */
function classify(what: string, failure: { name: string; code?: string; status?: number }): Failure {
  const error: Parameters<typeof isTransientError>[0] = Object.assign(
    { name: failure.name, message: what, code: failure.code },
    failure.status === undefined ? {} : { $metadata: { httpStatusCode: failure.status } },
  );
  const throttling = isThrottlingError(error);
  return { what, throttling, retryable: throttling || isTransientError(error) };
}

/**
 * The URL of object `key` in `bucket`: on S3 in `region`, virtual-hosted (`https://<bucket>.s3.<region>.<DNS suffix of
 * the region's partition>/<key>`), or path-style when the bucket name cannot be a host name (dots, upper case), as the
 * SDK addresses it; on `endpoint`, path-style. Each key segment is percent-encoded as S3 expects (RFC 3986, `/` kept).
 */
export function s3ObjectUrl(bucket: string, region: string, key: string, endpoint?: string): URL {
  const encoded = key.split('/').map(encodeSegment).join('/');
  if (endpoint === undefined) {
    const suffix = partition(region).dnsSuffix;
    return isVirtualHostableS3Bucket(bucket)
      ? new URL(`https://${bucket}.s3.${region}.${suffix}/${encoded}`)
      : new URL(`https://s3.${region}.${suffix}/${encodeSegment(bucket)}/${encoded}`);
  }
  const url = new URL(endpoint);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/${encodeSegment(bucket)}/${encoded}`;
  return url;
}

function encodeSegment(segment: string): string {
  return encodeURIComponent(segment).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}
