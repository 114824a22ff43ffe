import { StorageError } from '../errors.ts';

/*
 * DynamoDB's rules for a state item, in one place: the DynamoDB adapter checks them before it calls, and the embedded
 * file store enforces them, so an item that works locally also works in AWS.
 */

/** Attribute names the state table itself uses (its keys and its TTL attribute); an item's attrs may not shadow them. */
export const STATE_TABLE_ATTRS: ReadonlySet<string> = new Set(['pk', 'sk', 'expiresAt']);
/** DynamoDB's limit on a partition key, in UTF-8 bytes. */
export const MAX_PK_BYTES = 2048;
/** DynamoDB's limit on a sort key, in UTF-8 bytes. */
export const MAX_SK_BYTES = 1024;
/** DynamoDB's limit on a whole item (names and values), in bytes. */
export const MAX_ITEM_BYTES = 400 * 1024;

/** Throws a non-retryable StorageError for an empty key or one over DynamoDB's key limits. */
export function checkStateKey(pk: string, sk: string): void {
  if (pk === '' || sk === '') throw new StorageError('state item keys must not be empty', false);
  if (Buffer.byteLength(pk) > MAX_PK_BYTES || Buffer.byteLength(sk) > MAX_SK_BYTES) {
    throw new StorageError(`state item key too long (pk at most ${MAX_PK_BYTES} bytes, sk at most ${MAX_SK_BYTES} bytes)`, false);
  }
}

/** Throws a non-retryable StorageError for an attribute name that is empty or one of the table's own. */
export function checkStateAttrName(name: string): void {
  if (name === '' || STATE_TABLE_ATTRS.has(name)) throw new StorageError(`"${name}" cannot be used as a state attribute name`, false);
}

/** Throws a non-retryable StorageError for a number DynamoDB cannot store (NaN, an infinity). */
export function checkStateNumber(name: string, value: number): void {
  if (!Number.isFinite(value)) throw new StorageError(`state attribute ${name} must be a finite number`, false);
}
