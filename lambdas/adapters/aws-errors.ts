/** Error names AWS services use for throttling and transient server faults, across S3, DynamoDB, EventBridge, Athena and Secrets Manager. */
const RETRYABLE_NAMES = new Set([
  'SlowDown',
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'RequestTimeout',
  'RequestTimeoutException',
  'InternalError',
  'InternalFailure',
  'InternalException',
  'InternalServerError',
  'InternalServerException',
  'InternalServiceError',
  'InternalServiceErrorException',
  'ServiceUnavailable',
  'TimeoutError',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'TransactionConflictException',
  'LimitExceededException',
]);
const NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'ECONNABORTED', 'EHOSTUNREACH', 'ENETUNREACH']);

/** Throttling, 5xx and network failures may pass on a later try; access, validation and not-found errors will not. */
export function isRetryableAwsError(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  if (RETRYABLE_NAMES.has(err.name)) return true;
  if ('$retryable' in err && err.$retryable) return true;
  if ('$fault' in err && err.$fault === 'server') return true;
  if ('$metadata' in err && typeof err.$metadata === 'object' && err.$metadata !== null && 'httpStatusCode' in err.$metadata) {
    const status = err.$metadata.httpStatusCode;
    if (typeof status === 'number' && (status >= 500 || status === 429)) return true;
  }
  return 'code' in err && typeof err.code === 'string' && NETWORK_CODES.has(err.code);
}

/** The error's name only: SDK messages can quote request content (items, payloads), which must not reach logs. */
export function awsErrorName(err: unknown): string {
  return err instanceof Error ? err.name : 'unknown error';
}
