import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CreateBucketCommand, GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { S3ObjectStore } from '#adapters/s3-object-store.ts';
import { S3ObjectWriter, type S3ObjectWriterOptions, s3ObjectUrl } from '#adapters/s3-object-writer.ts';
import { StorageError } from '#core/errors.ts';
import { objectStoreContract } from '../contract/object-store.contract.ts';
import { deadEndpoint, loopbackClientConfig } from '../fakes/aws-test-clients.ts';
import { FakeClock } from '../fakes/fake-clock.ts';
import { S3RecordingServer, type S3Reply, s3Error } from '../fakes/s3-recording-server.ts';
import { installS3rverDesShim } from '../fakes/s3rver-des-shim.ts';
import { verifyS3SigV4 } from '../fakes/sigv4-verifier.ts';

// s3rver accepts requests signed with its one fixed key pair (it checks the key id, not a SigV4 signature: the
// recording server below checks signatures).
const S3RVER_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
const CREDENTIALS = {
  accessKeyId: 'AKIDWRITERTEST000001',
  secretAccessKey: 'writer-test-secret-9f2c',
  sessionToken: 'writer-test-session-token-77ab',
};
const KEY = 'webhook-bodies/dt=2024-05-06/3f9a.json';
const BODY = new TextEncoder().encode('{"event":"meeting.started","payload":{"object":{"topic":"Q2 plan ✓"}}}');
const NOW = Date.UTC(2024, 4, 6, 7, 8, 9);

const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest();

let s3rver: S3rver;
let s3rverEndpoint: string;
let reader: S3Client;
let dir: string;
let removeDesShim: (() => void) | undefined;
let nextBucket = 0;

beforeAll(async () => {
  removeDesShim = installS3rverDesShim();
  dir = await mkdtemp(path.join(tmpdir(), 'zoomlake-writer-'));
  s3rver = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: dir, configureBuckets: [{ name: 'lake' }] });
  const { port } = await s3rver.run();
  s3rverEndpoint = `http://127.0.0.1:${port}`;
  reader = new S3Client({ ...loopbackClientConfig(s3rverEndpoint), credentials: S3RVER_CREDENTIALS, forcePathStyle: true });
});

afterAll(async () => {
  reader?.destroy();
  await s3rver?.close();
  removeDesShim?.();
  await rm(dir, { recursive: true, force: true });
});

/** Reads an object back through the SDK's own S3 client. */
async function readBack(key: string): Promise<{ bytes: Uint8Array; contentType: string | undefined }> {
  const out = await reader.send(new GetObjectCommand({ Bucket: 'lake', Key: key }));
  return { bytes: await out.Body!.transformToByteArray(), contentType: out.ContentType };
}

// The put half of the ObjectStore contract: objects the writer puts, read, listed and deleted by the SDK adapter. Each store gets
// its own bucket (the writer has no key prefix).
objectStoreContract('S3ObjectWriter puts, S3ObjectStore reads, on s3rver', async () => {
  const bucket = `writer-contract-${nextBucket++}`;
  await reader.send(new CreateBucketCommand({ Bucket: bucket }));
  const writer = new S3ObjectWriter(bucket, 'us-east-1', { endpoint: s3rverEndpoint, credentials: S3RVER_CREDENTIALS });
  const store = new S3ObjectStore(bucket, reader);
  return {
    put: (key, body, options) => writer.put(key, body, options),
    get: (key) => store.get(key),
    list: (prefix) => store.list(prefix),
    delete: (keys) => store.delete(keys),
  };
});

describe('S3ObjectWriter on s3rver', () => {
  const writer = () => new S3ObjectWriter('lake', 'us-east-1', { endpoint: s3rverEndpoint, credentials: S3RVER_CREDENTIALS });

  it('puts an object that reads back with the same bytes and content type', async () => {
    await writer().put(KEY, BODY, { contentType: 'application/json' });
    const { bytes, contentType } = await readBack(KEY);
    expect(Buffer.from(bytes).equals(Buffer.from(BODY))).toBe(true);
    expect(contentType).toBe('application/json');
  });

  it('stores keys whose characters need percent-encoding under the same key', async () => {
    const key = "odd/a b+c=d&e'(f)*!~.json";
    await writer().put(key, BODY);
    expect(Buffer.from((await readBack(key)).bytes).equals(Buffer.from(BODY))).toBe(true);
  });

  it('overwrites an object put again under the same key', async () => {
    await writer().put('again.json', new Uint8Array([1, 2]));
    await writer().put('again.json', new Uint8Array([3]));
    expect([...(await readBack('again.json')).bytes]).toEqual([3]);
  });

  it('refuses a missing bucket at once, with its error code', async () => {
    const missing = new S3ObjectWriter('no-such-bucket', 'us-east-1', { endpoint: s3rverEndpoint, credentials: S3RVER_CREDENTIALS });
    await expect(missing.put(KEY, BODY)).rejects.toThrow(
      new StorageError(`could not put s3://no-such-bucket/${KEY}: NoSuchBucket (HTTP 404) after 1 attempt`, false),
    );
  });
});

