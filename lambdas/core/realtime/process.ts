import { createHash } from 'node:crypto';
import type { DetectionRegistry } from '../detect/registry.ts';
import { ConditionFailedError } from '../errors.ts';
import type { AlertDelivery, Clock, DeliveryResult, ObjectStore, StateStore } from '../ports.ts';
import { resolveWebhookBody, webhookDetailSchema } from '../webhook/detail.ts';
import { EnvelopeError, parseEnvelope } from '../webhook/envelope.ts';
import { isRealtimeEvent, runChecks } from './checks.ts';
import type { CompiledSettings } from './config.ts';

/** What the realtime path needs. */
export interface RealtimeDeps {
  readonly state: StateStore;
  /** The store holding webhook bodies published by reference. */
  readonly bodies: ObjectStore;
  readonly delivery: AlertDelivery;
  readonly clock: Clock;
  readonly settings: CompiledSettings;
  /** The detection registry (config overrides applied): the checks' alert metadata and thresholds. */
  readonly registry: DetectionRegistry;
  /**
   * Claims taken before this time (epoch ms) belong to runs that can no longer finish and are taken over at once,
   * not after CLAIM_LEASE_MS: locally one process owns the state, so a claim older than that process died with
   * the one before it. @default none (a claim blocks until its lease ends)
   */
  readonly claimsStaleBefore?: number;
}

/** How one webhook event went through the realtime path (reason codes only, never payload text). */
export type RealtimeOutcome =
  | { readonly status: 'processed'; readonly event: string; readonly delivered: readonly DeliveryResult[] }
  | { readonly status: 'duplicate' | 'ignored'; readonly event: string }
  /** Can never succeed (malformed detail, not an envelope): dead-letter it. */
  | { readonly status: 'rejected'; readonly reason: string }
  /** May succeed later (body not readable yet, same event in flight elsewhere): retry it. */
  | { readonly status: 'retry'; readonly reason: string };

/** How long a claim on an event blocks other deliveries of it before they may take it over (a crashed run). */
export const CLAIM_LEASE_MS = 120_000;

/**
 * Runs the realtime checks on one bus event's detail (WebhookDetail: body inline or by reference) and hands the
 * alerts to delivery. A redelivered webhook (same body: Zoom's retries, the bus's at-least-once delivery) is
 * processed once: the first delivery claims the body's hash in the state table, marks it done after delivery, and
 * later ones are `duplicate`. A run that fails releases its claim so the retry runs the checks again; their
 * state writes are idempotent and delivery suppresses a repeated alert.
 */
export async function processRealtimeDetail(detail: unknown, deps: RealtimeDeps): Promise<RealtimeOutcome> {
  const parsed = webhookDetailSchema.safeParse(detail);
  if (!parsed.success) return { status: 'rejected', reason: 'detail_malformed' };
  const body = await resolveWebhookBody(parsed.data, deps.bodies);
  if (!body.ok) return body.retryable ? { status: 'retry', reason: body.reason } : { status: 'rejected', reason: body.reason };
  return processRealtimeBody(body.text, parsed.data.receivedAt, deps);
}

/** processRealtimeDetail for a body already in hand (the local pipeline). */
export async function processRealtimeBody(text: string, receivedAt: number, deps: RealtimeDeps): Promise<RealtimeOutcome> {
  let env;
  try {
    env = parseEnvelope(text);
  } catch (error) {
    if (!(error instanceof EnvelopeError)) throw error;
    return { status: 'rejected', reason: 'not_envelope' };
  }
  if (!isRealtimeEvent(env.event)) return { status: 'ignored', event: env.event };

  const pk = `rt#event#${createHash('sha256').update(text).digest('hex')}`;
  const claim = await claimEvent(deps, pk);
  if (claim === 'done') return { status: 'duplicate', event: env.event };
  if (claim === 'busy') return { status: 'retry', reason: 'in_progress' };
  try {
    const alerts = await runChecks(env, receivedAt, { state: deps.state, settings: deps.settings, clock: deps.clock, registry: deps.registry });
    const delivered = alerts.length > 0 ? await deps.delivery.deliver(alerts) : [];
    await deps.state.put({ pk, sk: 'claim', attrs: { state: 'done', claimed_at: claim }, expiresAt: expiry(deps) });
    return { status: 'processed', event: env.event, delivered };
  } catch (error) {
    await deps.state.delete(pk, 'claim', { kind: 'attrEquals', name: 'claimed_at', value: claim }).catch(() => undefined);
    throw error;
  }
}

const expiry = (deps: RealtimeDeps) => Math.floor(deps.clock.now() / 1000) + deps.settings.raw.idempotencyHours * 3600;

/** Claims an event for processing: the claim time, or `done` (processed before) or `busy` (another run holds it). */
async function claimEvent(deps: RealtimeDeps, pk: string): Promise<number | 'done' | 'busy'> {
  const now = deps.clock.now();
  const item = { pk, sk: 'claim', attrs: { state: 'processing', claimed_at: now }, expiresAt: expiry(deps) };
  try {
    await deps.state.put(item, { kind: 'notExists' });
    return now;
  } catch (error) {
    if (!(error instanceof ConditionFailedError)) throw error;
  }
  const current = await deps.state.get(pk, 'claim');
  if (current?.attrs.state === 'done') return 'done';
  const claimedAt = current?.attrs.claimed_at;
  const abandoned = typeof claimedAt === 'number' && deps.claimsStaleBefore !== undefined && claimedAt < deps.claimsStaleBefore;
  if (typeof claimedAt !== 'number' || (now - claimedAt < CLAIM_LEASE_MS && !abandoned)) return 'busy';
  try {
    await deps.state.put(item, { kind: 'attrEquals', name: 'claimed_at', value: claimedAt });
    return now;
  } catch (error) {
    if (error instanceof ConditionFailedError) return 'busy';
    throw error;
  }
}
