import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ConditionFailedError, StorageError } from '#core/errors.ts';
import type { Clock, StateItem, StateStore, StateValue, WriteCondition } from '#core/ports.ts';
import { replaceFileDurably } from './durable-file.ts';

/** Attribute names DynamoDB's table uses; item attrs may not shadow them here either. */
const RESERVED = new Set(['pk', 'sk', 'expiresAt']);
/** DynamoDB's limits, kept here so what works locally also works in AWS. */
const MAX_PK_BYTES = 2048;
const MAX_SK_BYTES = 1024;
const MAX_ITEM_BYTES = 400 * 1024;
const FORMAT_VERSION = 1;

interface StoredFile {
  readonly version: number;
  readonly items: StateItem[];
}

/**
 * An embedded StateStore with DynamoDBStateStore's semantics: items live in a Map that is written whole to a JSON
 * file (temp file, then rename) after every mutation, and operations run one at a time through a promise chain, so
 * concurrent calls in this process are atomic. One process per file: two processes would overwrite each other.
 */
export class FileStateStore implements StateStore {
  private readonly file: string;
  private items: Map<string, StateItem> | undefined;
  private tail: Promise<unknown> = Promise.resolve();

  constructor(filePath: string, private readonly clock: Clock) {
    this.file = path.resolve(filePath);
  }

  async get(pk: string, sk: string): Promise<StateItem | undefined> {
    checkKey(pk, sk);
    return this.serial(async (items) => {
      const item = items.get(mapKey(pk, sk));
      return item && this.isLive(item) ? structuredClone(item) : undefined;
    });
  }

  async put(item: StateItem, condition?: WriteCondition): Promise<void> {
    const stored = normalise(item);
    return this.serial(async (items) => {
      this.check(items, item.pk, item.sk, condition);
      items.set(mapKey(item.pk, item.sk), stored);
      await this.persist(items);
    });
  }

  async add(pk: string, sk: string, attr: string, delta: number, options?: { expiresAt?: number }): Promise<number> {
    checkKey(pk, sk);
    checkAttrName(attr);
    if (!Number.isSafeInteger(delta)) throw new StorageError(`add to ${attr}: delta must be a safe integer`, false);
    const expiresAt = options?.expiresAt;
    if (expiresAt !== undefined) checkNumber('expiresAt', expiresAt);
    return this.serial(async (items) => {
      const old = items.get(mapKey(pk, sk));
      const live = old && this.isLive(old) ? old : undefined;
      const current = live?.attrs[attr];
      if (current !== undefined && typeof current !== 'number') {
        // DynamoDB answers ADD on a non-number with a ValidationException.
        throw new StorageError(`add to ${attr} on ${pk}/${sk} failed: attribute is not a number`, false);
      }
      const value = (current ?? 0) + delta;
      const exp = expiresAt ?? live?.expiresAt;
      const next = normalise({ pk, sk, attrs: { ...live?.attrs, [attr]: value }, ...(exp === undefined ? {} : { expiresAt: exp }) });
      items.set(mapKey(pk, sk), next);
      await this.persist(items);
      return value;
    });
  }

  async query(pk: string, skPrefix = ''): Promise<StateItem[]> {
    if (pk === '') throw new StorageError('state item keys must not be empty', false);
    return this.serial(async (items) =>
      [...items.values()]
        .filter((item) => item.pk === pk && item.sk.startsWith(skPrefix) && this.isLive(item))
        // DynamoDB orders sort keys by their UTF-8 bytes, which differs from JS string order past U+FFFF.
        .sort((a, b) => Buffer.compare(Buffer.from(a.sk, 'utf8'), Buffer.from(b.sk, 'utf8')))
        .map((item) => structuredClone(item)),
    );
  }

  async delete(pk: string, sk: string, condition?: WriteCondition): Promise<void> {
    checkKey(pk, sk);
    return this.serial(async (items) => {
      this.check(items, pk, sk, condition);
      if (items.delete(mapKey(pk, sk))) await this.persist(items);
    });
  }

  /** Runs `op` after every earlier operation settled, with the items loaded; a failed op does not block later ones. */
  private serial<T>(op: (items: Map<string, StateItem>) => Promise<T>): Promise<T> {
    const run = this.tail.then(async () => op(await this.load()));
    this.tail = run.catch(() => undefined);
    return run;
  }

  private check(items: Map<string, StateItem>, pk: string, sk: string, condition: WriteCondition | undefined): void {
    if (!condition) return;
    const old = items.get(mapKey(pk, sk));
    const live = old && this.isLive(old) ? old : undefined;
    if (condition.kind === 'notExists') {
      if (live) throw new ConditionFailedError(pk, sk);
      return;
    }
    checkAttrName(condition.name);
    if (!live || live.attrs[condition.name] !== condition.value) throw new ConditionFailedError(pk, sk);
  }

