import { StorageError } from '#core/errors.ts';
import { objectKeyProblem } from '#core/object-key.ts';
import type { ObjectStore } from '#core/ports.ts';

/** An in-memory ObjectStore for core tests, with the port's key rules; `failNext` makes the next puts reject. */
export class MemoryObjectStore implements ObjectStore {
  readonly objects = new Map<string, Uint8Array>();
  failNext = 0;

  async put(key: string, body: Uint8Array): Promise<void> {
    checkKey(key, false);
    if (this.failNext > 0) {
      this.failNext -= 1;
      throw new Error('injected put failure');
    }
    this.objects.set(key, body.slice());
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    checkKey(key, false);
    return this.objects.get(key);
  }

  async list(prefix: string): Promise<string[]> {
    checkKey(prefix, true);
    return [...this.objects.keys()].filter((k) => k.startsWith(prefix)).sort();
  }

  async delete(key: string): Promise<void> {
    checkKey(key, false);
    this.objects.delete(key);
  }
}

function checkKey(key: string, isPrefix: boolean): void {
  const problem = objectKeyProblem(key, isPrefix);
  if (problem) throw new StorageError(`invalid object key${isPrefix ? ' prefix' : ''} "${key}": ${problem}`, false);
}
