import * as z from 'zod/mini';
import { S3ObjectStore } from '#adapters/s3-object-store.ts';
import { StepFunctionsExecutionStarter } from '#adapters/sfn-execution-starter.ts';
import { startCorrelation, type StartDeps, type StartOutcome } from '#core/correlate/start.ts';
import { executionName } from '#core/correlate/execution-name.ts';
import { maskLogLine } from '#core/mask/credentials.ts';

const nonEmpty = z.string().check(z.minLength(1));
/** The environment the CorrelationWorkflow construct sets. */
const envSchema = z.object({ STATE_MACHINE_ARN: nonEmpty, LAKE_BUCKET_NAME: nonEmpty });
/** An EventBridge event from the webhook bus; its detail is checked by the core. */
const eventSchema = z.object({ detail: z.unknown() });

/** The starter's dependencies from the Lambda environment. */
export function fromEnv(env: NodeJS.ProcessEnv = process.env): StartDeps {
  const e = envSchema.parse(env);
  return { bodies: new S3ObjectStore(e.LAKE_BUCKET_NAME), starter: new StepFunctionsExecutionStarter(e.STATE_MACHINE_ARN), executionName };
}

/**
 * The handler over `deps`: starts the correlation workflow for a meeting.ended event, named after the meeting instance.
 * A duplicate start is success. An event to retry or one that can never start is thrown, so Lambda's asynchronous
 * retries and then the dead-letter queue (with its alarm) keep it. Logs one line of status and reason, never payloads.
 */
export function makeHandler(deps: StartDeps, log: (line: string) => void = (line) => console.log(maskLogLine(line))): (event: unknown) => Promise<StartOutcome> {
  return async (event) => {
    const { detail } = eventSchema.parse(event);
    const outcome = await startCorrelation(detail, deps);
    log(JSON.stringify(outcome));
    if (outcome.status === 'retry' || outcome.status === 'rejected') throw new Error(`correlation not started: ${outcome.status} (${outcome.reason})`);
    return outcome;
  };
}

let live: ReturnType<typeof makeHandler> | undefined;

/** The Lambda entry point; its dependencies are built on the first invocation and kept for the container's life. */
export const handler: ReturnType<typeof makeHandler> = (event) => {
  live ??= makeHandler(fromEnv());
  return live(event);
};
