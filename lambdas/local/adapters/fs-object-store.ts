import { randomUUID } from 'node:crypto';
import { readdir, readFile, unlink } from 'node:fs/promises';
import path from 'node:path';
import { StorageError } from '#core/errors.ts';
import type { ObjectStore } from '#core/ports.ts';
import { replaceFileDurably } from './durable-file.ts';
import { objectKeyProblem } from '#core/object-key.ts';
import { errnoCode } from './errno.ts';

/** Reserved top-level folder for in-flight writes; it is never a key and never listed. */
const TMP_DIR = '.tmp';
/** Errors from an overloaded machine rather than from the request itself. */
const RETRYABLE_CODES = new Set(['EMFILE', 'ENFILE', 'EBUSY', 'EAGAIN']);

/**
 * Object store on a local folder: key `a/b/c` is the file `<rootDir>/a/b/c`. A write lands in a temp file that is
 * renamed into place, so a reader (this store, DuckDB) never sees a half-written object.
 */
export class FsObjectStore implements ObjectStore {
  private readonly root: string;

  constructor(rootDir: string) {
    this.root = path.resolve(rootDir);
  }

  async put(key: string, body: Uint8Array, _options?: { contentType?: string }): Promise<void> {
    const target = this.pathOf(key);
    try {
      await replaceFileDurably(target, body, path.join(this.root, TMP_DIR, randomUUID()));
    } catch (err) {
      throw fsError(`could not write object "${key}"`, err);
    }
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    const file = this.pathOf(key);
    try {
      return new Uint8Array(await readFile(file));
    } catch (err) {
      // A directory or a path through a file is no object, just as in S3.
      if (hasCode(err, 'ENOENT') || hasCode(err, 'EISDIR') || hasCode(err, 'ENOTDIR')) return undefined;
      throw fsError(`could not read object "${key}"`, err);
    }
  }

  async list(prefix: string): Promise<string[]> {
    const problem = objectKeyProblem(prefix, true);
    if (problem) throw new StorageError(`invalid object key prefix "${prefix}": ${problem}`, false);
    // Start at the deepest folder the prefix names fully; "zoom/act" starts in "zoom".
    const baseKey = prefix.includes('/') ? prefix.slice(0, prefix.lastIndexOf('/')) : '';
    if (baseKey.split('/')[0] === TMP_DIR) return [];
    const keys: string[] = [];
    const pending: string[] = [baseKey];
    for (let dirKey = pending.pop(); dirKey !== undefined; dirKey = pending.pop()) {
      let entries;
      try {
        entries = await readdir(dirKey === '' ? this.root : path.join(this.root, ...dirKey.split('/')), { withFileTypes: true });
      } catch (err) {
        if (hasCode(err, 'ENOENT') || hasCode(err, 'ENOTDIR')) continue;
        throw fsError(`could not list objects under "${prefix}"`, err);
      }
      for (const entry of entries) {
        if (dirKey === '' && entry.name === TMP_DIR) continue;
        const key = dirKey === '' ? entry.name : `${dirKey}/${entry.name}`;
        if (entry.isDirectory()) {
          if (key.startsWith(prefix) || prefix.startsWith(`${key}/`)) pending.push(key);
        } else if (entry.isFile() && key.startsWith(prefix)) {
          keys.push(key);
        }
      }
    }
    return keys.sort();
  }

  async delete(key: string): Promise<void> {
    const file = this.pathOf(key);
    try {
      await unlink(file);
    } catch (err) {
      // No object under the key, as S3's delete of a missing key.
      if (hasCode(err, 'ENOENT') || hasCode(err, 'ENOTDIR')) return;
      throw fsError(`could not delete object "${key}"`, err);
    }
  }

  private pathOf(key: string): string {
    const problem = objectKeyProblem(key, false) ?? (key.split('/')[0] === TMP_DIR ? `"${TMP_DIR}" is reserved` : undefined);
    if (problem) throw new StorageError(`invalid object key "${key}": ${problem}`, false);
    return path.join(this.root, ...key.split('/'));
  }
}

function hasCode(err: unknown, code: string): boolean {
  return err instanceof Error && 'code' in err && err.code === code;
}

function fsError(what: string, err: unknown): StorageError {
  const code = errnoCode(err);
  // A key that is both an object and a folder ("a" and "a/b") is legal in S3 but not on a file system.
  const hint = code === 'ENOTDIR' || code === 'EISDIR' || code === 'EEXIST' ? ' (a key cannot be both an object and a folder locally)' : '';
  return new StorageError(`${what}: ${code}${hint}`, RETRYABLE_CODES.has(code), { cause: err });
}