describe('S3ObjectWriter requests', () => {
  let server: S3RecordingServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  /** A writer on a recording server answering `replies`, its waits recorded instead of slept. */
  async function recorded(replies: readonly S3Reply[], options: S3ObjectWriterOptions = {}) {
    server = new S3RecordingServer(replies);
    const endpoint = await server.start();
    const sleeps: number[] = [];
    const writer = new S3ObjectWriter('lake', 'eu-west-1', {
      endpoint,
      credentials: CREDENTIALS,
      clock: new FakeClock(NOW),
      random: () => 0.5,
      sleep: async (ms) => void sleeps.push(ms),
      ...options,
    });
    return { writer, sleeps, requests: server.requests };
  }

  it('checks signatures as AWS computes them (the S3 GET example of the SigV4 documentation), and refuses a change', () => {
    const example = {
      method: 'GET',
      url: '/test.txt',
      headers: {
        host: 'examplebucket.s3.amazonaws.com',
        range: 'bytes=0-9',
        'x-amz-content-sha256': 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
        'x-amz-date': '20130524T000000Z',
        authorization:
          'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41',
      },
      body: Buffer.alloc(0),
    };
    const secret = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
    expect(verifyS3SigV4(example, secret)).toEqual({
      accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
      scope: '20130524/us-east-1/s3/aws4_request',
      signedHeaders: ['host', 'range', 'x-amz-content-sha256', 'x-amz-date'],
    });
    expect(() => verifyS3SigV4({ ...example, headers: { ...example.headers, range: 'bytes=0-10' } }, secret)).toThrow('signature does not match');
    expect(() => verifyS3SigV4({ ...example, url: '/test%2Etxt' }, secret)).toThrow('signature does not match');
    expect(() => verifyS3SigV4({ ...example, body: Buffer.from('x') }, secret)).toThrow('not the SHA-256 of the body');
  });

  it('sends one PUT of the body to the key, SigV4-signed for s3 in the region, the signature matching what arrived', async () => {
    const { writer, requests } = await recorded([{ status: 200 }]);
    await writer.put(KEY, BODY, { contentType: 'application/json' });
    expect(requests).toHaveLength(1);
    const [req] = requests as [(typeof requests)[0]];
    expect(req.method).toBe('PUT');
    expect(req.url).toBe('/lake/webhook-bodies/dt%3D2024-05-06/3f9a.json');
    expect(req.body.equals(Buffer.from(BODY))).toBe(true);
    const signature = verifyS3SigV4(req, CREDENTIALS.secretAccessKey);
    expect(signature).toMatchObject({ accessKeyId: CREDENTIALS.accessKeyId, scope: '20240506/eu-west-1/s3/aws4_request' });
    expect(signature.signedHeaders).toEqual(
      expect.arrayContaining(['host', 'content-type', 'x-amz-checksum-sha256', 'x-amz-content-sha256', 'x-amz-date', 'x-amz-security-token']),
    );
    expect(req.headers).toMatchObject({
      'x-amz-date': '20240506T070809Z',
      'x-amz-security-token': CREDENTIALS.sessionToken,
      'x-amz-checksum-sha256': sha256(BODY).toString('base64'),
      'content-type': 'application/json',
    });
  });

  it('sends only the bytes of a view into a larger buffer, as the receiver passes a body without its byte order mark', async () => {
    const { writer, requests } = await recorded([{ status: 200 }]);
    const whole = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(BODY), Buffer.from('trailing')]);
    const view = whole.subarray(3, 3 + BODY.byteLength);
    await writer.put(KEY, view);
    expect(requests[0]!.body.equals(Buffer.from(BODY))).toBe(true);
    expect(requests[0]!.headers['x-amz-checksum-sha256']).toBe(sha256(BODY).toString('base64'));
    expect(() => verifyS3SigV4(requests[0]!, CREDENTIALS.secretAccessKey)).not.toThrow();
  });

  it('does not follow a redirect (the request is signed for one host): it fails with the redirect code', async () => {
    const { writer, requests } = await recorded([{ ...s3Error(307, 'TemporaryRedirect'), headers: { location: 'http://127.0.0.1:9/elsewhere' } }]);
    await expect(writer.put(KEY, BODY)).rejects.toThrow(
      new StorageError(`could not put s3://lake/${KEY}: TemporaryRedirect (HTTP 307) after 1 attempt`, false),
    );
    expect(requests).toHaveLength(1);
  });

  it("leaves encryption to the bucket's default SSE-KMS key: no header names another key or algorithm", async () => {
    const { writer, requests } = await recorded([{ status: 200 }]);
    await writer.put(KEY, BODY);
    expect(Object.keys(requests[0]!.headers).filter((name) => name.startsWith('x-amz-server-side-encryption'))).toEqual([]);
  });

  it('signs a path it encoded once, as S3 expects, for keys with reserved characters', async () => {
    const { writer, requests } = await recorded([{ status: 200 }]);
    await writer.put("a b/c+d'(e).json", BODY);
    expect(requests[0]!.url).toBe('/lake/a%20b/c%2Bd%27%28e%29.json');
    expect(() => verifyS3SigV4(requests[0]!, CREDENTIALS.secretAccessKey)).not.toThrow();
  });

  it('fails a 403 AccessDenied at once, with S3 error code, and without quoting S3 message or any credential', async () => {
    const leaky = `AWS4-HMAC-SHA256 ${CREDENTIALS.accessKeyId} ${CREDENTIALS.secretAccessKey} ${CREDENTIALS.sessionToken}`;
    const { writer, requests, sleeps } = await recorded([s3Error(403, 'AccessDenied', leaky)]);
    const err = await writer.put(KEY, BODY).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toEqual(new StorageError(`could not put s3://lake/${KEY}: AccessDenied (HTTP 403) after 1 attempt`, false));
    expect(err).toMatchObject({ retryable: false });
    for (const secret of Object.values(CREDENTIALS)) expect(String((err as Error).message)).not.toContain(secret);
    expect(requests).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  it('retries a 503 SlowDown after a jittered throttling backoff, signing each try anew, and succeeds', async () => {
    const { writer, requests, sleeps } = await recorded([s3Error(503, 'SlowDown'), { status: 200 }]);
    await writer.put(KEY, BODY);
    expect(requests).toHaveLength(2);
    // The SDK's throttling base of 1 s, times the jitter of 0.5.
    expect(sleeps).toEqual([500]);
    for (const req of requests) expect(() => verifyS3SigV4(req, CREDENTIALS.secretAccessKey)).not.toThrow();
  });

  it('gives up on throttling after 3 attempts in all, the backoff doubling, as a retryable StorageError', async () => {
    const { writer, requests, sleeps } = await recorded([s3Error(503, 'SlowDown')]);
    await expect(writer.put(KEY, BODY)).rejects.toThrow(
      new StorageError(`could not put s3://lake/${KEY}: SlowDown (HTTP 503) after 3 attempts`, true),
    );
    expect(requests).toHaveLength(3);
    expect(sleeps).toEqual([500, 1_000]);
  });

  it.each([
    ['a 500 InternalError', s3Error(500, 'InternalError'), 'InternalError (HTTP 500)'],
    ['a 502 without a body', { status: 502 }, 'HTTP 502'],
    ['a 400 RequestTimeout', s3Error(400, 'RequestTimeout'), 'RequestTimeout (HTTP 400)'],
  ])('retries %s on the transient base delay and reports it after the last attempt', async (_case, reply, what) => {
    const { writer, requests, sleeps } = await recorded([reply], { maxAttempts: 2 });
    await expect(writer.put(KEY, BODY)).rejects.toThrow(new StorageError(`could not put s3://lake/${KEY}: ${what} after 2 attempts`, true));
    expect(requests).toHaveLength(2);
    // The SDK's base of 50 ms, times the jitter of 0.5.
    expect(sleeps).toEqual([25]);
  });

  it.each([
    ['a 400 InvalidRequest', s3Error(400, 'InvalidRequest'), 'InvalidRequest (HTTP 400)'],
    ['a 404 NoSuchBucket', s3Error(404, 'NoSuchBucket'), 'NoSuchBucket (HTTP 404)'],
    ['a 501 NotImplemented', s3Error(501, 'NotImplemented'), 'NotImplemented (HTTP 501)'],
  ])('does not retry %s, as the SDK does not', async (_case, reply, what) => {
    const { writer, requests } = await recorded([reply]);
    await expect(writer.put(KEY, BODY)).rejects.toThrow(`${what} after 1 attempt`);
    expect(requests).toHaveLength(1);
  });

  it('cuts an attempt that gets no answer and retries it', async () => {
    const { writer, requests } = await recorded(['hang', { status: 200 }], { attemptTimeoutMs: 200 });
    await writer.put(KEY, BODY);
    expect(requests).toHaveLength(2);
  });

  it('reports attempts that all time out as a retryable TimeoutError', async () => {
    const { writer, requests } = await recorded(['hang'], { attemptTimeoutMs: 100, maxAttempts: 2 });
    await expect(writer.put(KEY, BODY)).rejects.toThrow(new StorageError(`could not put s3://lake/${KEY}: TimeoutError after 2 attempts`, true));
    expect(requests).toHaveLength(2);
  });

  it('retries a refused connection and reports it by its code', async () => {
    const sleeps: number[] = [];
    const writer = new S3ObjectWriter('lake', 'eu-west-1', {
      endpoint: await deadEndpoint(),
      credentials: CREDENTIALS,
      random: () => 0,
      sleep: async (ms) => void sleeps.push(ms),
    });
    await expect(writer.put(KEY, BODY)).rejects.toThrow(new StorageError(`could not put s3://lake/${KEY}: ECONNREFUSED after 3 attempts`, true));
    expect(sleeps).toHaveLength(2);
  });

  it('refuses a key that is not a relative path before sending anything', async () => {
    const { writer, requests } = await recorded([{ status: 200 }]);
    await expect(writer.put('../escape.json', BODY)).rejects.toMatchObject({ name: 'StorageError', retryable: false });
    expect(requests).toEqual([]);
  });

  it('fails without credentials in the environment, sending nothing', async () => {
    const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
    delete process.env.AWS_ACCESS_KEY_ID;
    delete process.env.AWS_SECRET_ACCESS_KEY;
    try {
      const { writer, requests } = await recorded([{ status: 200 }], { credentials: undefined });
      await expect(writer.put(KEY, BODY)).rejects.toMatchObject({ name: 'StorageError', retryable: false });
      expect(requests).toEqual([]);
    } finally {
      if (saved.id !== undefined) process.env.AWS_ACCESS_KEY_ID = saved.id;
      if (saved.secret !== undefined) process.env.AWS_SECRET_ACCESS_KEY = saved.secret;
    }
  });
});

