/**
 * Ports that count what the core asks of them, for the cost model: object puts and bytes, state reads and writes with
 * DynamoDB's request units (1 KB per write unit, 4 KB per strongly consistent read unit, per request).
 */
import type { ObjectStore, StateItem, StateStore, WriteCondition } from '#core/ports.ts';
import { ASSUMPTIONS } from './assumptions.ts';

/** An ObjectStore wrapper counting puts and the bytes put under each key. */
export class CountingObjectStore implements ObjectStore {
  puts = 0;
  gets = 0;
  readonly bytes = new Map<string, number>();

  constructor(private readonly inner: ObjectStore) {}

  async put(key: string, body: Uint8Array, options?: { contentType?: string }): Promise<void> {
    this.puts++;
    this.bytes.set(key, body.byteLength);
    await this.inner.put(key, body, options);
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    this.gets++;
    return this.inner.get(key);
  }

  lists = 0;
  deletes = 0;

  list(prefix: string): Promise<string[]> {
    this.lists++;
    return this.inner.list(prefix);
  }

  delete(key: string): Promise<void> {
    this.deletes++;
    return this.inner.delete(key);
  }
}

/** DynamoDB's size of an item: attribute names and values plus a fixed overhead (an approximation of its rules). */
export function itemBytes(item: Pick<StateItem, 'pk' | 'sk' | 'attrs'>): number {
  return ASSUMPTIONS.dynamoItemOverheadBytes + Buffer.byteLength(JSON.stringify([item.pk, item.sk, item.attrs]), 'utf8');
}

/** Calls and request units a StateStore was asked for. */
export interface StateUse {
  calls: number;
  reads: number;
  writes: number;
  readUnits: number;
  writeUnits: number;
}

/** A StateStore wrapper counting calls and the request units DynamoDB would bill for them. */
export class CountingStateStore implements StateStore {
  readonly use: StateUse = { calls: 0, reads: 0, writes: 0, readUnits: 0, writeUnits: 0 };

  constructor(private readonly inner: StateStore) {}

  private read(bytes: number): void {
    this.use.calls++;
    this.use.reads++;
    this.use.readUnits += Math.max(1, Math.ceil(bytes / 4096));
  }

  private write(bytes: number): void {
    this.use.calls++;
    this.use.writes++;
    this.use.writeUnits += Math.max(1, Math.ceil(bytes / 1024));
  }

  async get(pk: string, sk: string): Promise<StateItem | undefined> {
    const item = await this.inner.get(pk, sk);
    this.read(item ? itemBytes(item) : 0);
    return item;
  }

  async put(item: StateItem, condition?: WriteCondition): Promise<void> {
    // A write whose condition fails still consumes its write units.
    this.write(itemBytes(item));
    await this.inner.put(item, condition);
  }

  async add(pk: string, sk: string, attr: string, delta: number, options?: { expiresAt?: number }): Promise<number> {
    const value = await this.inner.add(pk, sk, attr, delta, options);
    this.write(itemBytes({ pk, sk, attrs: { [attr]: value } }));
    return value;
  }

  async query(pk: string, skPrefix?: string): Promise<StateItem[]> {
    const items = await this.inner.query(pk, skPrefix);
    this.read(items.reduce((n, i) => n + itemBytes(i), 0));
    return items;
  }

  async delete(pk: string, sk: string, condition?: WriteCondition): Promise<void> {
    this.write(itemBytes({ pk, sk, attrs: {} }));
    await this.inner.delete(pk, sk, condition);
  }
}
