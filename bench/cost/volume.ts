/**
 * The organisation the bill is modelled for (issue #17): 10,000 users with about 35,000 meeting participations,
 * 9,000 meetings and 100,000 webhook events a day, six months kept; and the same at ten times the volume.
 */

/** One modelled organisation. */
export interface Volume {
  readonly name: string;
  readonly users: number;
  readonly participationsPerDay: number;
  readonly meetingsPerDay: number;
  readonly webhookEventsPerDay: number;
  /** Days of data the lake holds in the modelled month. */
  readonly retainedDays: number;
}

/** The goal: the modelled monthly bill of the first volume. */
export const GOAL_USD_PER_MONTH = 50;

const BASE: Volume = {
  name: '10k users',
  users: 10_000,
  participationsPerDay: 35_000,
  meetingsPerDay: 9_000,
  webhookEventsPerDay: 100_000,
  retainedDays: 183,
};

/** The volumes the bench prints a bill for: the goal's organisation, then ten times it. */
export const VOLUMES: readonly Volume[] = [
  BASE,
  {
    ...BASE,
    name: '100k users (10x)',
    users: 10 * BASE.users,
    participationsPerDay: 10 * BASE.participationsPerDay,
    meetingsPerDay: 10 * BASE.meetingsPerDay,
    webhookEventsPerDay: 10 * BASE.webhookEventsPerDay,
  },
];

/** Events of each type a day at `volume`: the scenario's mix, its joins and leaves scaled to the participations,
 * its meeting starts and ends to the meetings, and every other type together to the rest of the webhook events. */
export function eventMix(scenarioPerDay: Readonly<Record<string, number>>, volume: Volume): Record<string, number> {
  const participation = new Set(['meeting.participant_joined', 'meeting.participant_left']);
  const meeting = new Set(['meeting.started', 'meeting.ended']);
  const joined = scenarioPerDay['meeting.participant_joined'] ?? 0;
  const ended = scenarioPerDay['meeting.ended'] ?? 0;
  if (joined === 0 || ended === 0) throw new Error('the scenario has no joins or no meeting ends to scale');
  const kJoin = volume.participationsPerDay / joined;
  const kMeeting = volume.meetingsPerDay / ended;
  const scaled = (t: string, n: number) => (participation.has(t) ? n * kJoin : meeting.has(t) ? n * kMeeting : 0);
  const fixed = Object.entries(scenarioPerDay).reduce((sum, [t, n]) => sum + scaled(t, n), 0);
  const others = Object.entries(scenarioPerDay).reduce((sum, [t, n]) => sum + (participation.has(t) || meeting.has(t) ? 0 : n), 0);
  const kOther = others === 0 ? 0 : Math.max(0, volume.webhookEventsPerDay - fixed) / others;
  return Object.fromEntries(Object.entries(scenarioPerDay).map(([t, n]) => [t, participation.has(t) || meeting.has(t) ? scaled(t, n) : n * kOther]));
}
