import { randomUUID } from 'node:crypto';
import type { Context, SQSBatchResponse } from 'aws-lambda';
import * as z from 'zod/mini';
import { S3ObjectStore } from '#adapters/s3-object-store.ts';
import { LakeWriter } from '#core/lake/writer.ts';
import type { Clock, ObjectStore } from '#core/ports.ts';
import { queuedWebhookEvent, reasonCounts, writeWebhookEvents, type ItemProblem, type QueuedWebhookEvent } from '#core/webhook/lake-writer.ts';
import { nonEmpty } from '#runtime/env/function-env.ts';
import { webhookLakeWriterEnv } from '#runtime/env/webhook-lake-writer.ts';
import { lazyHandler } from '#runtime/lazy-handler.ts';
import { handlerLogger, type HandlerLog } from '#runtime/log.ts';
import { SystemClock } from '#runtime/system-clock.ts';

/** The function's logger (module scope: one per container), also handed each invocation's context. */
const LOG = handlerLogger('webhook-lake-writer');

/** Only what the handler reads from an SQS event; the rest of each record is ignored. */
const sqsEventSchema = z.object({ Records: z.array(z.object({ messageId: nonEmpty, body: z.string() })) });

/** What the writer handler needs: the lake bucket (which also holds by-reference webhook bodies), a clock, file ids. */
export interface WebhookWriterDeps {
  readonly lake: ObjectStore;
  readonly clock: Clock;
  readonly newId: () => string;
}

/** An SQS-triggered Lambda handler reporting partial batch failures; the context tells how much time is left. */
export type SqsHandler = (event: unknown, context?: Pick<Context, 'getRemainingTimeInMillis'>) => Promise<SQSBatchResponse>;

/** The writer's dependencies from the Lambda environment. */
export function fromEnv(env: NodeJS.ProcessEnv = process.env): WebhookWriterDeps {
  const e = webhookLakeWriterEnv.parse(env);
  return { lake: new S3ObjectStore(e.LAKE_BUCKET_NAME), clock: new SystemClock(), newId: randomUUID };
}

/**
 * The handler over `deps`. A LakeWriter per batch: a failed flush keeps rows buffered, and those items go back to
 * the queue anyway, so a writer kept across invocations would only pile them up. Logs counts and reason codes only,
 * at ERROR when an item failed.
 */
export function makeHandler(deps: WebhookWriterDeps, log: HandlerLog = LOG): SqsHandler {
  return async (event, context) => {
    const { Records } = sqsEventSchema.parse(event);
    const items: QueuedWebhookEvent[] = [];
    const unreadable: ItemProblem[] = [];
    for (const record of Records) {
      const item = queuedWebhookEvent(record.messageId, record.body);
      if ('reason' in item) unreadable.push(item);
      else items.push(item);
    }
    const writer = new LakeWriter({ store: deps.lake, clock: deps.clock, newId: deps.newId, writerId: 'webhook-writer' });
    const remainingMs = context && (() => context.getRemainingTimeInMillis());
    const result = await writeWebhookEvents(items, { writer, bodies: deps.lake, remainingMs });
    const failed = unreadable.length + result.failedIds.length;
    const fields = {
      records: Records.length,
      written: result.written,
      failed,
      rejected: reasonCounts([...unreadable, ...result.rejected]),
      retrying: reasonCounts(result.retrying),
      incomplete: reasonCounts(result.incomplete),
    };
    if (failed > 0) log.error('webhook lake write with failures', fields);
    else log.info('webhook lake write', fields);
    return { batchItemFailures: [...unreadable.map((p) => p.id), ...result.failedIds].map((itemIdentifier) => ({ itemIdentifier })) };
  };
}

/** The Lambda entry point; its dependencies are built on the first invocation and kept for the container's life. */
export const handler: SqsHandler = lazyHandler(() => makeHandler(fromEnv()), LOG);