describe('s3ObjectUrl', () => {
  it.each([
    [
      'a bucket in a commercial region, virtual-hosted',
      'zoomlake-lake-1a2b',
      'eu-west-1',
      'https://zoomlake-lake-1a2b.s3.eu-west-1.amazonaws.com/k/a.json',
    ],
    ['a bucket in China, on its partition', 'zoomlake-lake', 'cn-north-1', 'https://zoomlake-lake.s3.cn-north-1.amazonaws.com.cn/k/a.json'],
    ['a bucket in GovCloud', 'zoomlake-lake', 'us-gov-west-1', 'https://zoomlake-lake.s3.us-gov-west-1.amazonaws.com/k/a.json'],
    ['a bucket with dots, path-style (no TLS name for it)', 'zoom.lake', 'eu-west-1', 'https://s3.eu-west-1.amazonaws.com/zoom.lake/k/a.json'],
  ])('addresses %s', (_case, bucket, region, url) => {
    expect(s3ObjectUrl(bucket, region, 'k/a.json').href).toBe(url);
  });

  it('addresses an endpoint path-style, under its own path', () => {
    expect(s3ObjectUrl('lake', 'us-east-1', 'k/a=b.json', 'http://127.0.0.1:9000/base/').href).toBe('http://127.0.0.1:9000/base/lake/k/a%3Db.json');
  });
});
