import * as z from 'zod/mini';
import { S3ObjectStore } from '#adapters/s3-object-store.ts';
import { StepFunctionsExecutionStarter } from '#adapters/sfn-execution-starter.ts';
import { startCorrelation, type StartDeps, type StartOutcome } from '#core/correlate/start.ts';
import { executionName } from '#core/correlate/execution-name.ts';
import { correlationStarterEnv } from '#runtime/env/correlation-starter.ts';
import { lazyHandler } from '#runtime/lazy-handler.ts';
import { handlerLogger, type HandlerLog } from '#runtime/log.ts';

/** The function's logger (module scope: one per container), also handed each invocation's context. */
const LOG = handlerLogger('correlation-starter');

/** An EventBridge event from the webhook bus; its detail is checked by the core. */
const eventSchema = z.object({ detail: z.unknown() });

/** The starter's dependencies from the Lambda environment. */
export function fromEnv(env: NodeJS.ProcessEnv = process.env): StartDeps {
  const e = correlationStarterEnv.parse(env);
  return { bodies: new S3ObjectStore(e.LAKE_BUCKET_NAME), starter: new StepFunctionsExecutionStarter(e.STATE_MACHINE_ARN), executionName };
}

/**
 * The handler over `deps`: starts the correlation workflow for a meeting.ended event, named after the meeting instance.
 * A duplicate start is success. An event to retry or one that can never start is thrown, so Lambda's asynchronous
 * retries and then the dead-letter queue (with its alarm) keep it. Logs one line of status and reason (ERROR when
 * not started), never payloads.
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
