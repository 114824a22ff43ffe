/** Base for zoomlake's domain errors: every one says whether retrying can help. */
export class ZoomlakeError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A conditional write found the item in another state than required (lost race, lease held, stale version). */
export class ConditionFailedError extends ZoomlakeError {
  constructor(
    readonly pk: string,
    readonly sk: string,
  ) {
    super(`condition failed for state item ${pk}/${sk}`, false);
  }
}

/** A storage or service call failed; `retryable` tells whether the same call may succeed later. */
export class StorageError extends ZoomlakeError {}

/** A query did not run or failed in the engine. */
export class QueryError extends ZoomlakeError {}

/** A secret is missing or unreadable. */
export class SecretError extends ZoomlakeError {}

/** A row does not fit its table's schema. */
export class RowValidationError extends ZoomlakeError {
  constructor(
    readonly table: string,
    readonly column: string,
    detail: string,
  ) {
    super(`${table}.${column}: ${detail}`, false);
  }
}
