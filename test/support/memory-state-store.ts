import { ConditionFailedError, StorageError } from '#core/errors.ts';
import type { Clock, StateItem, StateStore, WriteCondition } from '#core/ports.ts';
import { checkStateAttrName, checkStateKey, checkStateNumber, MAX_ITEM_BYTES } from '#core/state/items.ts';

/**
 * An in-memory StateStore for core tests, with the port's semantics (expired items count as absent, sort keys in
 * UTF-8 byte order) and DynamoDB's item rules; test/unit/memory-stores.test.ts runs the port's contract suite on it.
 */
export class MemoryStateStore implements StateStore {
  /** `items` lets a second store open the same backing data (as a restarted process reopens a table). */
  constructor(
    private readonly clock: Clock,
    readonly items = new Map<string, StateItem>(),
  ) {}

  private live(key: string): StateItem | undefined {
    const item = this.items.get(key);
    return item && (item.expiresAt === undefined || item.expiresAt >= Math.floor(this.clock.now() / 1000)) ? item : undefined;
  }

  private check(key: string, pk: string, sk: string, condition?: WriteCondition): void {
    if (!condition) return;
    const item = this.live(key);
    if (condition.kind === 'notExists' ? item !== undefined : item?.attrs[condition.name] !== condition.value) throw new ConditionFailedError(pk, sk);
  }

  async get(pk: string, sk: string): Promise<StateItem | undefined> {
    checkStateKey(pk, sk);
    const item = this.live(JSON.stringify([pk, sk]));
    return item && structuredClone(item);
  }

  async put(item: StateItem, condition?: WriteCondition): Promise<void> {
    checkItem(item);
    const key = JSON.stringify([item.pk, item.sk]);
    this.check(key, item.pk, item.sk, condition);
    this.items.set(key, structuredClone(item));
  }

  async add(pk: string, sk: string, attr: string, delta: number, options?: { expiresAt?: number }): Promise<number> {
    checkStateKey(pk, sk);
    checkStateAttrName(attr);
    if (!Number.isSafeInteger(delta)) throw new StorageError(`add to ${attr}: delta must be a safe integer`, false);
    const key = JSON.stringify([pk, sk]);
    const old = this.live(key);
    const current = old?.attrs[attr];
    if (current !== undefined && typeof current !== 'number')
      throw new StorageError(`add to ${attr} on ${pk}/${sk} failed: attribute is not a number`, false);
    const value = (current ?? 0) + delta;
    const expiresAt = options?.expiresAt ?? old?.expiresAt;
    this.items.set(key, { pk, sk, attrs: { ...old?.attrs, [attr]: value }, ...(expiresAt === undefined ? {} : { expiresAt }) });
    return value;
  }

  async query(pk: string, skPrefix = ''): Promise<StateItem[]> {
    if (pk === '') throw new StorageError('state item keys must not be empty', false);
    return [...this.items.keys()]
      .map((k) => this.live(k))
      .filter((i): i is StateItem => i !== undefined && i.pk === pk && i.sk.startsWith(skPrefix))
      .sort((a, b) => Buffer.compare(Buffer.from(a.sk, 'utf8'), Buffer.from(b.sk, 'utf8')))
      .map((i) => structuredClone(i));
  }

  async delete(pk: string, sk: string, condition?: WriteCondition): Promise<void> {
    checkStateKey(pk, sk);
    const key = JSON.stringify([pk, sk]);
    this.check(key, pk, sk, condition);
    this.items.delete(key);
  }
}

/** DynamoDB's rules for a whole item; the size is the JSON text's, a fake's stand-in for DynamoDB's accounting. */
function checkItem(item: StateItem): void {
  checkStateKey(item.pk, item.sk);
  for (const [name, value] of Object.entries(item.attrs)) {
    checkStateAttrName(name);
    if (typeof value === 'number') checkStateNumber(name, value);
  }
  if (Buffer.byteLength(JSON.stringify(item)) > MAX_ITEM_BYTES)
    throw new StorageError(`state item ${item.pk}/${item.sk} exceeds the item limit`, false);
}
