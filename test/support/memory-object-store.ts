import type { ObjectStore } from '#core/ports.ts';

/** An in-memory ObjectStore for core tests; `failNext` makes the next puts reject. */
export class MemoryObjectStore implements ObjectStore {
  readonly objects = new Map<string, Uint8Array>();
  failNext = 0;

  async put(key: string, body: Uint8Array): Promise<void> {
    if (this.failNext > 0) {
      this.failNext -= 1;
      throw new Error('injected put failure');
    }
    this.objects.set(key, body.slice());
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    return this.objects.get(key);
  }

  async list(prefix: string): Promise<string[]> {
    return [...this.objects.keys()].filter((k) => k.startsWith(prefix)).sort();
  }
}
