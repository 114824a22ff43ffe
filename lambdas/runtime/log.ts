import { LogFormatter, LogItem, Logger } from '@aws-lambda-powertools/logger';
import type { LogAttributes, UnformattedAttributes } from '@aws-lambda-powertools/logger/types';
import type { Context } from 'aws-lambda';
import { maskValue } from '#core/mask/credentials.ts';

/** Fields of one log line, beside its level and message: counts, ids, statuses and reason codes, never payloads. */
export type LogFields = object;

/**
 * How a handler logs: progress at INFO, what an operator should look at at WARN, failures at ERROR. The Powertools
 * Logger of {@link handlerLogger} is one; tests pass a recorder.
 */
export interface HandlerLog {
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

/**
 * The Powertools record (level, message, timestamp, service, Lambda context when added, then the fields), with
 * credentials masked by the core's one list (field names, URL parameters, JSON text in strings): a field quoting a
 * join link or a token never reaches the log. Errors are formatted (name, message, stack) before masking.
 */
class MaskingLogFormatter extends LogFormatter {
  override formatAttributes(attributes: UnformattedAttributes, fields: LogAttributes): LogItem {
    const context = attributes.lambdaContext;
    const record: Record<string, unknown> = {
      level: attributes.logLevel,
      message: attributes.message,
      timestamp: this.formatTimestamp(attributes.timestamp),
      service: attributes.serviceName,
      cold_start: context?.coldStart,
      function_name: context?.functionName,
      function_request_id: context?.awsRequestId,
      xray_trace_id: attributes.xRayTraceId,
    };
    for (const [key, value] of Object.entries(fields)) record[key] = value instanceof Error ? this.formatError(value) : value;
    return new LogItem({ attributes: maskValue(record) as LogAttributes });
  }
}

/** A deployed handler's log, which also carries the invocation it serves. */
export interface HandlerLogger extends HandlerLog {
  /** Adds the invocation's request id, function name and cold start to every line until the next invocation. */
  addContext(context: Context): void;
}

/**
 * A handler's logger: Powertools for AWS Lambda, one JSON line per call with its level, written straight to stdout
 * (not through console, which Lambda's JSON log format would wrap), credentials masked. The level follows
 * POWERTOOLS_LOG_LEVEL or the function's log level (INFO by default).
 */
export function handlerLogger(serviceName: string): HandlerLogger {
  const logger = new Logger({ serviceName, logFormatter: new MaskingLogFormatter() });
  return {
    info: (message, fields) => logger.info(message, { ...fields }),
    warn: (message, fields) => logger.warn(message, { ...fields }),
    error: (message, fields) => logger.error(message, { ...fields }),
    addContext: (context) => logger.addContext(context),
  };
}
