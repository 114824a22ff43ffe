import { describe, expect, it } from 'vitest';
import { parseConfig } from '#config/load.ts';
import type { MeetingEndedInput } from '#core/correlate/contract.ts';
import { compileCorrelationFilter, correlationReasons, type CorrelationFilterSettings } from '#core/correlate/need.ts';
import { compileSettings } from '#core/realtime/config.ts';
import { processRealtimeBody, type RealtimeDeps } from '#core/realtime/process.ts';
import { loadRegistry } from '../../lib/detections/load.ts';
import { FakeClock } from '../fakes/fake-clock.ts';
import { MemoryAlertDelivery } from '../support/memory-alert-delivery.ts';
import { MemoryObjectStore } from '../support/memory-object-store.ts';
import { MemoryStateStore } from '../support/memory-state-store.ts';
import { T0, joinEvent, userEvent } from '../support/webhook-bodies.ts';

/*
 * Which ended meetings the post-meeting correlation runs for (lambdas/core/correlate/need.ts). The live meeting state
 * is written by the realtime checks themselves (processRealtimeBody on signed-webhook bodies), so a change in how they
 * record outsiders fails here rather than silently skipping meetings with outsiders.
 */

const CONFIG = parseConfig({ internalDomains: ['example.com'], watchedUsers: ['ceo@example.com'] });
const REGISTRY = loadRegistry(CONFIG.detections);

/** The meeting joinEvent's bodies describe, as the starter reads it from meeting.ended. */
const meeting = (o: Partial<MeetingEndedInput> = {}): MeetingEndedInput => ({
  meeting_uuid: 'inst-1==',
  meeting_id: '81234567890',
  host_id: 'host-1',
  topic: 'Weekly sync',
  start_time: new Date(T0 - 60_000).toISOString(),
  end_time: new Date(T0 + 3_600_000).toISOString(),
  ...o,
});

async function reasonsAfter(bodies: readonly string[], settings: Partial<CorrelationFilterSettings> = {}, m = meeting()) {
  const clock = new FakeClock(T0 + 5_000);
  const state = new MemoryStateStore(clock);
  const deps: RealtimeDeps = {
    state,
    bodies: new MemoryObjectStore(),
    delivery: new MemoryAlertDelivery(),
    clock,
    registry: REGISTRY,
    settings: compileSettings({ ...CONFIG, ...CONFIG.realtime }),
  };
  for (const body of bodies) expect((await processRealtimeBody(body, clock.now(), deps)).status).toBe('processed');
  const filter = compileCorrelationFilter({
    meetings: 'needed',
    dataAccess: true,
    sensitiveMeetingPatterns: CONFIG.sensitiveMeetingPatterns,
    watchedUsers: CONFIG.watchedUsers,
    ...settings,
  });
  return correlationReasons(m, state, filter);
}

const colleague = joinEvent({ name: 'Bob Builder', email: 'bob@example.com', id: 'u-bob' });
const partner = joinEvent({ name: 'Eve Partner', email: 'eve@partner.test', id: 'x-eve' });
const anonymous = joinEvent({ name: 'iPhone' });

describe('which meetings the post-meeting correlation runs for', () => {
  it.each<[string, string[], string[]]>([
    ['colleagues only', [colleague], []],
    ['an external participant', [colleague, partner], ['outsiders_with_data_access']],
    ['an unauthenticated guest without email', [anonymous], ['outsiders_with_data_access']],
    ['no participant seen at all', [], []],
  ])('with a data-access source: %s', async (_name, bodies, expected) => {
    expect(await reasonsAfter(bodies)).toEqual(expected);
  });

  it('does not correlate a meeting with outsiders when no data-access source is configured', async () => {
    expect(await reasonsAfter([colleague, partner], { dataAccess: false })).toEqual([]);
  });

  it('does not count an outsider of another meeting instance', async () => {
    expect(await reasonsAfter([joinEvent({ uuid: 'inst-2==', name: 'Eve Partner', email: 'eve@partner.test', id: 'x-eve' })])).toEqual([]);
  });

  it("correlates a meeting with a sensitive topic, whoever attended (its recordings are the download detection's guarded ones)", async () => {
    expect(await reasonsAfter([colleague], { dataAccess: false }, meeting({ topic: 'Board prep Q4' }))).toEqual(['sensitive_topic']);
    // The defaults anchor words at their start: "Onboarding" is no board meeting.
    expect(await reasonsAfter([colleague], { dataAccess: false }, meeting({ topic: 'Onboarding' }))).toEqual([]);
  });

  it('correlates a meeting hosted by a watched user, found through the user directory', async () => {
    const ceo = userEvent('user.created', 'ceo@example.com', { id: 'h-ceo', first: 'Catherine', last: 'Zeta' });
    expect(await reasonsAfter([ceo], { dataAccess: false }, meeting({ host_id: 'h-ceo' }))).toEqual(['watched_host']);
    expect(await reasonsAfter([ceo], { dataAccess: false }, meeting({ host_id: 'host-1' }))).toEqual([]);
  });

  it('names every reason that applies', async () => {
    expect(await reasonsAfter([partner], {}, meeting({ topic: 'Merger talks' }))).toEqual(['outsiders_with_data_access', 'sensitive_topic']);
  });

  it('correlates every meeting with correlation.meetings "all"', async () => {
    expect(await reasonsAfter([colleague], { meetings: 'all', dataAccess: false })).toEqual(['all_meetings']);
  });
});
