import {
  type AttributeValue,
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { ConditionFailedError, StorageError } from '#core/errors.ts';
import type { Clock, StateItem, StateStore, StateValue, WriteCondition } from '#core/ports.ts';
import { checkStateAttrName, checkStateKey, checkStateNumber } from '#core/state/items.ts';
import { isRetryableAwsError } from './aws-errors.ts';

/** A query needing more pages than this is a broken endpoint echoing its key, not a real partition. */
const MAX_QUERY_PAGES = 100_000;
/** `add` retries this often when concurrent callers keep resetting the same expired counter. */
const MAX_ADD_ROUNDS = 5;

type Item = Record<string, AttributeValue>;

/** The condition part of a PutItem or DeleteItem request. */
interface ConditionParams {
  ConditionExpression?: string;
  ExpressionAttributeNames?: Record<string, string>;
  ExpressionAttributeValues?: Item;
}

/** Names every expression uses, so attrs called `name`, `status` or `data` (DynamoDB reserved words) just work. */
const KEY_NAMES = { '#pk': 'pk', '#sk': 'sk', '#exp': 'expiresAt' };
const LIVE = '(attribute_not_exists(#exp) OR #exp >= :now)';

/**
 * State in one DynamoDB table with string keys `pk`/`sk` and TTL attribute `expiresAt` (epoch seconds). TTL deletes
 * late, so every read and condition treats an item whose `expiresAt` has passed as absent.
 */
export class DynamoStateStore implements StateStore {
  constructor(
    private readonly tableName: string,
    private readonly clock: Clock,
    private readonly client: DynamoDBClient = new DynamoDBClient({}),
  ) {}

  async get(pk: string, sk: string): Promise<StateItem | undefined> {
    checkStateKey(pk, sk);
    const out = await this.call('get', pk, sk, () =>
      this.client.send(new GetItemCommand({ TableName: this.tableName, Key: key(pk, sk), ConsistentRead: true })),
    );
    if (!out.Item) return undefined;
    const item = decodeItem(out.Item);
    return this.isLive(item) ? item : undefined;
  }

  async put(item: StateItem, condition?: WriteCondition): Promise<void> {
    checkStateKey(item.pk, item.sk);
    const encoded: Item = { ...key(item.pk, item.sk) };
    for (const [name, value] of Object.entries(item.attrs)) {
      checkStateAttrName(name);
      encoded[name] = encodeValue(name, value);
    }
    if (item.expiresAt !== undefined) encoded.expiresAt = { N: encodeNumber('expiresAt', item.expiresAt) };
    await this.call('put', item.pk, item.sk, () =>
      this.client.send(new PutItemCommand({ TableName: this.tableName, Item: encoded, ...this.conditionParams(condition) })),
    );
  }

  async add(pk: string, sk: string, attr: string, delta: number, options?: { expiresAt?: number }): Promise<number> {
    checkStateKey(pk, sk);
    checkStateAttrName(attr);
    if (!Number.isSafeInteger(delta)) throw new StorageError(`add to ${attr}: delta must be a safe integer`, false);
    const expiresAt = options?.expiresAt;
    const expValue: Item = expiresAt === undefined ? {} : { ':exp': { N: encodeNumber('expiresAt', expiresAt) } };
    for (let round = 0; round < MAX_ADD_ROUNDS; round++) {
      const now = this.nowSeconds();
      try {
        // Counts on when the item is absent or live; an expired counter fails the condition and is reset below.
        const out = await this.client.send(
          new UpdateItemCommand({
            TableName: this.tableName,
            Key: key(pk, sk),
            UpdateExpression: expiresAt === undefined ? 'ADD #a :d' : 'ADD #a :d SET #exp = :exp',
            ConditionExpression: `attribute_not_exists(#pk) OR ${LIVE}`,
            ExpressionAttributeNames: { '#a': attr, '#pk': 'pk', '#exp': 'expiresAt' },
            ExpressionAttributeValues: { ':d': { N: String(delta) }, ':now': { N: String(now) }, ...expValue },
            ReturnValues: 'UPDATED_NEW',
          }),
        );
        const value = out.Attributes?.[attr]?.N;
        if (value === undefined) throw new StorageError(`add to ${attr} on ${pk}/${sk}: no new value returned`, true);
        return Number(value);
      } catch (err) {
        if (!isConditionFailure(err)) throw toStorageError('add', pk, sk, err);
      }
      try {
        // The expired item counts as absent, so the counter starts again from delta with none of its old attrs.
        const fresh: Item = { ...key(pk, sk), [attr]: { N: String(delta) } };
        if (expiresAt !== undefined) fresh.expiresAt = { N: encodeNumber('expiresAt', expiresAt) };
        await this.client.send(
          new PutItemCommand({
            TableName: this.tableName,
            Item: fresh,
            ConditionExpression: '#exp < :now',
            ExpressionAttributeNames: { '#exp': 'expiresAt' },
            ExpressionAttributeValues: { ':now': { N: String(now) } },
          }),
        );
        return delta;
      } catch (err) {
        // Another caller reset it first: the item is live again, so count on it in the next round.
        if (!isConditionFailure(err)) throw toStorageError('add', pk, sk, err);
      }
    }
    throw new StorageError(`add to ${attr} on ${pk}/${sk}: too much contention on an expired counter`, true);
  }

  async query(pk: string, skPrefix = ''): Promise<StateItem[]> {
    if (pk === '') throw new StorageError('state item keys must not be empty', false);
    const items: StateItem[] = [];
    let startKey: Item | undefined;
    for (let page = 0; page < MAX_QUERY_PAGES; page++) {
      const now = this.nowSeconds();
      const out = await this.call('query', pk, `${skPrefix}*`, () =>
        this.client.send(
          new QueryCommand({
            TableName: this.tableName,
            KeyConditionExpression: skPrefix === '' ? '#pk = :pk' : '#pk = :pk AND begins_with(#sk, :prefix)',
            FilterExpression: LIVE,
            ExpressionAttributeNames: skPrefix === '' ? { '#pk': 'pk', '#exp': 'expiresAt' } : KEY_NAMES,
            ExpressionAttributeValues: {
              ':pk': { S: pk },
              ':now': { N: String(now) },
              ...(skPrefix === '' ? {} : { ':prefix': { S: skPrefix } }),
            },
            ConsistentRead: true,
            ExclusiveStartKey: startKey,
          }),
        ),
      );
      for (const raw of out.Items ?? []) items.push(decodeItem(raw));
      startKey = out.LastEvaluatedKey;
      if (!startKey) return items;
    }
    throw new StorageError(`query on ${pk} did not end after ${MAX_QUERY_PAGES} pages`, false);
  }

  async delete(pk: string, sk: string, condition?: WriteCondition): Promise<void> {
    checkStateKey(pk, sk);
    await this.call('delete', pk, sk, () =>
      this.client.send(new DeleteItemCommand({ TableName: this.tableName, Key: key(pk, sk), ...this.conditionParams(condition) })),
    );
  }

  private conditionParams(condition: WriteCondition | undefined): ConditionParams {
    if (!condition) return {};
    const now = { ':now': { N: String(this.nowSeconds()) } };
    if (condition.kind === 'notExists') {
      return {
        ConditionExpression: 'attribute_not_exists(#pk) OR #exp < :now',
        ExpressionAttributeNames: { '#pk': 'pk', '#exp': 'expiresAt' },
        ExpressionAttributeValues: now,
      };
    }
    checkStateAttrName(condition.name);
    return {
      ConditionExpression: `#c = :c AND ${LIVE}`,
      ExpressionAttributeNames: { '#c': condition.name, '#exp': 'expiresAt' },
      ExpressionAttributeValues: { ':c': encodeValue(condition.name, condition.value), ...now },
    };
  }

  private isLive(item: StateItem): boolean {
    return item.expiresAt === undefined || item.expiresAt >= this.nowSeconds();
  }

  private nowSeconds(): number {
    return Math.floor(this.clock.now() / 1000);
  }

  private async call<T>(op: string, pk: string, sk: string, send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (err) {
      if (isConditionFailure(err)) throw new ConditionFailedError(pk, sk);
      throw toStorageError(op, pk, sk, err);
    }
  }
}

function key(pk: string, sk: string): Item {
  return { pk: { S: pk }, sk: { S: sk } };
}

function encodeNumber(name: string, value: number): string {
  checkStateNumber(name, value);
  return String(value);
}

function encodeValue(name: string, value: StateValue): AttributeValue {
  if (value === null) return { NULL: true };
  if (typeof value === 'string') return { S: value };
  if (typeof value === 'number') return { N: encodeNumber(name, value) };
  if (typeof value === 'boolean') return { BOOL: value };
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return { L: value.map((v: string) => ({ S: v })) };
  throw new StorageError(`state attribute ${name} has an unsupported type`, false);
}

function decodeValue(name: string, value: AttributeValue): StateValue {
  if (value.S !== undefined) return value.S;
  if (value.N !== undefined) return Number(value.N);
  if (value.BOOL !== undefined) return value.BOOL;
  if (value.NULL !== undefined) return null;
  if (value.L !== undefined) {
    return value.L.map((v) => {
      if (v.S === undefined) throw new StorageError(`state attribute ${name} holds a list with non-string elements`, false);
      return v.S;
    });
  }
  throw new StorageError(`state attribute ${name} has a type zoomlake does not read`, false);
}

/**
 * A DynamoDB item as the state store reads it (pk, sk, expiresAt and typed attributes). Exported for the test that
 * checks items written by the state machine's DynamoDB service integration read back as the store's own.
 */
export function decodeItem(raw: Item): StateItem {
  const attrs: Record<string, StateValue> = {};
  let expiresAt: number | undefined;
  for (const [name, value] of Object.entries(raw)) {
    if (name === 'pk' || name === 'sk') continue;
    if (name === 'expiresAt') expiresAt = value.N === undefined ? undefined : Number(value.N);
    else attrs[name] = decodeValue(name, value);
  }
  const pk = raw.pk?.S ?? '';
  const sk = raw.sk?.S ?? '';
  return expiresAt === undefined ? { pk, sk, attrs } : { pk, sk, attrs, expiresAt };
}

function isConditionFailure(err: unknown): boolean {
  return err instanceof Error && err.name === 'ConditionalCheckFailedException';
}

/** The SDK's own message can quote item content, so only the error's name goes into ours. */
function toStorageError(op: string, pk: string, sk: string, err: unknown): StorageError {
  if (err instanceof StorageError) return err;
  const name = err instanceof Error ? err.name : 'unknown error';
  return new StorageError(`state ${op} on ${pk}/${sk} failed: ${name}`, isRetryableAwsError(err), { cause: err });
}
