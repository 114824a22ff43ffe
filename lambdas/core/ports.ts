/**
 * The ports between the pure core and the outside world. Each has an AWS adapter (lambdas/adapters) and a local
 * one (lambdas/local) with the same semantics; core code only ever sees these interfaces.
 */

/** Source of the current time; the core never reads the system clock itself. */
export interface Clock {
  /** Milliseconds since the Unix epoch (UTC). */
  now(): number;
}

/** Blob storage addressed by key (S3, or a folder locally). Keys use `/` separators, no leading slash. */
export interface ObjectStore {
  /** Writes the object whole; when it resolves, the object is durable. */
  put(key: string, body: Uint8Array, options?: { contentType?: string }): Promise<void>;
  /** The object's bytes, or undefined when no object has that key. */
  get(key: string): Promise<Uint8Array | undefined>;
  /** Every key under the prefix, sorted. */
  list(prefix: string): Promise<string[]>;
}

/** A value a state item may hold. */
export type StateValue = string | number | boolean | null | readonly string[];

/** One item of keyed state (cursor, lease, idempotency key, live meeting state, suppression key). */
export interface StateItem {
  readonly pk: string;
  readonly sk: string;
  readonly attrs: Readonly<Record<string, StateValue>>;
  /** Epoch seconds after which the item counts as absent (DynamoDB TTL). */
  readonly expiresAt?: number;
}

/** When a conditional write may go ahead. An expired item counts as absent in every condition. */
export type WriteCondition =
  | { readonly kind: 'notExists' }
  | { readonly kind: 'attrEquals'; readonly name: string; readonly value: string | number | boolean };

/** Keyed state with conditional writes, atomic counters, TTL and prefix queries (DynamoDB, or an embedded store). */
export interface StateStore {
  /** The item, or undefined when absent or expired. */
  get(pk: string, sk: string): Promise<StateItem | undefined>;
  /** Writes the whole item; throws ConditionFailedError when `condition` does not hold. */
  put(item: StateItem, condition?: WriteCondition): Promise<void>;
  /** Atomically adds `delta` to a numeric attribute (absent counts as 0) and returns the new value. */
  add(pk: string, sk: string, attr: string, delta: number, options?: { expiresAt?: number }): Promise<number>;
  /** Live items of a partition whose sort key starts with `skPrefix`, sorted by sort key. */
  query(pk: string, skPrefix?: string): Promise<StateItem[]>;
  /** Removes the item; throws ConditionFailedError when `condition` does not hold. */
  delete(pk: string, sk: string, condition?: WriteCondition): Promise<void>;
}

/** An event for a bus (EventBridge, or the console/JSONL locally). */
export interface BusEvent {
  readonly source: string;
  readonly detailType: string;
  readonly detail: unknown;
  /** Event time in epoch ms; the adapter uses the clock when absent. */
  readonly time?: number;
}

/** Publishes events; resolves only when every event was accepted, else throws a retryable StorageError. */
export interface EventPublisher {
  publish(events: readonly BusEvent[]): Promise<void>;
}

/** A query's result: column names in order and one object per row. */
export interface QueryResult {
  readonly columns: readonly string[];
  readonly rows: readonly Record<string, unknown>[];
}

/** Runs Athena-dialect SQL over the lake's views (Athena, or DuckDB with a Trino compatibility layer). */
export interface QueryEngine {
  /** Runs one statement; `params` fill positional `?` placeholders. */
  query(sql: string, params?: readonly (string | number | boolean)[]): Promise<QueryResult>;
}

/** Reads secrets by name (Secrets Manager, or environment variables locally). */
export interface SecretProvider {
  /** The secret's value; throws SecretError when it is missing. */
  getSecret(name: string): Promise<string>;
}