  private isLive(item: StateItem): boolean {
    return item.expiresAt === undefined || item.expiresAt >= Math.floor(this.clock.now() / 1000);
  }

  private async load(): Promise<Map<string, StateItem>> {
    if (this.items) return this.items;
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (err) {
      if (err instanceof Error && 'code' in err && err.code === 'ENOENT') {
        this.items = new Map();
        return this.items;
      }
      throw new StorageError(`could not read state file ${this.file}`, false, { cause: err });
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      // Never start empty over a damaged file: the next write would destroy what is left of it.
      throw new StorageError(`state file ${this.file} is not valid JSON; fix or remove it`, false, { cause: err });
    }
    if (!isStoredFile(parsed)) {
      throw new StorageError(`state file ${this.file} is not a zoomlake state file (version ${FORMAT_VERSION})`, false);
    }
    this.items = new Map(parsed.items.map((item) => [mapKey(item.pk, item.sk), normalise(item)]));
    return this.items;
  }

  private async persist(items: Map<string, StateItem>): Promise<void> {
    // Expired items are absent anyway; dropping them here is the embedded store's TTL sweep.
    const live = [...items.values()].filter((item) => this.isLive(item));
    const body = JSON.stringify({ version: FORMAT_VERSION, items: live } satisfies StoredFile);
    try {
      await replaceFileDurably(this.file, body);
    } catch (err) {
      // The in-memory Map is ahead of the file now; reload on next use so memory never claims an unsaved write.
      this.items = undefined;
      const code = err instanceof Error && 'code' in err && typeof err.code === 'string' ? err.code : 'unknown error';
      throw new StorageError(`could not write state file ${this.file}: ${code}`, code === 'EMFILE' || code === 'EBUSY', { cause: err });
    }
  }
}

function mapKey(pk: string, sk: string): string {
  return JSON.stringify([pk, sk]);
}

function checkKey(pk: string, sk: string): void {
  if (pk === '' || sk === '') throw new StorageError('state item keys must not be empty', false);
  if (Buffer.byteLength(pk) > MAX_PK_BYTES || Buffer.byteLength(sk) > MAX_SK_BYTES) {
    throw new StorageError('state item key too long (pk at most 2048 bytes, sk at most 1024 bytes)', false);
  }
}

function checkAttrName(name: string): void {
  if (name === '' || RESERVED.has(name)) throw new StorageError(`"${name}" cannot be used as a state attribute name`, false);
}

function checkNumber(name: string, value: number): void {
  if (!Number.isFinite(value)) throw new StorageError(`state attribute ${name} must be a finite number`, false);
}

function checkValue(name: string, value: unknown): asserts value is StateValue {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return;
  if (typeof value === 'number') return checkNumber(name, value);
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return;
  throw new StorageError(`state attribute ${name} has an unsupported type`, false);
}

/** Validates an item as DynamoDB would and returns a private copy the caller cannot mutate afterwards. */
function normalise(item: StateItem): StateItem {
  checkKey(item.pk, item.sk);
  const attrs: Record<string, StateValue> = {};
  let size = Buffer.byteLength(item.pk) + Buffer.byteLength(item.sk) + 4;
  for (const [name, value] of Object.entries(item.attrs)) {
    checkAttrName(name);
    checkValue(name, value);
    attrs[name] = Array.isArray(value) ? [...value] : value;
    size += Buffer.byteLength(name) + valueSize(value);
  }
  if (item.expiresAt !== undefined) checkNumber('expiresAt', item.expiresAt);
  if (size > MAX_ITEM_BYTES) throw new StorageError(`state item ${item.pk}/${item.sk} exceeds the 400 KB item limit`, false);
  return item.expiresAt === undefined ? { pk: item.pk, sk: item.sk, attrs } : { pk: item.pk, sk: item.sk, attrs, expiresAt: item.expiresAt };
}

/** DynamoDB's item-size accounting, close enough to reject what AWS would. */
function valueSize(value: StateValue): number {
  if (typeof value === 'string') return Buffer.byteLength(value);
  if (typeof value === 'number') return 21;
  if (value === null || typeof value === 'boolean') return 1;
  return 3 + value.reduce((sum, v) => sum + 1 + Buffer.byteLength(v), 0);
}

function isStoredFile(value: unknown): value is StoredFile {
  if (typeof value !== 'object' || value === null || !('version' in value) || !('items' in value)) return false;
  return value.version === FORMAT_VERSION && Array.isArray(value.items) && value.items.every(isStoredItem);
}

function isStoredItem(value: unknown): value is StateItem {
  if (typeof value !== 'object' || value === null) return false;
  if (!('pk' in value) || !('sk' in value) || !('attrs' in value)) return false;
  if (typeof value.pk !== 'string' || typeof value.sk !== 'string' || typeof value.attrs !== 'object' || value.attrs === null) return false;
  return !('expiresAt' in value) || typeof value.expiresAt === 'number';
}
