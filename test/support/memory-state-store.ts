import { ConditionFailedError } from '#core/errors.ts';
import type { Clock, StateItem, StateStore, WriteCondition } from '#core/ports.ts';

/** An in-memory StateStore for core tests, with the port's semantics (expired items count as absent). */
export class MemoryStateStore implements StateStore {
  readonly items = new Map<string, StateItem>();

  constructor(private readonly clock: Clock) {}

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
    const item = this.live(JSON.stringify([pk, sk]));
    return item && structuredClone(item);
  }

  async put(item: StateItem, condition?: WriteCondition): Promise<void> {
    const key = JSON.stringify([item.pk, item.sk]);
    this.check(key, item.pk, item.sk, condition);
    this.items.set(key, structuredClone(item));
  }

  async add(pk: string, sk: string, attr: string, delta: number, options?: { expiresAt?: number }): Promise<number> {
    const key = JSON.stringify([pk, sk]);
    const old = this.live(key);
    const current = old?.attrs[attr];
    const value = (typeof current === 'number' ? current : 0) + delta;
    const expiresAt = options?.expiresAt ?? old?.expiresAt;
    this.items.set(key, { pk, sk, attrs: { ...old?.attrs, [attr]: value }, ...(expiresAt === undefined ? {} : { expiresAt }) });
    return value;
  }

  async query(pk: string, skPrefix = ''): Promise<StateItem[]> {
    return [...this.items.keys()].map((k) => this.live(k)).filter((i): i is StateItem => i !== undefined && i.pk === pk && i.sk.startsWith(skPrefix))
      .sort((a, b) => (a.sk < b.sk ? -1 : a.sk > b.sk ? 1 : 0)).map((i) => structuredClone(i));
  }

  async delete(pk: string, sk: string, condition?: WriteCondition): Promise<void> {
    const key = JSON.stringify([pk, sk]);
    this.check(key, pk, sk, condition);
    this.items.delete(key);
  }
}
