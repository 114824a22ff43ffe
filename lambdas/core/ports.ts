import type { Alert } from './alerts/alert.ts';
import type { MeetingEndedInput } from './correlate/contract.ts';

/**
 * The ports between the pure core and the outside world, every one of them here. Each has an AWS adapter
 * (lambdas/adapters) and a local one (lambdas/local) with the same semantics, or a core implementation over the other
 * ports (AlertDelivery, ZoomApi); core code only ever sees these interfaces.
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
  /** Removes the object; a key with no object is no error (deleting twice is deleting once). */
  delete(key: string): Promise<void>;
}

/** The write half of an ObjectStore, for code that only stores objects (the webhook receiver's large bodies). */
export type ObjectWriter = Pick<ObjectStore, 'put'>;

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

/** Zoom's "Rate Limit Label" of an endpoint (spelt as in the `X-RateLimit-Category` header, without the hyphen). */
export type ZoomCategory = 'Light' | 'Medium' | 'Heavy' | 'ResourceIntensive';

/** One GET against the Zoom REST API. `path` starts with `/` and is relative to `/v2`; build UUID segments with `meetingUuidPath`. */
export interface ZoomRequest {
  readonly path: string;
  readonly query?: Readonly<Record<string, string>>;
  /** The endpoint's Rate Limit Label, which decides its pacing and daily budget. */
  readonly category: ZoomCategory;
}

/** A paginated GET: `itemsKey` names the array in each page (`activity_logs`, `participants`, ...). */
export interface ZoomPageRequest extends ZoomRequest {
  readonly itemsKey: string;
}

/** One page of a paginated list. `page` counts from 1 and starts over when the window is restarted. */
export interface ZoomPage<T> {
  readonly items: T[];
  readonly page: number;
  /** How many times the listing restarted from page 1 after Zoom expired the page token; pages before a restart come again. */
  readonly restarts: number;
}

/**
 * The port the pollers and the correlation use to read Zoom (ZoomHttpClient in lambdas/core/zoom/client.ts); bodies
 * are not validated here, callers parse them (zod) at their edge.
 */
export interface ZoomApi {
  /** Every page of a `next_page_token` listing, in order; never skips a page, may repeat pages after a restart. */
  paginate<T>(request: ZoomPageRequest): AsyncIterable<ZoomPage<T>>;
  /** One response body. */
  get<T>(request: ZoomRequest): Promise<T>;
}

/** What happened to one alert handed to delivery. */
export interface DeliveryResult {
  readonly alertId: string;
  /** notified: first in its dedup window, written and published; suppressed: a repeat, count and last_seen updated. */
  readonly outcome: 'notified' | 'suppressed';
  /** How many times this detection and dedup key were raised in the current window, this one included. */
  readonly count: number;
}

/**
 * Hands alerts from every source (realtime checks, the scheduled runner, correlation) to suppression, the `alerts`
 * table and the alert bus. Implementation: SuppressingAlertDelivery (lambdas/core/alerts/suppressing-delivery.ts).
 */
export interface AlertDelivery {
  deliver(alerts: readonly Alert[]): Promise<DeliveryResult[]>;
}

/** Starts named workflow executions (Step Functions StartExecution, or the local runner). */
export interface ExecutionStarter {
  /**
   * Starts an execution called `name` with `input`: `started`, or `duplicate` when an execution of that name
   * already exists (Standard names are unique for 90 days), in which case nothing new starts.
   */
  start(name: string, input: MeetingEndedInput): Promise<'started' | 'duplicate'>;
}
