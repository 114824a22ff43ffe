import { randomUUID } from 'node:crypto';
import * as z from 'zod/mini';
import { DynamoStateStore } from '#adapters/dynamodb-state-store.ts';
import { S3ObjectStore } from '#adapters/s3-object-store.ts';
import { SecretsManagerSecretProvider } from '#adapters/secrets-manager-secret-provider.ts';
import { LakeWriter } from '#core/lake/writer.ts';
import { METRICS, type MetricDefinition } from '#core/metrics.ts';
import { pollSource, type PollSettings, type SourceRun } from '#core/poll/run.ts';
import { activityTypesProblem, MEETING_ACTIVITY_TYPES, type MeetingActivityType } from '#core/poll/meeting-activities.ts';
import { compileRisk } from '#core/poll/risk.ts';
import { POLL_SOURCES } from '#core/poll/sources.ts';
import type { Clock, SecretProvider, StateStore, ZoomApi } from '#core/ports.ts';
import type { ZoomPlan } from '#core/zoom/rate-limit.ts';
import { nonEmpty } from '#runtime/env/function-env.ts';
import { scheduledPollerEnv } from '#runtime/env/scheduled-poller.ts';
import { lazyHandler } from '#runtime/lazy-handler.ts';
import { handlerLogger, type HandlerLog } from '#runtime/log.ts';
import { emfMetrics, type MetricSink } from '#runtime/metrics.ts';
import { SystemClock } from '#runtime/system-clock.ts';
import { zoomClientFromSecret } from '#runtime/zoom-client.ts';

/** The function's logger (module scope: one per container), also handed each invocation's context. */
const LOG = handlerLogger('scheduled-poller');

const stringList = z.array(z.string());

/** A JSON string array from the environment variable `name`, or an error naming it. */
function listFrom(name: string, raw: string): string[] {
  try {
    return stringList.parse(JSON.parse(raw));
  } catch {
    throw new Error(`${name} must be a JSON array of strings`);
  }
}
const activityTypes = z.array(z.enum(MEETING_ACTIVITY_TYPES));

/** The MEETING_ACTIVITY_TYPES variable as activity types, or an error naming it. */
function activityTypesFrom(raw: string): MeetingActivityType[] {
  let types: MeetingActivityType[];
  try {
    types = activityTypes.parse(JSON.parse(raw));
  } catch {
    throw new Error(`MEETING_ACTIVITY_TYPES must be a JSON array of: ${MEETING_ACTIVITY_TYPES.join(', ')}`);
  }
  const problem = activityTypesProblem(types);
  if (problem !== undefined) throw new Error(`MEETING_ACTIVITY_TYPES ${problem}`);
  return types;
}
const day = z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}$/));
/** The schedule's input; `from`/`to` (both or neither) backfill a day range instead of following the cursor. */
const eventSchema = z.object({ source: nonEmpty, from: z.optional(day), to: z.optional(day) });

/** What the poller handler needs; the Zoom client is built once the credentials secret is read. */
export interface PollerDeps {
  readonly api: () => Promise<ZoomApi>;
  readonly plan: ZoomPlan;
  readonly state: StateStore;
  readonly clock: Clock;
  readonly newWriter: (writerId: string) => LakeWriter;
  readonly leaseSeconds: number;
  /** Risk signals and chat content collection, from the configuration. */
  readonly settings: PollSettings;
}

/** The part of the Lambda context the poller reads. */
export interface PollerContext {
  readonly awsRequestId: string;
}

