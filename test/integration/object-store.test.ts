import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3ObjectStore } from '#adapters/s3-object-store.ts';
import { StorageError } from '#core/errors.ts';
import { FsObjectStore } from '#local/adapters/fs-object-store.ts';
import { objectStoreContract } from '../contract/object-store.contract.ts';
import { createFixedReplyServer } from '../fakes/aws-json-server.ts';
import { closeServer, deadEndpoint, listenOnLoopback, loopbackClientConfig } from '../fakes/aws-test-clients.ts';
import { installS3rverDesShim } from '../fakes/s3rver-des-shim.ts';

const dirs: string[] = [];
let s3rver: S3rver;
let client: S3Client;
let nextPrefix = 0;
let removeDesShim: (() => void) | undefined;

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'zoomlake-objects-'));
  dirs.push(dir);
  return dir;
}

beforeAll(async () => {
  removeDesShim = installS3rverDesShim();
  s3rver = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: await tempDir(), configureBuckets: [{ name: 'lake' }] });
  const { port } = await s3rver.run();
  // s3rver checks signatures against its one fixed key pair.
  const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
  client = new S3Client({ ...loopbackClientConfig(`http://127.0.0.1:${port}`), credentials, forcePathStyle: true });
});

afterAll(async () => {
  client?.destroy();
  await s3rver?.close();
  removeDesShim?.();
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

// Each S3 store gets its own prefix in the one bucket, which also exercises the prefix option everywhere.
objectStoreContract('S3ObjectStore on s3rver', async () => new S3ObjectStore('lake', client, `contract-${nextPrefix++}`));
objectStoreContract('FsObjectStore', async () => new FsObjectStore(await tempDir()));

describe('S3ObjectStore', () => {
  it('puts objects under its prefix in the bucket and lists them without it', async () => {
    const scoped = new S3ObjectStore('lake', client, 'scoped/lake');
    await scoped.put('zoom/t/a.json', new TextEncoder().encode('{}'));
    const whole = new S3ObjectStore('lake', client);
    expect(await whole.list('scoped/')).toEqual(['scoped/lake/zoom/t/a.json']);
    expect(await scoped.list('zoom/')).toEqual(['zoom/t/a.json']);
  });

  it('maps a missing bucket to a non-retryable StorageError', async () => {
    const store = new S3ObjectStore('no-such-bucket', client);
    await expect(store.put('a', new Uint8Array([1]))).rejects.toMatchObject({ name: 'StorageError', retryable: false });
  });

  it.each([
    ['a 503 SlowDown', 503, 'SlowDown', true],
    ['a 500 InternalError', 500, 'InternalError', true],
    ['a 403 AccessDenied', 403, 'AccessDenied', false],
  ])('maps %s to a StorageError with the right retryable flag', async (_case, status, code, retryable) => {
    const xml = `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>m</Message></Error>`;
    const server: Server = createFixedReplyServer(status, xml, { 'content-type': 'application/xml' });
    const endpoint = await listenOnLoopback(server);
    const failing = new S3Client({ ...loopbackClientConfig(endpoint, 1), forcePathStyle: true });
    try {
      const store = new S3ObjectStore('lake', failing);
      for (const call of [() => store.get('k'), () => store.list('zoom/'), () => store.put('k', new Uint8Array([1]))]) {
        const err = await call().then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(err).toBeInstanceOf(StorageError);
        expect(err).toMatchObject({ retryable, message: expect.stringContaining(code) });
      }
    } finally {
      failing.destroy();
      await closeServer(server);
    }
  });

  it('maps a refused connection to a retryable StorageError', async () => {
    const down = new S3Client({ ...loopbackClientConfig(await deadEndpoint(), 1), forcePathStyle: true });
    try {
      await expect(new S3ObjectStore('lake', down).get('k')).rejects.toMatchObject({ name: 'StorageError', retryable: true });
    } finally {
      down.destroy();
    }
  });
});

describe('FsObjectStore', () => {
  it('maps keys to files under the root and leaves no temp files behind', async () => {
    const root = await tempDir();
    const store = new FsObjectStore(root);
    await store.put('zoom/t/dt=2024-01-01/a.parquet', new Uint8Array([1, 2, 3]));
    expect(await readdir(path.join(root, 'zoom', 't', 'dt=2024-01-01'))).toEqual(['a.parquet']);
    expect(await readdir(path.join(root, '.tmp'))).toEqual([]);
  });

  it('never lists or serves its temp folder, even with a leftover temp file', async () => {
    const root = await tempDir();
    const store = new FsObjectStore(root);
    await store.put('a.json', new Uint8Array([1]));
    await writeFile(path.join(root, '.tmp', 'crashed-write'), 'partial');
    expect(await store.list('')).toEqual(['a.json']);
    expect(await store.list('.tmp/')).toEqual([]);
    await expect(store.get('.tmp/crashed-write')).rejects.toMatchObject({ name: 'StorageError', retryable: false });
  });

  it('explains a key that would need a file to also be a folder', async () => {
    const store = new FsObjectStore(await tempDir());
    await store.put('zoom/a', new Uint8Array([1]));
    await expect(store.put('zoom/a/b', new Uint8Array([2]))).rejects.toThrow(/both an object and a folder/);
    expect(await store.get('zoom/a')).toEqual(new Uint8Array([1]));
  });
});
