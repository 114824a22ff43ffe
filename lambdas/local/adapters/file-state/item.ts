import { StorageError } from '#core/errors.ts';
import type { StateItem, StateValue } from '#core/ports.ts';
import { MAX_ITEM_BYTES, checkStateAttrName, checkStateKey, checkStateNumber } from '#core/state/items.ts';

/** Whether `item` is live at `nowMs`: an item whose `expiresAt` (epoch seconds) has passed counts as absent. */
export function isLive(item: StateItem, nowMs: number): boolean {
  return item.expiresAt === undefined || item.expiresAt >= Math.floor(nowMs / 1000);
}

/** Validates an item as DynamoDB would and returns a private copy the caller cannot mutate afterwards. */
export function normalise(item: StateItem): StateItem {
  checkStateKey(item.pk, item.sk);
  const attrs: Record<string, StateValue> = {};
  let size = Buffer.byteLength(item.pk) + Buffer.byteLength(item.sk) + 4;
  for (const [name, value] of Object.entries(item.attrs)) {
    checkStateAttrName(name);
    checkValue(name, value);
    attrs[name] = Array.isArray(value) ? [...value] : value;
    size += Buffer.byteLength(name) + valueSize(value);
  }
  if (item.expiresAt !== undefined) checkStateNumber('expiresAt', item.expiresAt);
  if (size > MAX_ITEM_BYTES) throw new StorageError(`state item ${item.pk}/${item.sk} exceeds the ${MAX_ITEM_BYTES / 1024} KB item limit`, false);
  return item.expiresAt === undefined ? { pk: item.pk, sk: item.sk, attrs } : { pk: item.pk, sk: item.sk, attrs, expiresAt: item.expiresAt };
}

function checkValue(name: string, value: unknown): asserts value is StateValue {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return;
  if (typeof value === 'number') return checkStateNumber(name, value);
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return;
  throw new StorageError(`state attribute ${name} has an unsupported type`, false);
}

/** DynamoDB's item-size accounting, close enough to reject what AWS would. */
function valueSize(value: StateValue): number {
  if (typeof value === 'string') return Buffer.byteLength(value);
  if (typeof value === 'number') return 21;
  if (value === null || typeof value === 'boolean') return 1;
  return 3 + value.reduce((sum, v) => sum + 1 + Buffer.byteLength(v), 0);
}
