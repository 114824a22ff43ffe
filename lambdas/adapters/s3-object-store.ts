import { DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { StorageError } from '#core/errors.ts';
import type { ObjectStore } from '#core/ports.ts';
import { isRetryableAwsError } from './aws-errors.ts';
import { objectKeyProblem } from '#core/object-key.ts';

/** A listing that needs more pages than this is a broken endpoint echoing its token, not a real bucket. */
const MAX_LIST_PAGES = 100_000;

/** Object store on one S3 bucket, optionally under a key prefix. Encryption is left to the bucket default. */
export class S3ObjectStore implements ObjectStore {
  private readonly prefix: string;

  constructor(
    private readonly bucket: string,
    private readonly client: S3Client = new S3Client({}),
    prefix = '',
  ) {
    this.prefix = prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/`;
  }

  async put(key: string, body: Uint8Array, options?: { contentType?: string }): Promise<void> {
    checkKey(key);
    try {
      await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: this.prefix + key, Body: body, ContentType: options?.contentType }));
    } catch (err) {
      throw toStorageError(`could not put s3://${this.bucket}/${this.prefix}${key}`, err);
    }
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    checkKey(key);
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.prefix + key }));
      return out.Body ? await out.Body.transformToByteArray() : new Uint8Array();
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw toStorageError(`could not get s3://${this.bucket}/${this.prefix}${key}`, err);
    }
  }

  async list(prefix: string): Promise<string[]> {
    checkPrefix(prefix);
    const keys: string[] = [];
    let token: string | undefined;
    for (let page = 0; page < MAX_LIST_PAGES; page++) {
      let out;
      try {
        out = await this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: this.prefix + prefix, ContinuationToken: token }));
      } catch (err) {
        throw toStorageError(`could not list s3://${this.bucket}/${this.prefix}${prefix}`, err);
      }
      for (const obj of out.Contents ?? []) {
        if (obj.Key !== undefined) keys.push(obj.Key.slice(this.prefix.length));
      }
      token = out.IsTruncated ? out.NextContinuationToken : undefined;
      if (token === undefined) return keys.sort();
    }
    throw new StorageError(`listing s3://${this.bucket}/${this.prefix}${prefix} did not end after ${MAX_LIST_PAGES} pages`, false);
  }

  async delete(key: string): Promise<void> {
    checkKey(key);
    // S3 answers 204 for a key with no object too; on a versioned bucket the delete leaves a marker, the data stays a
    // noncurrent version for the bucket's undo window.
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.prefix + key }));
    } catch (err) {
      throw toStorageError(`could not delete s3://${this.bucket}/${this.prefix}${key}`, err);
    }
  }
}

/** Keys are relative `/`-separated paths, so the same key means the same thing in S3 and in a local folder. */
function checkKey(key: string): void {
  const problem = objectKeyProblem(key, false);
  if (problem) throw new StorageError(`invalid object key "${key}": ${problem}`, false);
}

function checkPrefix(prefix: string): void {
  const problem = objectKeyProblem(prefix, true);
  if (problem) throw new StorageError(`invalid object key prefix "${prefix}": ${problem}`, false);
}

function isNotFound(err: unknown): boolean {
  return err instanceof Error && (err.name === 'NoSuchKey' || err.name === 'NotFound');
}

/** The SDK's own message can quote request content, so only the error's name goes into ours. */
function toStorageError(what: string, err: unknown): StorageError {
  const name = err instanceof Error ? err.name : 'unknown error';
  return new StorageError(`${what}: ${name}`, isRetryableAwsError(err), { cause: err });
}