/** The poller's dependencies from the Lambda environment; a new client only when the stored credentials change. */
export function fromEnv(env: NodeJS.ProcessEnv = process.env, secrets: SecretProvider = new SecretsManagerSecretProvider()): PollerDeps {
  const e = scheduledPollerEnv.parse(env);
  const clock = new SystemClock();
  const store = new S3ObjectStore(e.LAKE_BUCKET_NAME);
  const state = new DynamoStateStore(e.STATE_TABLE_NAME, clock);
  const settings: PollSettings = {
    risk: {
      internalDomains: listFrom('INTERNAL_DOMAINS', e.INTERNAL_DOMAINS),
      sensitiveMeetingPatterns: listFrom('SENSITIVE_MEETING_PATTERNS', e.SENSITIVE_MEETING_PATTERNS),
      watchedUsers: listFrom('WATCHED_USERS', e.WATCHED_USERS),
    },
    chatIncludeContent: e.CHAT_INCLUDE_CONTENT === 'true',
    meetingActivityTypes: activityTypesFrom(e.MEETING_ACTIVITY_TYPES),
  };
  compileRisk(settings.risk); // a bad pattern fails the cold start with its name, not every run
  // Every concurrent poller process draws on one daily Heavy/Resource-intensive share, counted in the state table.
  const api = zoomClientFromSecret(secrets, e.ZOOM_CREDENTIALS_SECRET_ARN, { clock, plan: e.ZOOM_PLAN, apiBudgetShare: e.API_BUDGET_SHARE, state });
  return {
    api,
    plan: e.ZOOM_PLAN,
    clock,
    leaseSeconds: e.LEASE_SECONDS,
    state,
    settings,
    newWriter: (writerId) => new LakeWriter({ store, clock, newId: randomUUID, writerId }),
  };
}

/** The run's metrics: CursorAdvanced always; SourceDisabled; for participant details what the budget skipped. */
function metricsOf(run: SourceRun): [MetricDefinition<string, 'Source'>, number][] {
  const values: [MetricDefinition<string, 'Source'>, number][] = [[METRICS.CursorAdvanced, run.windows > 0 ? 1 : 0]];
  if (run.status === 'disabled') values.push([METRICS.SourceDisabled, 1]);
  if (run.budget) {
    const { skippedByClass: s, droppedByClass: d } = run.budget;
    values.push(
      [METRICS.BudgetSkipped, run.skipped],
      [METRICS.BudgetSkippedRisky, s.high + s.elevated],
      [METRICS.BacklogDropped, d.high + d.elevated + d.routine],
    );
  }
  return values;
}

/**
 * The poller over `deps`: runs one source and logs its SourceRun (with what the budget skipped, by risk class; WARN
 * when the plan or scopes lack the source's API), with CursorAdvanced, SourceDisabled, BudgetSkipped,
 * BudgetSkippedRisky and BacklogDropped as EMF. Unexpected errors are thrown so the schedule retries and
 * dead-letters them.
 */
export function makeHandler(
  deps: PollerDeps,
  log: HandlerLog = LOG,
  metrics: MetricSink = emfMetrics(deps.clock, log),
): (event: unknown, context: PollerContext) => Promise<SourceRun> {
  return async (event, context) => {
    const { source: name, from, to } = eventSchema.parse(event);
    const source = POLL_SOURCES[name];
    if (!source) throw new Error(`unknown source "${name}"; sources: ${Object.keys(POLL_SOURCES).join(', ')}`);
    if ((from === undefined) !== (to === undefined)) throw new Error('a backfill needs both from and to');
    const range = from !== undefined && to !== undefined ? { from, to } : undefined;
    const run = await pollSource(
      source,
      {
        api: await deps.api(),
        plan: deps.plan,
        state: deps.state,
        clock: deps.clock,
        owner: context.awsRequestId,
        leaseSeconds: deps.leaseSeconds,
        newWriter: () => deps.newWriter(`poller-${name}`),
        settings: deps.settings,
      },
      range,
    );
    // A run that worked around something (rows kept with NULL columns) is a WARN too: someone should look.
    if (run.status === 'disabled' || run.warnings !== undefined)
      log.warn(run.status === 'disabled' ? 'source disabled' : 'poll run with warnings', run);
    else log.info('poll run', run);
    metrics({ Source: name }, metricsOf(run));
    return run;
  };
}

/** The Lambda entry point; its dependencies are built on the first invocation and kept for the container's life. */
export const handler = lazyHandler(() => makeHandler(fromEnv()), LOG);
