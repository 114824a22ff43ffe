import * as z from 'zod/mini';
import { DynamoStateStore } from '#adapters/dynamodb-state-store.ts';
import { S3ObjectStore } from '#adapters/s3-object-store.ts';
import { StepFunctionsExecutionStarter } from '#adapters/sfn-execution-starter.ts';
import { compileCorrelationFilter, correlationReasons } from '#core/correlate/need.ts';
import { startCorrelation, type StartDeps, type StartOutcome } from '#core/correlate/start.ts';
import { executionName } from '#core/correlate/execution-name.ts';
import { correlationFilterSettings, correlationStarterEnv } from '#runtime/env/correlation-starter.ts';
import { lazyHandler } from '#runtime/lazy-handler.ts';
import { handlerLogger, type HandlerLog } from '#runtime/log.ts';
import { SystemClock } from '#runtime/system-clock.ts';

/** The function's logger (module scope: one per container), also handed each invocation's context. */
const LOG = handlerLogger('correlation-starter');

/** An EventBridge event from the webhook bus; its detail is checked by the core. */
const eventSchema = z.object({ detail: z.unknown() });

/** The starter's dependencies from the Lambda environment. */
export function fromEnv(env: NodeJS.ProcessEnv = process.env): StartDeps {
  const e = correlationStarterEnv.parse(env);
  const filter = compileCorrelationFilter(correlationFilterSettings.parse(JSON.parse(e.CORRELATION_FILTER)));
  const state = new DynamoStateStore(e.STATE_TABLE_NAME, new SystemClock());
  return {
    bodies: new S3ObjectStore(e.LAKE_BUCKET_NAME),
    starter: new StepFunctionsExecutionStarter(e.STATE_MACHINE_ARN),
    executionName,
    reasons: (meeting) => correlationReasons(meeting, state, filter),
  };
}

/**
 * The handler over `deps`: starts the correlation workflow for a meeting.ended event a correlation detection needs,
 * named after the meeting instance. A duplicate start and a skipped meeting are success. An event to retry or one
 * that can never start is thrown, so Lambda's asynchronous retries and then the dead-letter queue (with its alarm)
 * keep it. Logs one line of status and reason (ERROR when not started), never payloads.
 */
export function makeHandler(deps: StartDeps, log: HandlerLog = LOG): (event: unknown) => Promise<StartOutcome> {
  return async (event) => {
    const { detail } = eventSchema.parse(event);
    const outcome = await startCorrelation(detail, deps);
    if (outcome.status === 'retry' || outcome.status === 'rejected') {
      log.error('correlation not started', outcome);
      throw new Error(`correlation not started: ${outcome.status} (${outcome.reason})`);
    }
    log.info('correlation start', outcome);
    return outcome;
  };
}

/** The Lambda entry point; its dependencies are built on the first invocation and kept for the container's life. */
export const handler = lazyHandler(() => makeHandler(fromEnv()), LOG);
